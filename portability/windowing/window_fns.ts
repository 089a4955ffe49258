/**
 * Window functions: which windows an element with a given timestamp is
 * assigned to, and how session windows merge. One implementation, used by
 * the harness (WindowInto), the grouping logic and side inputs on every runner.
 */
import type { WindowFnSpec } from "../../sdk/windowing/windowing_strategy";
import { IN_GLOBAL_WINDOW, type BoundedWindow, type IntervalWindow } from "../../model/windows";

/** The windows `fn` assigns to an element at `timestamp` (sessions: the proto-window `[t, t + gap)`, merged later). */
export function assignWindows(fn: WindowFnSpec, timestamp: number): readonly BoundedWindow[] {
  switch (fn.kind) {
    case "global":
      return IN_GLOBAL_WINDOW;
    case "fixed": {
      const start = timestamp - mod(timestamp - fn.offsetMs, fn.sizeMs);
      return [{ start, end: start + fn.sizeMs }];
    }
    case "sliding": {
      // Every window [s, s + size) with s = offset (mod period) and s <= t < s + size, latest first as in Beam.
      const windows: IntervalWindow[] = [];
      const lastStart = timestamp - mod(timestamp - fn.offsetMs, fn.periodMs);
      for (let start = lastStart; start > timestamp - fn.sizeMs; start -= fn.periodMs) windows.push({ start, end: start + fn.sizeMs });
      return windows;
    }
    case "sessions":
      return [{ start: timestamp, end: timestamp + fn.gapMs }];
  }
}

/**
 * A function giving the windows `fn` assigns to a timestamp, like
 * {@link assignWindows}, that hands back the same array while timestamps
 * stay inside one fixed window: consecutive elements mostly do, so a
 * windowed stream allocates nothing per element there, and code downstream
 * that remembers its last window (a per-window table) finds it by identity.
 * The arrays are shared, as `IN_GLOBAL_WINDOW` is: callers must not change them.
 */
export function windowAssigner(fn: WindowFnSpec): (timestamp: number) => readonly BoundedWindow[] {
  // The span of timestamps that share one set of windows: a fixed window; for sliding windows whose size is a
  // multiple of the period, one period (every timestamp in it is in the same size/period windows).
  let spanMs: number;
  if (fn.kind === "fixed") spanMs = fn.sizeMs;
  else if (fn.kind === "sliding" && fn.sizeMs % fn.periodMs === 0) spanMs = fn.periodMs;
  else return (timestamp) => assignWindows(fn, timestamp);
  const offsetMs = fn.offsetMs;
  let last: readonly BoundedWindow[] = [];
  let spanStart = Infinity;
  let spanEnd = -Infinity;
  return (timestamp) => {
    if (timestamp >= spanStart && timestamp < spanEnd) return last;
    last = assignWindows(fn, timestamp);
    spanStart = timestamp - mod(timestamp - offsetMs, spanMs);
    spanEnd = spanStart + spanMs;
    return last;
  };
}

/** True for window functions whose windows merge (sessions). */
export function isMergingWindowFn(fn: WindowFnSpec): boolean {
  return fn.kind === "sessions";
}

/**
 * Merges overlapping interval windows, as Beam's `MergeOverlappingIntervalWindows`:
 * returns groups of windows that merge, each with the covering window. Windows
 * that merge with nothing form a group of one.
 */
export function mergeOverlapping(windows: readonly IntervalWindow[]): { merged: IntervalWindow; parts: IntervalWindow[] }[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const groups: { merged: IntervalWindow; parts: IntervalWindow[] }[] = [];
  for (const w of sorted) {
    const last = groups[groups.length - 1];
    if (last && w.start < last.merged.end) {
      last.parts.push(w);
      if (w.end > last.merged.end) last.merged = { start: last.merged.start, end: w.end };
    } else {
      groups.push({ merged: { start: w.start, end: w.end }, parts: [w] });
    }
  }
  return groups;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
