/**
 * Which windowing strategies the single-pane fast path
 * (`single_pane_reduce_runner.ts`) runs exactly as the general
 * ReduceFnRunner would: those where each (key, window) has one pane, fired
 * when the watermark passes the end of the window, and nothing else can
 * happen to it. Everything else keeps the general runner.
 *
 * - non-merging windows (fixed, sliding, global): sessions merge;
 * - the default trigger, or AfterWatermark without early or late firings:
 *   with no allowed lateness they cannot fire before the watermark passes the
 *   end of the window, which is also when the window is garbage-collected;
 * - no allowed lateness: with some, late panes follow the on-time one;
 * - end-of-window or earliest timestamps: their holds only go down while a
 *   window is open, so one minimum per window is the exact output hold
 *   (latest holds go up; the general runner indexes them per slot).
 *
 * `MILLRACE_WINDOW_FAST_PATH=false` in the environment forces the general
 * runner everywhere (worker threads inherit it), for A/B benchmarks and for
 * ruling the fast path out when chasing a problem.
 */
import type { TriggerSpec, WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { isMergingWindowFn } from "../../../portability/windowing/window_fns";

/** The environment variable that turns the fast path off when set to `false` (or `0`). */
export const WINDOW_FAST_PATH_ENV = "MILLRACE_WINDOW_FAST_PATH";

/** Why `windowing` needs the general ReduceFnRunner, or undefined when the single-pane fast path fits it. */
export function singlePaneMismatch(windowing: WindowingStrategy): string | undefined {
  if (isMergingWindowFn(windowing.windowFn)) return "merging windows";
  if (!firesOnlyAtEndOfWindow(windowing.trigger)) return `trigger ${windowing.trigger.kind}`;
  if (windowing.allowedLatenessMs !== 0) return "allowed lateness";
  if (windowing.timestampCombiner === "latest") return "latest timestamp combiner";
  return undefined;
}

/** True for the triggers that, without allowed lateness, fire once, when the watermark passes the end of the window (shared with `session_eligibility.ts`). */
export function firesOnlyAtEndOfWindow(t: TriggerSpec): boolean {
  return t.kind === "default" || (t.kind === "afterWatermark" && t.early === undefined && t.late === undefined);
}

/** False when the environment turns the fast path off. */
export function windowFastPathEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[WINDOW_FAST_PATH_ENV]?.trim().toLowerCase();
  return !(v === "false" || v === "0");
}
