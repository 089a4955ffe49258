/**
 * What the driver sends an executor for one task, and what comes back.
 * Plain data: it crosses to worker threads by structured clone.
 */
import type { Segment, ShuffleOutput } from "./shuffle/shuffle_output";
import type { WorkerFailure } from "../core/worker/worker_failure";
import type { Partitioner } from "./partitioning";
import type { MetricResults } from "../../model/pipeline_result";
import type { BatchTaskReport, BatchTaskSpec } from "./unbounded/batch_task_spec";

/** One task: a node of the plan (a fused stage or a shuffle) on one partition. */
export interface TaskSpec {
  readonly jobId: string;
  /** A fused stage's id, or a shuffle node's transform id. */
  readonly nodeId: string;
  /** A fused stage, a shuffle, or "prepare": only load the job's code (so a pipeline that cannot be shipped fails before any work). */
  readonly nodeKind: "stage" | "shuffle" | "prepare";
  readonly partition: number;
  /** Partitions of every shuffle this task writes. */
  readonly partitions: number;
  readonly attempt: number;
  /**
   * For stages rooted at a Create or a bounded sequence: the index range this
   * task emits. For a splittable DoFn's stage: `[i, i + 1)`, the task reads
   * the pieces of initial work whose index is `i` modulo `partitions`.
   */
  readonly sourceRange?: { readonly from: number; readonly to: number };
  /** The segments of this task's partition of each input PCollection. */
  readonly inputs: Readonly<Record<string, readonly Segment[]>>;
  /** Every segment of each side input PCollection. */
  readonly sideInputs: Readonly<Record<string, readonly Segment[]>>;
  /** The materialized PCollections this task writes, and how each is partitioned. */
  readonly outputs: Readonly<Record<string, Partitioner>>;
  /** Shuffle memory before sorted runs spill to disk. */
  readonly memoryBudgetBytes: number;
  /** Where this task may spill. */
  readonly spillDir: string;
  /** Set for a task of a micro-batch (unbounded input): its times, state and source slice. */
  readonly batch?: BatchTaskSpec;
}

/** A task's result. */
export interface TaskResult {
  /** What the task wrote, per materialized PCollection. */
  readonly outputs: Record<string, ShuffleOutput>;
  /** Metrics reported by the task (committed by the driver only when the task succeeded). */
  readonly metrics: MetricResults;
  /** Elements the task's node read, and elements it emitted at the end of the pipeline (the node's counts in progress). */
  readonly elementsIn: number;
  readonly elementsOut: number;
  /** Records the pipeline's sources read and elements that reached its sinks in this task (the job's "in" and "out", see core/edge_counting). */
  readonly recordsIn?: number;
  readonly recordsOut?: number;
  /** For a task of a micro-batch: its watermark hold and state. */
  readonly batch?: BatchTaskReport;
}

/** A task's failure, as the executor reports it. */
export type TaskFailure = WorkerFailure;
