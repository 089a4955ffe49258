/**
 * The checkpoint coordinator of one attempt (Flink's CheckpointCoordinator):
 * triggers checkpoints at the sources, every `intervalMs` but never sooner
 * than `minPauseMs` after the previous one completed, collects every
 * subtask's acknowledgement, has the checkpoint persisted, then notifies the
 * subtasks that it is complete (sinks commit everything up to it). A
 * checkpoint that a subtask declines, or that is not complete within
 * `timeoutMs`, is aborted; the next one subsumes it (sinks commit up to the
 * newest complete id). The final checkpoint, requested once every subtask
 * finished, is triggered as soon as no other is pending, and again after an
 * abort, and its completion lets the job stop. A commit checkpoint,
 * requested when the only thing left is files waiting to be committed (a
 * sink that emits their names holds its stage until then), is triggered at
 * once, or right after the pending one (whose barrier may have passed the
 * sink before its last file).
 *
 * One checkpoint is pending at a time. The coordinator owns no thread, timer
 * or storage: time comes from an injected clock and the rest from
 * {@link CheckpointCoordinatorEnv}, so it is unit tested alone.
 */
import { addMetricResults } from "../../../portability/harness/metrics_container";
import { emptyMetrics, type MetricResults } from "../../../model/pipeline_result";
import type { CoordinatorClock } from "./coordinator_clock";

/** When and how checkpoints are taken. */
export interface CheckpointCoordinatorConfig {
  /** Tasks of the job graph: each acknowledges once per subtask. */
  readonly vertices: number;
  readonly parallelism: number;
  /** Periodic checkpoints this often; 0: only the final one. */
  readonly intervalMs: number;
  /** At least this long from a completion to the next periodic trigger. */
  readonly minPauseMs: number;
  /** A checkpoint not complete this long after its trigger is aborted. */
  readonly timeoutMs: number;
  /** The id of the first checkpoint (ids go on from a restored one). */
  readonly firstId: number;
}

/** A checkpoint every subtask acknowledged. */
export interface AcknowledgedCheckpoint {
  readonly id: number;
  readonly final: boolean;
  /** Per vertex, per subtask: the snapshot bytes. */
  readonly state: Uint8Array[][];
  /** User metrics the subtasks committed with it. */
  readonly metrics: MetricResults;
  /** From trigger to the last acknowledgement, or to persisted in {@link CheckpointCoordinatorEnv.notifyComplete}. */
  readonly durationMs: number;
}

/** What the coordinator does to the outside world. */
export interface CheckpointCoordinatorEnv<Persisted> {
  readonly clock: CoordinatorClock;
  /** Asks the sources to start checkpoint `id` (`final`: the one that ends a bounded job). */
  triggerTasks(id: number, final: boolean): void;
  /** Writes a fully acknowledged checkpoint. */
  persist(checkpoint: AcknowledgedCheckpoint): Promise<Persisted>;
  /** The checkpoint is written: tell the subtasks (their sinks commit up to it). */
  notifyComplete(checkpoint: AcknowledgedCheckpoint, persisted: Persisted): void;
  /** The final checkpoint is complete: the job may stop. */
  onFinalComplete(): void;
  /** The checkpoint was aborted: declined or timed out. */
  onAborted(id: number, reason: string): void;
  /** The checkpoint could not be written: the attempt fails. */
  onPersistFailed(id: number, error: Error): void;
}

/** What became of an acknowledgement. */
export type AckOutcome = "pending" | "acknowledged by all" | "ignored";

interface PendingCheckpoint {
  readonly id: number;
  readonly final: boolean;
  readonly triggeredAt: number;
  readonly state: (Uint8Array | undefined)[][];
  readonly metrics: MetricResults;
  acks: number;
  /** Every subtask acknowledged; being written. */
  persisting: boolean;
  cancelTimeout: () => void;
}

/** Coordinates the checkpoints of one attempt. */
export class CheckpointCoordinator<Persisted> {
  private nextId: number;
  private pending: PendingCheckpoint | undefined;
  private lastCompletedAt = -Infinity;
  private lastCompletedId: number | undefined;
  private finalRequested = false;
  /** A commit was requested: a checkpoint with this id or a later one must complete. */
  private commitOwedFrom: number | undefined;
  private finalDone = false;
  /** No new trigger (the job is stopping). */
  private triggering = true;
  /** Nothing more happens (the attempt ended). */
  private shutDown = false;
  private cancelPeriodic: (() => void) | undefined;

  constructor(
    private readonly config: CheckpointCoordinatorConfig,
    private readonly env: CheckpointCoordinatorEnv<Persisted>,
  ) {
    this.nextId = config.firstId;
  }

  /** The id of the checkpoint being collected, if any. */
  get pendingId(): number | undefined {
    return this.pending?.id;
  }

  /** The id of the newest completed checkpoint of this attempt. */
  get latestCompletedId(): number | undefined {
    return this.lastCompletedId;
  }

  /** True once the final checkpoint completed. */
  get finalCheckpointDone(): boolean {
    return this.finalDone;
  }

  /** Starts periodic checkpoints (the subtasks are running). */
  startPeriodic(): void {
    if (this.config.intervalMs <= 0 || this.cancelPeriodic || this.shutDown) return;
    const tick = (): void => {
      this.cancelPeriodic = this.env.clock.schedule(this.config.intervalMs, tick);
      this.triggerPeriodic();
    };
    this.cancelPeriodic = this.env.clock.schedule(this.config.intervalMs, tick);
  }

  /**
   * Triggers a periodic checkpoint unless one is pending, the minimum pause
   * since the last completion has not passed, or the job is stopping.
   *
   * @returns the id triggered, or undefined.
   */
  triggerPeriodic(): number | undefined {
    if (this.now() - this.lastCompletedAt < this.config.minPauseMs) return undefined;
    return this.trigger(false);
  }

  /** Every subtask finished: the final checkpoint, now or once the pending one is over. */
  requestFinal(): void {
    if (this.finalRequested || this.finalDone) return;
    this.finalRequested = true;
    this.trigger(true);
  }

  /**
   * Only files waiting for a checkpoint keep the subtasks from finishing: a
   * checkpoint now, or right after the pending one (triggered before the
   * request, it may not hold them). Nothing when one is already owed.
   */
  requestCommit(): void {
    if (this.commitOwedFrom !== undefined || this.finalDone) return;
    if (this.pending) this.commitOwedFrom = this.pending.id + 1;
    else this.commitOwedFrom = this.trigger(false);
  }

  /** Subtask `subtask` of vertex `vertex` snapshotted checkpoint `id`. */
  acknowledge(id: number, vertex: number, subtask: number, state: Uint8Array, metrics: MetricResults): AckOutcome {
    const c = this.pending;
    // Acks of an aborted or subsumed checkpoint, or of the wrong shape, do not count.
    if (this.shutDown || !c || c.id !== id || c.persisting) return "ignored";
    const row = c.state[vertex];
    if (!row || subtask < 0 || subtask >= row.length || row[subtask] !== undefined) return "ignored";
    row[subtask] = state;
    addMetricResults(c.metrics, metrics);
    if (++c.acks < this.config.vertices * this.config.parallelism) return "pending";
    c.persisting = true;
    c.cancelTimeout();
    const acknowledged: AcknowledgedCheckpoint = {
      id: c.id,
      final: c.final,
      state: c.state as Uint8Array[][],
      metrics: c.metrics,
      durationMs: this.now() - c.triggeredAt,
    };
    this.env.persist(acknowledged).then(
      (persisted) => this.completed(c, acknowledged, persisted),
      (e: unknown) => {
        if (!this.shutDown) this.env.onPersistFailed(c.id, e instanceof Error ? e : new Error(String(e)));
      },
    );
    return "acknowledged by all";
  }

  /** A subtask cannot take checkpoint `id`: it is aborted. */
  decline(id: number, reason: string): boolean {
    const c = this.pending;
    if (this.shutDown || !c || c.id !== id || c.persisting) return false;
    this.abort(c, `declined: ${reason}`);
    return true;
  }

  /** No more triggers (the job is stopping); a pending checkpoint may still complete. */
  stopTriggering(): void {
    this.triggering = false;
    this.cancelPeriodic?.();
  }

  /** The attempt ended: cancels every timer and ignores whatever arrives later. */
  shutdown(): void {
    this.stopTriggering();
    this.shutDown = true;
    this.pending?.cancelTimeout();
  }

  private now(): number {
    return this.env.clock.now();
  }

  private trigger(final: boolean): number | undefined {
    if (this.pending || !this.triggering || this.shutDown) return undefined;
    const id = this.nextId++;
    const c: PendingCheckpoint = {
      id,
      final,
      triggeredAt: this.now(),
      state: Array.from({ length: this.config.vertices }, () => new Array<Uint8Array | undefined>(this.config.parallelism).fill(undefined)),
      metrics: emptyMetrics(),
      acks: 0,
      persisting: false,
      cancelTimeout: () => undefined,
    };
    this.pending = c;
    c.cancelTimeout = this.env.clock.schedule(this.config.timeoutMs, () => {
      if (this.pending === c && !c.persisting) this.abort(c, `not complete within ${this.config.timeoutMs} ms`);
    });
    this.env.triggerTasks(id, final);
    return id;
  }

  private abort(c: PendingCheckpoint, reason: string): void {
    c.cancelTimeout();
    this.pending = undefined;
    this.env.onAborted(c.id, reason);
    // The final checkpoint is still owed: the next one is final.
    if (this.finalRequested && !this.finalDone) this.trigger(true);
    else if (this.commitOwedFrom !== undefined) this.commitOwedFrom = this.trigger(false);
  }

  private completed(c: PendingCheckpoint, acknowledged: AcknowledgedCheckpoint, persisted: Persisted): void {
    if (this.shutDown) return;
    this.pending = undefined;
    this.lastCompletedAt = this.now();
    this.lastCompletedId = c.id;
    if (this.commitOwedFrom !== undefined && c.id >= this.commitOwedFrom) this.commitOwedFrom = undefined;
    this.env.notifyComplete({ ...acknowledged, durationMs: this.lastCompletedAt - c.triggeredAt }, persisted);
    if (c.final) {
      this.finalDone = true;
      this.env.onFinalComplete();
    } else if (this.finalRequested) {
      this.trigger(true);
    } else if (this.commitOwedFrom !== undefined) {
      this.commitOwedFrom = this.trigger(false);
    }
  }
}
