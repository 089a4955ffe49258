/**
 * Pure helpers for the event-time case modules (windowing, triggers, test
 * stream, timestamps, sessions); safe to load on workers.
 *
 * Pane sequences are asserted by mapping every grouped output to a record of
 * its key, value (sorted when it is a group), window, timestamp and pane
 * info, and comparing the records exactly: a wrong pane sequence (a missing,
 * extra or mislabelled pane, a wrong index or content) fails the assertion.
 */
import * as mr from "../../../index";
import { compareValues } from "./helpers";

/** A window as a comparable value: `[start, end]`, or `"global"`. */
export type Win = readonly [number, number] | "global";

/** One grouped output, with everything about when and where it was emitted. */
export interface PaneRecord {
  readonly key: unknown;
  readonly value: unknown;
  readonly window: Win;
  readonly ts: number;
  readonly timing: mr.PaneTiming;
  readonly index: number;
  readonly onTimeIndex: number;
  readonly isFirst: boolean;
  readonly isLast: boolean;
}

/** Maps each KV output (of a GroupByKey or Combine) to its {@link PaneRecord}; group values are sorted. */
export function describePanes<K, V>(pc: mr.PCollection<mr.KV<K, V>>, name = "DescribePanes"): mr.PCollection<PaneRecord> {
  return pc.apply(
    name,
    mr.map(function describePane(e: mr.KV<K, V>, ctx: mr.TransformContext): PaneRecord {
      const w = ctx.window;
      return {
        key: e.key,
        value: Array.isArray(e.value) ? [...(e.value as unknown[])].sort(compareValues) : e.value,
        window: mr.isGlobalWindow(w) ? "global" : [w.start, w.end],
        ts: ctx.timestamp,
        timing: ctx.pane.timing,
        index: ctx.pane.index,
        onTimeIndex: ctx.pane.onTimeIndex,
        isFirst: ctx.pane.isFirst,
        isLast: ctx.pane.isLast,
      };
    }),
  );
}

/**
 * An expected {@link PaneRecord}. `flags` holds "F" for isFirst and "L" for
 * isLast (e.g. "FL" for the only pane of a window, "" for a middle pane).
 */
export function pane(
  key: unknown,
  value: unknown,
  window: Win,
  ts: number,
  timing: mr.PaneTiming,
  index: number,
  onTimeIndex: number,
  flags: "" | "F" | "L" | "FL",
): PaneRecord {
  return { key, value, window, ts, timing, index, onTimeIndex, isFirst: flags.includes("F"), isLast: flags.includes("L") };
}

/** A TestStream item: `value` at event time `timestamp`. */
export function at<T>(value: T, timestamp: number): { value: T; timestamp: number } {
  return { value, timestamp };
}

/** The value of a counter of a finished run (0 when it was never incremented). */
export function counter(result: mr.PipelineResult, name: string): number {
  return result.metrics().counters[name] ?? 0;
}

/** Throws unless `actual === expected`. */
export function expectCount(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

/** The metric counting elements dropped for being later than the allowed lateness. */
export const DROPPED_DUE_TO_LATENESS = "droppedDueToLateness";

/** The global window's max timestamp: the timestamp of grouped outputs in the global window (end of window). */
export const GMAX = mr.GLOBAL_WINDOW_MAX_TIMESTAMP;

/** One minute in ms. */
export const MINUTE = 60_000;

/** The max timestamp of a window (end - 1, or the global window's). */
export function maxTs(w: mr.BoundedWindow): number {
  return mr.isGlobalWindow(w) ? GMAX : (w as mr.IntervalWindow).end - 1;
}

/** A window as a comparable value. */
export function win(w: mr.BoundedWindow): Win {
  return mr.isGlobalWindow(w) ? "global" : [(w as mr.IntervalWindow).start, (w as mr.IntervalWindow).end];
}
