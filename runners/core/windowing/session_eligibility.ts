/**
 * Which windowing strategies the session-window fast path
 * (`session_reduce_runner.ts`) runs exactly as the general ReduceFnRunner
 * would: the single-pane ones (see `single_pane_eligibility.ts` for why each
 * condition), but with merging (session) windows. Each session then emits
 * one pane, when the watermark passes its end; merging only moves state
 * between sessions of one key.
 *
 * - session windows (the merging window fn);
 * - the default trigger, or AfterWatermark without early or late firings;
 * - no allowed lateness;
 * - end-of-window or earliest timestamps (latest holds rise as sessions grow
 *   to the right, which the general runner handles per slot; not worth a path).
 *
 * The same `MILLRACE_WINDOW_FAST_PATH=false` switch turns this path off too.
 */
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { isMergingWindowFn } from "../../../portability/windowing/window_fns";
import { firesOnlyAtEndOfWindow } from "./single_pane_eligibility";

/** Why `windowing` needs the general ReduceFnRunner rather than the session fast path, or undefined when the fast path fits it. */
export function sessionMismatch(windowing: WindowingStrategy): string | undefined {
  if (!isMergingWindowFn(windowing.windowFn)) return "windows that do not merge";
  if (!firesOnlyAtEndOfWindow(windowing.trigger)) return `trigger ${windowing.trigger.kind}`;
  if (windowing.allowedLatenessMs !== 0) return "allowed lateness";
  if (windowing.timestampCombiner === "latest") return "latest timestamp combiner";
  return undefined;
}
