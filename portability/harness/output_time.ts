/**
 * Output timestamps of grouped results (Beam's TimestampCombiner): the end
 * of the window, or the earliest or latest input timestamp of the pane.
 */
import { OutputTime } from "../proto/messages";
import { maxTimestampOf, type BoundedWindow } from "../../sdk/values/windows";

/** The timestamp one input contributes to its group's output timestamp. */
export function contributedTimestamp(outputTime: number, window: BoundedWindow, timestamp: number): number {
  return outputTime === OutputTime.EARLIEST_IN_PANE || outputTime === OutputTime.LATEST_IN_PANE ? timestamp : maxTimestampOf(window);
}

/** Combines two contributed timestamps of one group. */
export function combineTimestamps(outputTime: number, a: number, b: number): number {
  if (outputTime === OutputTime.EARLIEST_IN_PANE) return a < b ? a : b;
  if (outputTime === OutputTime.LATEST_IN_PANE) return a > b ? a : b;
  return a;
}
