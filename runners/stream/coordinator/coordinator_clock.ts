/**
 * Time as the checkpoint coordinator sees it: injected, so that its tests
 * drive intervals, pauses and timeouts by hand instead of waiting for them
 * (Flink's ManuallyTriggeredScheduledExecutor plays the same part).
 */

/** Reads the time and schedules callbacks. */
export interface CoordinatorClock {
  /** Milliseconds, only differences matter. */
  now(): number;
  /** Runs `fn` once, `delayMs` from now; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

/** The wall clock and Node's timers. */
export const systemClock: CoordinatorClock = {
  now: () => Date.now(),
  schedule: (delayMs, fn) => {
    const t = setTimeout(fn, delayMs);
    return () => clearTimeout(t);
  },
};
