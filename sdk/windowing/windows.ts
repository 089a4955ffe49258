/**
 * The window functions: where in event time an element belongs.
 */
import type { WindowFnSpec } from "./windowing_strategy";

function positive(name: string, ms: number): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0 || !Number.isInteger(ms)) {
    throw new RangeError(`${name} must be a whole number of milliseconds > 0, got ${String(ms)}`);
  }
}

function offset(ms: number, within: number): void {
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms >= within) {
    throw new RangeError(`offsetMs must be a whole number in [0, ${within}), got ${String(ms)}`);
  }
}

/**
 * The window functions, for {@link windowInto}.
 *
 * @example
 * ```ts
 * events.apply(mr.windowInto(mr.windows.fixed(60_000)));            // one-minute windows
 * events.apply(mr.windowInto(mr.windows.sliding(60_000, 10_000)));   // one minute, every 10 s
 * events.apply(mr.windowInto(mr.windows.sessions(5 * 60_000)));     // sessions with a 5-minute gap
 * ```
 */
export const windows = {
  /** Everything in one window (the default). */
  global(): WindowFnSpec {
    return { kind: "global" };
  },
  /** Consecutive windows of `sizeMs`, starting at multiples of the size plus `offsetMs`. */
  fixed(sizeMs: number, offsetMs = 0): WindowFnSpec {
    positive("fixed window size", sizeMs);
    offset(offsetMs, sizeMs);
    return { kind: "fixed", sizeMs, offsetMs };
  },
  /** Windows of `sizeMs` starting every `periodMs` (plus `offsetMs`): an element is in `size / period` windows. */
  sliding(sizeMs: number, periodMs: number, offsetMs = 0): WindowFnSpec {
    positive("sliding window size", sizeMs);
    positive("sliding window period", periodMs);
    offset(offsetMs, periodMs);
    return { kind: "sliding", sizeMs, periodMs, offsetMs };
  },
  /** Per-key sessions: elements closer than `gapMs` to each other share a window, which grows as they arrive. */
  sessions(gapMs: number): WindowFnSpec {
    positive("session gap", gapMs);
    return { kind: "sessions", gapMs };
  },
};
