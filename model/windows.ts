/**
 * Window values: the "where" of an element in event time.
 */
import { GLOBAL_WINDOW_MAX_TIMESTAMP } from "./time";

/** The single window of the global windowing strategy. */
export interface GlobalWindow {
  /** Tells the global window apart from interval windows. */
  readonly kind: "global";
}

/** A half-open interval `[start, end)` of event time, in milliseconds. */
export interface IntervalWindow {
  /** First millisecond in the window (inclusive). */
  readonly start: number;
  /** First millisecond after the window (exclusive). */
  readonly end: number;
}

/** Either kind of window an element can be in. */
export type BoundedWindow = GlobalWindow | IntervalWindow;

/** The global window, shared: compare with `===` or {@link isGlobalWindow}. */
export const GLOBAL_WINDOW: GlobalWindow = Object.freeze({ kind: "global" as const });

/** The `[GLOBAL_WINDOW]` array most elements carry; shared to avoid an allocation per element. */
export const IN_GLOBAL_WINDOW: readonly BoundedWindow[] = Object.freeze([GLOBAL_WINDOW]);

/** True for the global window. */
export function isGlobalWindow(w: BoundedWindow): w is GlobalWindow {
  return (w as GlobalWindow).kind === "global";
}

/** Builds an interval window `[start, end)`. */
export function intervalWindow(start: number, end: number): IntervalWindow {
  return { start, end };
}

/** The largest timestamp inside a window: `end - 1` for intervals. */
export function maxTimestampOf(w: BoundedWindow): number {
  return isGlobalWindow(w) ? GLOBAL_WINDOW_MAX_TIMESTAMP : w.end - 1;
}

/** Structural equality of two windows. */
export function windowsEqual(a: BoundedWindow, b: BoundedWindow): boolean {
  if (a === b) return true;
  if (isGlobalWindow(a) || isGlobalWindow(b)) return isGlobalWindow(a) && isGlobalWindow(b);
  return a.start === b.start && a.end === b.end;
}

/** A readable form for messages and map keys: `global` or `[start, end)`. */
export function windowToString(w: BoundedWindow): string {
  return isGlobalWindow(w) ? "global" : `[${w.start}, ${w.end})`;
}

/** A key identifying a window, for grouping elements (side inputs, state) by window. */
export function windowKey(w: BoundedWindow): string {
  return isGlobalWindow(w) ? "g" : windowToString(w);
}

/**
 * When a window's state may be dropped: the end of the window plus the
 * allowed lateness, capped at the end of the global window (Beam's
 * `LateDataUtils.garbageCollectionTime`).
 */
export function garbageCollectionTime(window: BoundedWindow, allowedLatenessMs: number): number {
  const eow = maxTimestampOf(window);
  if (GLOBAL_WINDOW_MAX_TIMESTAMP - allowedLatenessMs < eow) return GLOBAL_WINDOW_MAX_TIMESTAMP;
  return eow + allowedLatenessMs;
}
