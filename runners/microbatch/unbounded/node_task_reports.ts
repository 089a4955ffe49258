/**
 * Folds the reports of a node's tasks in one micro-batch into what the
 * driver keeps about the node: per partition whether it still holds state
 * time could fire and how many state rows it has (partitions that did not
 * run keep what they had), the lowest hold, and the element counts.
 */
import type { TaskResult } from "../task_spec";
import type { BatchTaskReport } from "./batch_task_spec";
import type { NodeAfterBatch } from "./batch_commit";

/** A node's tasks of one batch, folded. */
export interface NodeTaskReports {
  /** The lowest hold of the partitions that ran; Infinity when none holds anything. */
  readonly hold: number;
  readonly active: boolean[];
  readonly stateRows: number[];
  readonly elementsIn: number;
  readonly elementsOut: number;
}

/**
 * @param partitionsRun the partition each result belongs to, in the same order as `results`.
 * @param before what the node had after the previous batch, if it ran before.
 */
export function foldNodeTaskReports(
  results: readonly TaskResult[],
  partitionsRun: readonly number[],
  partitions: number,
  before: NodeAfterBatch | undefined,
): NodeTaskReports {
  let hold = Infinity;
  let elementsIn = 0;
  let elementsOut = 0;
  const active = [...(before?.active ?? new Array<boolean>(partitions).fill(false))];
  const stateRows = [...(before?.stateRows ?? new Array<number>(partitions).fill(0))];
  results.forEach((r, i) => {
    const report = r.batch as BatchTaskReport;
    hold = Math.min(hold, report.hold);
    active[partitionsRun[i]!] = report.active;
    stateRows[partitionsRun[i]!] = report.stateRows;
    elementsIn += r.elementsIn;
    elementsOut += r.elementsOut;
  });
  return { hold, active, stateRows, elementsIn, elementsOut };
}
