/**
 * Which subtasks can ever see data. An Impulse or a TestStream is read by
 * subtask 0 only, and a small Create leaves some splits empty; a subtask fed
 * only (by forward edges) from such empty subtasks is empty too. Channels
 * from empty subtasks are not created, so they never hold a consumer's
 * watermark back: a TestStream's watermark reaches its consumers exactly as
 * it was scripted, whatever the parallelism, instead of racing the "end of
 * input" of its idle splits (Flink marks such inputs idle).
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { createCount } from "../../portability/harness/create_source";
import type { JobGraph } from "./job_graph";
import { createSplit } from "./worker/source_readers";

/** `active[vertex][subtask]`: true when the subtask may receive or produce records. */
export function activeSubtasks(model: PipelineModel, userCode: UserCodeSource, graph: JobGraph, parallelism: number): boolean[][] {
  const active: boolean[][] = [];
  for (const v of graph.vertices) {
    const row: boolean[] = [];
    for (let i = 0; i < parallelism; i++) {
      if (v.kind === "stage" && v.stage.root.kind !== "pcollection") {
        row.push(sourceSplitActive(model, userCode, v.stage.root, i, parallelism));
        continue;
      }
      let any = false;
      for (const e of v.inputs) {
        const from = active[e.from]!;
        if (e.partitioning === "forward" ? from[i] : from.some((x) => x)) any = true;
      }
      row.push(any);
    }
    active.push(row);
  }
  return active;
}

function sourceSplitActive(
  model: PipelineModel,
  userCode: UserCodeSource,
  root: { kind: "impulse" | "create" | "testStream" | "splittable"; transformId: string },
  i: number,
  p: number,
): boolean {
  switch (root.kind) {
    case "impulse":
    case "testStream":
      return i === 0;
    case "splittable":
      // Every subtask takes a share of the initial restrictions (a share may be empty: it then ends at once).
      return true;
    case "create": {
      const { from, to } = createSplit(createCount(model, root.transformId, userCode), i, p);
      return to > from;
    }
  }
}
