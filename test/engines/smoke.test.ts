// The smoke set on Flink and Spark (scripts/engines.sh prepare flink spark
// once; .ci/run does it): each pipeline's output on the engine equals the
// direct runner's; a failing DoFn's error reaches the user naming the
// transform and the element; cancel ends the job and stops the job server.
// Word count goes through --runner=flink|spark (a job server started for the
// job); the rest share one job server per engine through --runner=portable,
// to keep the suite's JVM starts few on a 2-core machine.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PipelineDefinition } from "../../index";
import { portAccepts } from "../../runners/portable/engines/free_port";
import type { EngineName } from "../../runners/portable/engines/engine_classpath";
import { startJobServer, type RunningJobServer } from "../../runners/portable/engines/job_server";
import type { PortableJob } from "../../runners/portable/portable_job";
import { failingDoFn, sideInputShares, statefulRunningCount, untilCancelled, windowedSums, wordCount } from "./smoke_pipelines";

function linesUnder(prefix: string): string[] {
  const dir = path.dirname(prefix);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(path.basename(prefix)))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
    .filter((l) => l !== "")
    .sort();
}

/** Runs `def` with `args` and `--output` in a new folder; returns its output lines. */
async function outputOf(def: PipelineDefinition, args: string[]): Promise<string[]> {
  const prefix = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `millrace-smoke-${def.name}-`)), "out");
  const state = await def
    .create([...args, `--output=${prefix}`])
    .run()
    .waitUntilFinish();
  expect(state).to.equal("DONE");
  return linesUnder(prefix);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const engine of ["flink", "spark"] as EngineName[]) {
  describe(`engines: the smoke set on ${engine}`, function () {
    let server: RunningJobServer;
    const onServer = () => ["--runner=portable", `--jobEndpoint=${server.endpoint}`];

    before(async () => {
      server = await startJobServer(engine);
    });
    after(async () => {
      await server?.stop();
    });

    it(`word count with file output through --runner=${engine} (its own job server, stopped after)`, async () => {
      const expected = await outputOf(wordCount, []);
      expect(expected).to.include("the: 4");
      expect(await outputOf(wordCount, [`--runner=${engine}`])).to.deep.equal(expected);
    });

    for (const [what, def] of [
      ["fixed windows with a combine", windowedSums],
      ["a side input", sideInputShares],
      ["a stateful DoFn", statefulRunningCount],
    ] as const) {
      it(`${what}: the same output as the direct runner`, async () => {
        const expected = await outputOf(def, []);
        expect(expected).to.not.deep.equal([]);
        expect(await outputOf(def, onServer())).to.deep.equal(expected);
      });
    }

    it("a failing DoFn: the job fails and the error names the transform and the element", async () => {
      let error: Error | undefined;
      await failingDoFn
        .create(onServer())
        .run()
        .waitUntilFinish()
        .catch((e: Error) => (error = e));
      expect(error, "the job did not fail").to.be.instanceOf(Error);
      expect(error!.message).to.contain("ExplodeOnThree");
      expect(error!.message).to.contain("three is not allowed (got 3)");
    });

    it(`cancel through --runner=${engine}: the job ends CANCELLED and its job server is stopped`, async () => {
      const job = untilCancelled.create([`--runner=${engine}`]).run() as PortableJob;
      await waitFor(() => job.engineState === "RUNNING", `the job to run on ${engine}`);
      job.cancel();
      expect(await job.waitUntilFinish()).to.equal("CANCELLED");
      // The job server is stopped as the job ends (after the result settles): wait for its port to close.
      const port = Number(job.engineEndpoint!.split(":")[1]);
      const deadline = Date.now() + 120_000;
      while ((await portAccepts(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await portAccepts(port), "the job server still listens").to.equal(false);
    });
  });
}
