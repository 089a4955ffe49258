/**
 * The progress figures "in" and "out" mean the same on every runner:
 * records the pipeline's sources read, and elements that reach its sinks
 * (runners/core/edge_counting.ts).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MIN_TIMESTAMP } from "../../model/time";
import type { Pipeline } from "../../sdk/pipeline";
import type { JobHandle } from "../../runners/core/job_handle";
import { fromProto } from "../../portability/from_proto";
import { toProto } from "../../portability/to_proto";
import { planExecution, NATIVE_COMPOSITES } from "../../runners/core/fusion";
import { pipelineEdges, stageEdges } from "../../runners/core/edge_counting";
import { copyLines, flattenThenGroup, groupPairs, windowedAndGlobalSums } from "../fixtures/progress_pipelines";

const RUNNERS = ["direct", "stream", "microbatch"] as const;
const RUNNER_FLAGS: Record<(typeof RUNNERS)[number], string[]> = {
  direct: [],
  stream: ["--parallelism=2"],
  microbatch: ["--batchIntervalMs=200"],
};

async function finishedCounts(job: Pipeline): Promise<{ in: number; out: number }> {
  const result = job.run() as unknown as JobHandle;
  expect(await result.waitUntilFinish()).to.equal("DONE");
  return { in: result.progress.elementsIn, out: result.progress.elementsOut };
}

describe("progress: elements in and out", function () {
  this.timeout(120_000);
  let dir: string;
  let input: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-progress-"));
    input = path.join(dir, "in.txt");
    fs.writeFileSync(input, Array.from({ length: 300 }, (_, i) => `line ${i}`).join("\n") + "\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const runner of RUNNERS) {
    it(`${runner}: 300 lines read and written show in 300, out 300`, async () => {
      const out = path.join(dir, runner, "out");
      expect(await finishedCounts(copyLines.create([`--runner=${runner}`, `--in=${input}`, `--out=${out}`]))).to.deep.equal({
        in: 300,
        out: 300,
      });
    });

    it(`${runner}: create of 120 pairs into a final groupByKey shows in 120, out 120`, async () => {
      expect(await finishedCounts(groupPairs.create([`--runner=${runner}`, "--pairs=120"]))).to.deep.equal({ in: 120, out: 120 });
    });

    it(`${runner}: two creates flattened into a groupByKey count both sides once`, async () => {
      expect(await finishedCounts(flattenThenGroup.create([`--runner=${runner}`, "--pairs=50"]))).to.deep.equal({ in: 100, out: 100 });
    });
  }

  it("a composite source counts its output only, not the Impulse inside it or inside a sink", () => {
    const pipeline = copyLines.create(["--runner=direct", `--in=${input}`, `--out=${path.join(dir, "unused")}`]);
    const model = fromProto(toProto(pipeline), { nativeComposites: NATIVE_COMPOSITES });
    const edges = pipelineEdges(model);
    expect([...edges.sourceOutputs]).to.deep.equal([model.transform("ReadText").outputs.main]);
    expect([...edges.sinkInputs]).to.deep.equal([model.transform("Upper").outputs.main]);
    // Each counted collection is counted by exactly one stage.
    const edgesOf = stageEdges(model, planExecution(model));
    const counted = planExecution(model).stages.flatMap((s) => [...edgesOf(s).inputs, ...edgesOf(s).outputs]);
    expect(counted.sort()).to.deep.equal([...edges.sourceOutputs, ...edges.sinkInputs].sort());
  });
});

describe("progress: the watermark of a running job", function () {
  this.timeout(120_000);

  for (const runner of RUNNERS) {
    it(`${runner}: moves past -inf while an unbounded job with a global-window combine runs`, async () => {
      const result = windowedAndGlobalSums.create([`--runner=${runner}`, ...RUNNER_FLAGS[runner]]).run() as unknown as JobHandle;
      const progress = result.progress;
      try {
        // Wait for the watermark to reach event time, or for the job to have read many windows' worth of
        // input without it (the bug: held at -inf by the branch that never fires), however long a busy machine takes.
        let finished = false;
        void result.waitUntilFinish().finally(() => (finished = true));
        while (!finished && progress.elementsIn < 20_000 && !(progress.watermark > MIN_TIMESTAMP))
          await new Promise((r) => setTimeout(r, 20));
        expect(finished, "the job ended by itself").to.equal(false);
        expect(progress.watermark, `watermark after ${progress.elementsIn} elements read`).to.be.greaterThan(Date.UTC(2020, 0, 1));
      } finally {
        result.cancel();
        await result.waitUntilFinish();
      }
    });
  }
});
