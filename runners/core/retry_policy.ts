/**
 * Which failures are worth another attempt, shared by the stream runner's
 * restarts and the micro-batch runner's task attempts.
 *
 * Flink and Spark retry every failure; Beam's direct runner retries none of
 * the user's. Between the two: a failure retries while it can still pass.
 * Infrastructure failures (a worker thread that crashed or exited, an I/O
 * error of the runner, a checkpoint that could not be written, shuffle
 * output that disappeared) are retried up to the configured limit, and so
 * is user code that fails once (a flaky service call). User code that throws
 * the same error on the same element in two attempts in a row is
 * deterministic: replaying the same input can only fail again, so the job
 * fails at once instead of spending the remaining attempts (seconds each on
 * the stream runner) before the user sees the error.
 */
import type { WorkerFailure } from "./worker/worker_failure";

/** Whether to make another attempt, and if not, why not. */
export type RetryDecision =
  { readonly retry: true } | { readonly retry: false; readonly reason: "attempts exhausted" | "deterministic user error" };

/**
 * True when both failures are user code throwing the same error (name and
 * message) in the same transform on the same element: a failure that a
 * replay of the same input will repeat.
 */
export function sameUserCodeFailure(a: WorkerFailure, b: WorkerFailure): boolean {
  if (a.transform === undefined || a.cause === undefined || b.cause === undefined) return false;
  return a.transform === b.transform && a.element === b.element && a.cause.name === b.cause.name && a.cause.message === b.cause.message;
}

/**
 * Decides after a failed attempt.
 *
 * @param attemptsMade attempts made so far, the failed one included (1 after the first).
 * @param maxAttempts attempts allowed in all.
 * @param failure the failure of the attempt that just failed.
 * @param previous the failure of the attempt before it, if that one failed too.
 */
export function decideRetry(
  attemptsMade: number,
  maxAttempts: number,
  failure: WorkerFailure,
  previous: WorkerFailure | undefined,
): RetryDecision {
  if (previous && sameUserCodeFailure(previous, failure)) return { retry: false, reason: "deterministic user error" };
  if (attemptsMade >= maxAttempts) return { retry: false, reason: "attempts exhausted" };
  return { retry: true };
}

/** Why no further attempt was made, when that is not simply the limit: words for the job's error. */
export function whyNotRetried(decision: RetryDecision): string | undefined {
  return !decision.retry && decision.reason === "deterministic user error"
    ? "the same error on the same element twice in a row is not retried further"
    : undefined;
}
