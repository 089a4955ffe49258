/**
 * The handle to a running job, returned at once by `Pipeline.run()`.
 */

/** A job's lifecycle states, as in Beam's Job API. */
export type PipelineState = "RUNNING" | "DONE" | "FAILED" | "CANCELLED";

/** A distribution metric's summary. */
export interface DistributionResult {
  /** Sum of all reported values. */
  readonly sum: number;
  /** How many values were reported. */
  readonly count: number;
  /** Smallest reported value. */
  readonly min: number;
  /** Largest reported value. */
  readonly max: number;
}

/** A gauge metric's latest value and when it was set (ms since the epoch). */
export interface GaugeResult {
  /** The last value set. */
  readonly value: number;
  /** When it was set, in milliseconds since the epoch. */
  readonly timestamp: number;
}

/** All metrics of a job, keyed by metric name, committed values only. */
export interface MetricResults {
  /** Counter totals. */
  readonly counters: Record<string, number>;
  /** Distribution summaries. */
  readonly distributions: Record<string, DistributionResult>;
  /** Latest gauge values. */
  readonly gauges: Record<string, GaugeResult>;
}

/** The handle to a job. */
export interface PipelineResult {
  /** The current state. */
  readonly state: PipelineState;
  /** Resolves with "DONE" (or "CANCELLED") when the job ends; rejects with a {@link PipelineExecutionError} when it fails. */
  waitUntilFinish(): Promise<PipelineState>;
  /** Asks the job to stop; `waitUntilFinish` then resolves with "CANCELLED". */
  cancel(): void;
  /** The metrics committed so far. */
  metrics(): MetricResults;
}

/**
 * Why a job failed. When user code threw, `transform` names the transform,
 * `element` shows the element (truncated) and `cause` is the original error,
 * whose stack is also part of the message.
 */
export class PipelineExecutionError extends Error {
  /** Always `"PipelineExecutionError"`. */
  override readonly name = "PipelineExecutionError";
  /** The unique name of the transform that failed, when known. */
  readonly transform: string | undefined;
  /** A readable, truncated rendering of the element being processed, when known. */
  readonly element: string | undefined;

  /**
   * Runners build these; user code only catches them.
   *
   * @param message what went wrong.
   * @param details the failing transform, the element (already rendered) and the original error, when known.
   */
  constructor(message: string, details: { transform?: string; element?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.transform = details.transform;
    this.element = details.element;
  }
}

/** An empty set of metrics. */
export function emptyMetrics(): MetricResults {
  return { counters: {}, distributions: {}, gauges: {} };
}
