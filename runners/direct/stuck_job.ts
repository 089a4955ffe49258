/**
 * When the direct runner is done, and why it cannot go on when it is not:
 * a job ends when no node has work queued or elements waiting and every
 * watermark reached the end of time; otherwise, with no work and no time
 * left to move, the job is stuck and the error names what holds it.
 */
import { stageRootCollection } from "../../portability/harness/stage_executor";
import { nodeName, type ExecNode } from "./direct_nodes";

/** True when every node finished: nothing queued or waiting, every output watermark at the end of time. */
export function allFinished(nodes: readonly ExecNode[]): boolean {
  for (const n of nodes) {
    if (n.pending.length > 0 || n.outputWatermark !== Infinity) return false;
    if (n.kind === "stage" && n.pushback.size > 0) return false;
  }
  return true;
}

/** What holds a stuck job: stages waiting for side inputs, and nodes whose watermark has not reached the end of time. */
export function describeStuck(nodes: readonly ExecNode[]): string {
  const waiting = nodes.flatMap((n) =>
    n.kind === "stage" && n.pushback.size > 0 ? [`${n.stage.id} waits for side inputs ${n.stage.sideInputs.join(", ")}`] : [],
  );
  const held = nodes
    .filter((n) => n.outputWatermark !== Infinity)
    .map((n) => `${nodeName(n, stageRootCollection)} at watermark ${n.outputWatermark}`);
  return [...waiting, ...held].join("; ") || "no work and no time left";
}
