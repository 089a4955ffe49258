/**
 * A failure on a worker thread, as plain data that crosses to the
 * coordinating thread, and back into the error the job fails with: the
 * transform and element of a user-code error survive the trip.
 */
import { PipelineExecutionError } from "../../../model/pipeline_result";
import { RunnerCheckError, UserCodeError } from "../../../portability/harness/user_code_error";

/** A failure as plain data. */
export interface WorkerFailure {
  readonly message: string;
  readonly stack?: string;
  /** The transform that failed, when known. */
  readonly transform?: string;
  /** The element being processed, when known. */
  readonly element?: string;
  /** The original error thrown by user code, when there was one. */
  readonly cause?: { readonly name: string; readonly message: string; readonly stack?: string };
}

function causeOf(e: unknown): WorkerFailure["cause"] {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: "Error", message: String(e) };
}

/** Describes an error thrown on a worker. */
export function workerFailureOf(e: unknown): WorkerFailure {
  const err = e as Error;
  if (e instanceof UserCodeError) {
    return {
      message: err.message,
      ...(err.stack ? { stack: err.stack } : {}),
      transform: e.transform,
      ...(e.elementPreview ? { element: e.elementPreview } : {}),
      cause: causeOf(e.cause),
    };
  }
  if (e instanceof RunnerCheckError) {
    return {
      message: err.message,
      ...(err.stack ? { stack: err.stack } : {}),
      transform: e.transform,
      ...(e.elementPreview ? { element: e.elementPreview } : {}),
    };
  }
  return { message: err?.message ?? String(e), ...(err?.stack ? { stack: err.stack } : {}) };
}

/** The error a job fails with, `where` telling what failed (e.g. "subtask 2 of stage3 failed 3 time(s)"). */
export function errorOfWorkerFailure(where: string, failure: WorkerFailure): PipelineExecutionError {
  return new PipelineExecutionError(`${where}: ${failure.message}`, {
    ...(failure.transform ? { transform: failure.transform } : {}),
    ...(failure.element ? { element: failure.element } : {}),
    cause: failure.cause
      ? Object.assign(new Error(failure.cause.message), { name: failure.cause.name, stack: failure.cause.stack })
      : Object.assign(new Error(failure.message), { stack: failure.stack }),
  });
}
