/**
 * What progress displays show of a running job's checkpoints (stream
 * runner) and micro-batches (micro-batch runner): part of what a job
 * reports, so every floor, the job API included, may read them.
 */

/** A completed checkpoint of the stream runner, as progress displays show it. */
export interface CheckpointSummary {
  readonly id: number;
  /** From the trigger to the last acknowledgement and the metadata written, ms. */
  readonly durationMs: number;
  /** Bytes of state written for it. */
  readonly sizeBytes: number;
  /** When it completed (epoch ms). */
  readonly completedAt: number;
}

/** A finished micro-batch of the micro-batch runner, as progress displays show it. */
export interface BatchSummary {
  readonly id: number;
  /** Source records the batch read. */
  readonly inputRows: number;
  /** From its start to its commit, ms. */
  readonly processingMs: number;
  /** How late it started after its scheduled time, ms. */
  readonly schedulingDelayMs: number;
  /** Rows held in the state store after it. */
  readonly stateRows: number;
  /** The watermark the batch ran with (ms). */
  readonly watermark: number;
  /** When it was committed (epoch ms). */
  readonly completedAt: number;
}
