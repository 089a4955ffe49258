// The SDK harness under a real engine: Prism (scripts/prism.sh install puts
// it in GOPATH/bin; .ci/run does it) runs millrace pipelines whose DoFns the
// harness executes over the Fn API: the default LOOPBACK worker pool, and a
// worker pool of our own reached as EXTERNAL. Results are appended to a file
// by the pipelines (prism_pipelines.ts); the engine, not the test, decides
// bundles, grouping, windows, side inputs, state and timers.
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PipelineExecutionError } from "../../../model/pipeline_result";
import type { PipelineDefinition } from "../../../sdk/pipeline_definition";
import { combinesToFiles, failing, sideInput, statefulCounts, windowedSums, wordCount } from "./prism_pipelines";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");

function lines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .sort()
    : [];
}

async function runOnPrism(def: PipelineDefinition, extra: string[] = []): Promise<string[]> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-fn-e2e-")), "out.txt");
  const state = await def
    .create(["--runner=prism", `--out=${out}`, ...extra])
    .run()
    .waitUntilFinish();
  expect(state).to.equal("DONE");
  return lines(out);
}

describe("Fn API SDK harness on Prism (end to end)", function () {
  this.timeout(120_000);

  it("word count: the engine groups, the harness runs the DoFns around it", async () => {
    expect(await runOnPrism(wordCount)).to.deep.equal(["a: 1", "cat: 2", "dog: 1", "the: 2"]);
  });

  it("fixed windows: elements assigned to windows in the harness, grouped per window by the engine", async () => {
    expect(await runOnPrism(windowedSums)).to.deep.equal(["a@0: 3", "a@10000: 5", "b@0: 7"]);
  });

  it("a side input served by the engine's State API", async () => {
    expect(await runOnPrism(sideInput)).to.deep.equal(["10", "20", "30"]);
  });

  it("a stateful DoFn: value state kept by the engine, an event-time timer set and fired through the data plane", async () => {
    expect(await runOnPrism(statefulCounts)).to.deep.equal(["a=3", "b=1"]);
  });

  it("combines Prism lifts (countPerElement, combinePerKey, combineGlobally) and writeText's file sink", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-fn-e2e-"));
    const out = path.join(dir, "out");
    const state = await combinesToFiles
      .create(["--runner=prism", `--out=${out}`])
      .run()
      .waitUntilFinish();
    expect(state).to.equal("DONE");
    const written = fs
      .readdirSync(dir)
      .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
      .filter((l) => l !== "")
      .sort();
    expect(written).to.deep.equal(["count a=3", "count b=2", "count c=1", "sum a=3", "sum b=4", "sum c=3", "total=10"]);
  });

  it("a failing DoFn: the job fails with the transform and the element, as on every runner", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-fn-e2e-")), "out.txt");
    const err = await failing
      .create(["--runner=prism", `--out=${out}`])
      .run()
      .waitUntilFinish()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(PipelineExecutionError);
    const e = err as PipelineExecutionError;
    expect(e.transform).to.equal("Explode");
    expect(e.element).to.equal("2");
    expect(e.message).to.include("two is not allowed");
  });

  it("EXTERNAL: a worker pool of its own (millrace harness --pool, in its own process) rebuilds the code from the staged bundle", async () => {
    // The pool runs as a user deploys it, in a process of its own: it has only the staged bundle to
    // rebuild the pipeline from, and nothing a test earlier in this process loaded can stand in for it.
    const pool = spawn(process.execPath, [path.join(REPO, "dist/cli/millrace.js"), "harness", "--pool", "--port=0"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = "";
        pool.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        pool.once("exit", (code) => reject(new Error(`millrace harness --pool exited (${code}) before listening: ${out}`)));
      });
      expect(await runOnPrism(wordCount, ["--environmentType=EXTERNAL", `--environmentConfig=${endpoint}`])).to.deep.equal([
        "a: 1",
        "cat: 2",
        "dog: 1",
        "the: 2",
      ]);
    } finally {
      pool.kill("SIGKILL");
    }
  });
});
