/**
 * The {@link PipelineResult} every runner returns: state, completion,
 * cancellation and committed metrics. Runners drive it; users read it.
 */
import {
  PipelineExecutionError,
  emptyMetrics,
  type MetricResults,
  type PipelineResult,
  type PipelineState,
} from "../../sdk/pipeline_result";
import { UserCodeError, RunnerCheckError } from "../../portability/harness/user_code_error";

/** A job's handle, driven by its runner. */
export class JobHandle implements PipelineResult {
  private currentState: PipelineState = "RUNNING";
  private cancelRequested = false;
  private readonly done: Promise<PipelineState>;
  private settle!: (s: PipelineState) => void;
  private fail!: (e: PipelineExecutionError) => void;
  /** Committed metric totals; runners add committed bundles' metrics here. */
  readonly totals: MetricResults = emptyMetrics();

  constructor() {
    this.done = new Promise<PipelineState>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // A job nobody awaits must not crash the process with an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get state(): PipelineState {
    return this.currentState;
  }

  /** True once `cancel()` was called; runners poll it between bundles. */
  get isCancelRequested(): boolean {
    return this.cancelRequested;
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.done;
  }

  cancel(): void {
    if (this.currentState === "RUNNING") this.cancelRequested = true;
  }

  metrics(): MetricResults {
    return structuredClone(this.totals);
  }

  /** The runner finished the job (normally, or after a cancel request). */
  finish(): void {
    if (this.currentState !== "RUNNING") return;
    this.currentState = this.cancelRequested ? "CANCELLED" : "DONE";
    this.settle(this.currentState);
  }

  /** The runner failed: the error is reported with the failing transform and element when known. */
  failWith(error: unknown, context = ""): void {
    if (this.currentState !== "RUNNING") return;
    this.currentState = "FAILED";
    this.fail(toExecutionError(error, context));
  }
}

/** Wraps any failure as a {@link PipelineExecutionError}. */
export function toExecutionError(error: unknown, context = ""): PipelineExecutionError {
  if (error instanceof PipelineExecutionError) return error;
  const suffix = context ? `\n(${context})` : "";
  if (error instanceof UserCodeError) {
    return new PipelineExecutionError(`${error.message}${suffix}`, {
      transform: error.transform,
      ...(error.elementPreview !== undefined ? { element: error.elementPreview } : {}),
      cause: error.cause,
    });
  }
  if (error instanceof RunnerCheckError) {
    return new PipelineExecutionError(`${error.message}${suffix}`, { transform: error.transform, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineExecutionError(`pipeline failed: ${message}${suffix}`, { cause: error });
}
