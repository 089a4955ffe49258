// Splittable DoFns on Flink and Spark (scripts/engines.sh prepare flink spark
// once; .ci/run does it): each job server expands an SDF into Beam's phases
// and the SDK harness runs them. Bounded generateSequence and readText give
// every element once on both engines (batch); on Flink in streaming mode
// (--streaming) an unbounded generateSequence checkpoints itself (residual
// roots the engine holds and sends back) and fires windowed counts until
// the job is cancelled. One job server per engine, shared by its cases.
import { expect } from "chai";
import { lines, runWindowedCountsUntilCancelled, tempFile } from "../portability/fn_harness/job_output";
import * as fs from "node:fs";
import type { PipelineDefinition } from "../../index";
import type { EngineName } from "../../runners/portable/engines/engine_classpath";
import { startJobServer, type RunningJobServer } from "../../runners/portable/engines/job_server";
import { boundedSequence, readLines, unboundedCounts } from "../portability/fn_harness/sdf_pipelines";

for (const engine of ["flink", "spark"] as EngineName[]) {
  describe(`engines: splittable DoFns on ${engine}`, function () {
    this.timeout(600_000);
    let server: RunningJobServer;
    const onServer = () => ["--runner=portable", `--jobEndpoint=${server.endpoint}`];

    before(async () => {
      server = await startJobServer(engine);
    });
    after(async () => {
      await server?.stop();
    });

    async function run(def: PipelineDefinition, args: string[]): Promise<string[]> {
      const out = tempFile("out.txt");
      const state = await def
        .create([...onServer(), `--out=${out}`, ...args])
        .run()
        .waitUntilFinish();
      expect(state).to.equal("DONE");
      return lines(out).sort();
    }

    it("a bounded generateSequence: every number once", async () => {
      expect(await run(boundedSequence, [])).to.deep.equal(Array.from({ length: 250 }, (_, i) => `n=${i}`).sort());
    });

    it("readText: every line of the file once", async () => {
      const input = tempFile("input.txt");
      const text = Array.from({ length: 2_000 }, (_, i) => `line ${i} of the input`);
      fs.writeFileSync(input, text.join("\n") + "\n");
      expect(await run(readLines, [`--input=${input}`])).to.deep.equal(text.map((l) => l.toUpperCase()).sort());
    });

    if (engine === "spark") {
      it("an unbounded generateSequence is refused before the job starts, naming the transform and the reason", async () => {
        const result = unboundedCounts.create(["--runner=spark", "--streaming", `--out=${tempFile("out.txt")}`]).run();
        const err = await result.waitUntilFinish().then(
          (state) => new Error(`the job should be refused, it ended ${state}`),
          (e: unknown) => e as Error,
        );
        expect(err.message).to.contain("Spark cannot run this pipeline: unbounded splittable DoFn in 'Ticks/Numbers'");
        expect(result.state).to.equal("FAILED");
      });
    }

    if (engine === "flink") {
      it("streaming (--streaming): an unbounded generateSequence fires windowed counts until cancelled", async () => {
        await runWindowedCountsUntilCancelled(unboundedCounts, [...onServer(), "--streaming"]);
      });
    }
  });
}
