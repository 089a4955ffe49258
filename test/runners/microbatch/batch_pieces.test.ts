/**
 * The pieces a micro-batch is run with, alone: what its tasks wrote
 * (BatchOutputs) and how a node's task reports fold into what the driver
 * keeps about the node (partitions that did not run keep their state).
 */
import { expect } from "chai";
import { BatchOutputs } from "../../../runners/microbatch/unbounded/batch_outputs";
import { foldNodeTaskReports } from "../../../runners/microbatch/unbounded/node_task_reports";
import type { Segment } from "../../../runners/microbatch/shuffle/shuffle_output";
import type { TaskResult } from "../../../runners/microbatch/task_spec";
import { emptyMetrics } from "../../../model/pipeline_result";

const seg = (name: string): Segment => ({ kind: "file", path: name, records: 1, bytes: 1 });
const names = (segments: Segment[]): string[] => segments.map((s) => (s.kind === "file" ? s.path : "memory"));

function result(hold: number, active: boolean, stateRows: number, elementsIn = 0, elementsOut = 0): TaskResult {
  return { outputs: {}, metrics: emptyMetrics(), elementsIn, elementsOut, batch: { hold, active, stateRows } };
}

describe("micro-batch pieces", () => {
  it("BatchOutputs: tasks' outputs append per partition, in the order the tasks were added", () => {
    const out = new BatchOutputs(3);
    out.add("pc", { grouped: false, partitions: [[seg("a0")], [], [seg("a2")]] });
    out.add("pc", { grouped: false, partitions: [[seg("b0")], [], []] });
    expect(names(out.partition("pc", 0))).to.deep.equal(["a0", "b0"]);
    expect(names(out.partition("pc", 1))).to.deep.equal([]);
    expect(names(out.partition("other", 0)), "nothing written").to.deep.equal([]);
    expect(out.hasInput(["other", "pc"], 2)).to.equal(true);
    expect(out.hasInput(["other", "pc"], 1)).to.equal(false);
    expect(names(out.all("pc"))).to.deep.equal(["a0", "b0", "a2"]);
  });

  it("folds the tasks that ran into the node's partitions; the others keep what they had after the previous batch", () => {
    const before = { inputWatermark: 5, active: [true, true, false], stateRows: [10, 20, 0] };
    const folded = foldNodeTaskReports([result(300, false, 0, 4, 1), result(120, true, 7, 2, 2)], [0, 2], 3, before);
    expect(folded).to.deep.equal({ hold: 120, active: [false, true, true], stateRows: [0, 20, 7], elementsIn: 6, elementsOut: 3 });
  });

  it("a node that ran before nothing starts from empty partitions, and holds nothing when no task ran", () => {
    expect(foldNodeTaskReports([], [], 2, undefined)).to.deep.equal({
      hold: Infinity,
      active: [false, false],
      stateRows: [0, 0],
      elementsIn: 0,
      elementsOut: 0,
    });
  });
});
