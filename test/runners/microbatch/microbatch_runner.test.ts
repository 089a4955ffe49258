import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as mr from "../../../index";
import { flakyCount, alwaysFails, changingFailure, lostShuffle } from "../../fixtures/microbatch_pipelines";

function markerDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "millrace-markers-"));
}

/** Spill directories the micro-batch runner left in `dir`. */
function spillDirsLeft(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith("millrace-shuffle-"));
}

describe("micro-batch runner", function () {
  this.timeout(120_000);

  it("retries a failed task; metrics count only the successful attempt", async () => {
    const dir = markerDir();
    try {
      const result = flakyCount.create(["--runner=microbatch", "--executors=2", "--partitions=2", `--markerDir=${dir}`]).run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
      const m = result.metrics();
      expect(m.counters[mr.testing.ASSERTIONS_PASSED_COUNTER]).to.equal(1);
      // 6 words; the failed attempt's counts were not committed.
      expect(m.counters.seen).to.equal(6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with the original error, naming the stage, the task and the transform, once user code threw the same error on the same element twice", async () => {
    const result = alwaysFails.create(["--runner=microbatch", "--executors=2", "--maxTaskAttempts=4"]).run();
    let error: mr.PipelineExecutionError | undefined;
    await result.waitUntilFinish().catch((e) => (error = e));
    expect(error).to.be.instanceOf(mr.PipelineExecutionError);
    // A deterministic failure: not the 4 attempts allowed.
    expect(error!.message).to.match(
      /stage 'stage\d+' task \d+ failed 2 time\(s\) \(the same error on the same element twice in a row is not retried further\)/,
    );
    expect(error!.message).to.include("transform 'Reject'").and.include("two is not allowed");
    expect(error!.transform).to.equal("Reject");
    expect(error!.element).to.equal("2");
    expect((error!.cause as Error).name).to.equal("RangeError");
    expect((error!.cause as Error).message).to.equal("two is not allowed");
    expect(result.state).to.equal("FAILED");
  });

  it("retries user code whose error changes from attempt to attempt until the attempts run out, saying how many were made", async () => {
    const dir = markerDir();
    try {
      const result = changingFailure.create(["--runner=microbatch", "--executors=2", "--maxTaskAttempts=3", `--markerDir=${dir}`]).run();
      let error: mr.PipelineExecutionError | undefined;
      await result.waitUntilFinish().catch((e) => (error = e));
      expect(error).to.be.instanceOf(mr.PipelineExecutionError);
      expect(error!.message).to.match(/stage 'stage\d+' task \d+ failed 3 time\(s\): /);
      expect(error!.message).to.include("service unavailable (attempt 3)").and.not.include("not retried further");
      expect(error!.transform).to.equal("Unsteady");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("recomputes lost shuffle output from lineage", async () => {
    const dir = markerDir();
    try {
      const result = lostShuffle
        .create(["--runner=microbatch", "--executors=2", "--partitions=2", "--executorMemoryMb=0.001", `--markerDir=${dir}`])
        .run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
      expect(fs.existsSync(path.join(dir, "sabotage")), "the saboteur ran").to.equal(true);
      expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER]).to.equal(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("groups several times more data than an executor's heap, spilling its shuffles, and cleans its spill directory", function () {
    // A guard against a hang, not a speed requirement: two child processes group 500,000 elements each.
    this.timeout(900_000);
    // A temporary directory of its own: other processes' spill directories must not count.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-spill-test-"));
    try {
      // Each executor thread gets a 32 MB heap and a 1 MB shuffle budget; 500,000
      // elements are ~53 MB of records (several times more as JS values). Sized
      // so the one-key control fails on the heap limit while staying cheap.
      const run = (keys: number): { state: string; maxRssBytes: number } =>
        JSON.parse(
          execFileSync(process.execPath, [path.join(__dirname, "../../fixtures/measure_big_group.js"), "500000", String(keys), "1", "32"], {
            encoding: "utf8",
            env: { ...process.env, TMPDIR: tmp },
          }),
        );
      expect(run(50).state, "50 keys: each reduce task holds one key's values at a time").to.equal("DONE");
      // The control: with a single key one group must hold everything, which the heap limit refuses.
      expect(run(1).state, "1 key: the limit is real").to.match(/^FAILED/);
      expect(spillDirsLeft(tmp)).to.deep.equal([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("refuses, before any task runs, a pipeline whose module cannot be loaded on the executors", async () => {
    // Its module (as the proto records it) throws when loaded anywhere but here.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-unloadable-"));
    const module = path.join(dir, "unloadable.js");
    fs.writeFileSync(module, `throw new Error("this module loads only where it was written");\n`);
    try {
      const p = mr.Pipeline.create(["--runner=microbatch", "--maxTaskAttempts=1"]);
      p._originModule = module;
      p.apply(mr.create([1, 2])).apply(
        "Double",
        mr.map((x: number) => x * 2),
      );
      const result = p.run();
      let error: mr.PipelineExecutionError | undefined;
      await result.waitUntilFinish().catch((e) => (error = e));
      expect(error?.message).to.match(/the pipeline's code cannot be loaded on the executors \(first user transform: 'Create\/Values'\)/);
      expect(error?.message).to.include("this module loads only where it was written");
      expect(result.metrics().counters).to.deep.equal({});
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
