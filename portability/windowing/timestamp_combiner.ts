/**
 * Timestamp combiners: which timestamp a grouped output gets (Beam's
 * TimestampCombiner). Each input contributes a timestamp (its own, or the
 * end of its window), and a pane's contributions combine by min, max, or
 * keep the window's end. One rule, used by the grouping logic and by the
 * precombine step of lifted combines.
 */
import type { TimestampCombiner } from "../../sdk/windowing/windowing_strategy";
import { maxTimestampOf, type BoundedWindow } from "../../model/windows";

/** The timestamp an input at `timestamp` in `window` contributes to its pane. */
export function contributedTimestamp(combiner: TimestampCombiner, window: BoundedWindow, timestamp: number): number {
  return combiner === "endOfWindow" ? maxTimestampOf(window) : timestamp;
}

/** Two contributions of one pane, combined. */
export function combineTimestamps(combiner: TimestampCombiner, a: number, b: number): number {
  if (combiner === "earliest") return a < b ? a : b;
  if (combiner === "latest") return a > b ? a : b;
  return b;
}
