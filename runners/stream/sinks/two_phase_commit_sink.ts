/**
 * What a stage subtask asks of its two-phase-commit sinks (files, Kafka):
 * pre-commit at a barrier (the result goes into the snapshot), commit when
 * the checkpoint completes, and on restore take back what a snapshot held.
 */
export interface TwoPhaseCommitSink {
  /** At the barrier of checkpoint `checkpointId`: close what is open as pending; returns the sink's part of the snapshot. */
  preCommit(checkpointId: number): unknown;
  /** Restoring a completed checkpoint: what {@link preCommit} returned for it. */
  restore(state: unknown): void;
  /** True when something waits for checkpoint `checkpointId` or an earlier one (or output waits to be emitted). */
  hasCommittable(checkpointId: number): boolean;
  /** Checkpoint `checkpointId` completed: publish what was pending up to it. Called inside a bundle of the sink's stage. */
  commitUpTo(checkpointId: number): void;
  /** The job started: emit what a restore published. Called inside a bundle of the sink's stage. */
  announceRestored(): void;
  /** How far the sink holds its stage's output watermark (Infinity: not at all). */
  watermarkHold(): number;
  /** True when output waits for a checkpoint. */
  readonly hasUncommitted: boolean;
  teardown(): void;
}
