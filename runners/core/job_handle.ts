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
} from "../../model/pipeline_result";
import { UserCodeError, RunnerCheckError } from "../../portability/harness/user_code_error";
import { fromProto } from "../../portability/from_proto";
import type { PipelineModel } from "../../portability/pipeline_model";
import type { ExecutionPlan } from "../../portability/plan/execution_plan";
import { NATIVE_COMPOSITES, planExecution } from "./fusion";
import { discardUnpublishedWrites } from "./file_sinks";
import { JobProgress, startProgressReporter } from "./progress";

/** A job's handle, driven by its runner. */
export class JobHandle implements PipelineResult {
  private currentState: PipelineState = "RUNNING";
  private cancelRequested = false;
  private readonly done: Promise<PipelineState>;
  private settle!: (s: PipelineState) => void;
  private fail!: (e: PipelineExecutionError) => void;
  /** Committed metric totals; runners add committed bundles' metrics here. */
  readonly totals: MetricResults = emptyMetrics();
  /** What the runner reports as it goes, for progress displays. */
  readonly progress = new JobProgress();

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
    return new PipelineExecutionError(`${error.message}${suffix}`, {
      transform: error.transform,
      ...(error.elementPreview !== undefined ? { element: error.elementPreview } : {}),
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineExecutionError(`pipeline failed: ${message}${suffix}`, { cause: error });
}

/** Requirement URNs millrace's runners implement. */
const SUPPORTED_REQUIREMENTS = ["beam:requirement:pardo:stateful:v1", "beam:requirement:pardo:splittable_dofn:v1"];

/**
 * Starts a job the way every runner does: returns the handle at once, then
 * (on the next tick) decodes and validates the proto, plans it, and runs
 * `execute`; the job is done when it resolves, failed when anything throws.
 * `nativeComposites` are the composite URNs the runner executes itself
 * (default {@link NATIVE_COMPOSITES}).
 */
export function startJob(
  pipelineProto: Uint8Array,
  context: string,
  execute: (model: PipelineModel, plan: ExecutionPlan, job: JobHandle) => Promise<void>,
  cleanup: () => void = () => undefined,
  jobName = "job",
  nativeComposites: readonly string[] = NATIVE_COMPOSITES,
): JobHandle {
  const job = new JobHandle();
  const reporter = startProgressReporter(jobName, job.progress);
  job.waitUntilFinish().then(
    (state) => reporter.stop(state),
    () => reporter.stop("FAILED"),
  );
  setImmediate(() => {
    let model: PipelineModel | undefined;
    Promise.resolve()
      .then(async () => {
        model = fromProto(pipelineProto, { nativeComposites, supportedRequirements: SUPPORTED_REQUIREMENTS });
        await execute(model, planExecution(model), job);
        // A cancelled job's unfinished files are abandoned, as a failed job's.
        if (job.isCancelRequested) discardUnpublishedWrites(model);
        job.finish();
      })
      .catch((e: unknown) => {
        // A failure never leaves output that looks like (part of) a result.
        if (model) discardUnpublishedWrites(model);
        job.failWith(e, context);
      })
      .finally(cleanup);
  });
  return job;
}
