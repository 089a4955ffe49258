/**
 * `io.kafka.write` on the stream runner: Flink's KafkaSink. With
 * `"exactly-once"`, each subtask writes the records between two barriers in
 * one Kafka transaction; at the barrier it flushes them (pre-commit) and
 * records the transaction (id, producer id, epoch) in its snapshot; when
 * the checkpoint completes it commits the transaction (EndTxn). After a
 * failure, restoring a checkpoint commits the transactions it recorded
 * (a repeated commit is harmless) and aborts what later attempts left open.
 *
 * Transactional ids are `<prefix>-<subtask>-<sequence>`; the sequence grows
 * by one per transaction begun and its next value is in the snapshot, so
 * the ids a failed attempt used are the ones from the restored sequence on,
 * without gaps, and {@link abortLingering} finds them all.
 *
 * `"at-least-once"` flushes at the barrier (every record before it is
 * acknowledged before the checkpoint can complete) and keeps its producer
 * for the whole run; records leave as they come, not at the barrier, so
 * their latency does not wait for checkpoints. `"none"` only sends.
 */
import type { Operator } from "../../../portability/harness/operators";
import type { KafkaSinkPayload } from "../../../sdk/io/kafka/kafka_sink_payload";
import type { KafkaProducerRecord } from "../../../sdk/io/kafka/write_kafka";
import { BlockingKafka } from "../../../sdk/io/kafka/blocking_kafka";
import type { TransactionHandle } from "../../../sdk/io/kafka/transaction_coordinator";
import { wrapUserError } from "../../../portability/harness/user_code_error";
import { abortLingering, commitRecorded } from "../../core/kafka_sinks";
import type { TwoPhaseCommitSink } from "./two_phase_commit_sink";

/** A transaction pre-committed at a checkpoint, waiting for it to complete. */
interface PendingTransaction {
  readonly checkpointId: number;
  readonly handle: TransactionHandle;
}

/** What the sink keeps in a checkpoint. */
interface KafkaSinkSnapshot {
  readonly kind: "kafka";
  /** The sequence number of the next transaction. */
  readonly nextSequence: number;
  readonly pending: readonly PendingTransaction[];
}

const RECORDS_PER_SEND = 500;

/** One subtask's Kafka sink. */
export class TwoPhaseKafkaSink implements Operator, TwoPhaseCommitSink {
  private readonly kafka = BlockingKafka.shared();
  private producer: number | undefined;
  private batch: KafkaProducerRecord[] = [];
  private nextSequence = 0;
  private pending: PendingTransaction[] = [];
  /** Whether earlier attempts' open transactions were aborted (before the first transaction of this one). */
  private cleaned = false;

  constructor(
    readonly transform: string,
    private readonly sink: KafkaSinkPayload,
    private readonly subtask: number,
  ) {}

  setup(): void {}
  startBundle(): void {}
  finishBundle(): void {
    this.sendBatch();
  }
  teardown(): void {
    if (this.producer !== undefined) this.kafka.closeProducer(this.producer);
    this.producer = undefined;
  }

  receive(record: unknown): void {
    if (this.producer === undefined) this.open();
    this.batch.push(record as KafkaProducerRecord);
    if (this.batch.length >= RECORDS_PER_SEND) this.sendBatch();
  }

  private get exactlyOnce(): boolean {
    return this.sink.deliveryGuarantee === "exactly-once";
  }

  private transactionalId(sequence: number): string {
    return `${this.sink.transactionalIdPrefix}-${this.subtask}-${sequence}`;
  }

  private open(): void {
    this.named("opening a Kafka producer", () => {
      if (this.exactlyOnce && !this.cleaned) {
        abortLingering(this.kafka, this.sink, (n) => this.transactionalId(n), this.nextSequence);
        this.cleaned = true;
      }
      this.producer = this.kafka.openProducer({
        bootstrap: this.sink.bootstrapServers,
        clientId: `millrace-${this.transform}-${this.subtask}`,
        transform: this.transform,
        guarantee: this.sink.deliveryGuarantee,
        ...(this.exactlyOnce
          ? { transactionalId: this.transactionalId(this.nextSequence++), transactionTimeoutMs: this.sink.transactionTimeoutMs }
          : {}),
      });
    });
  }

  private sendBatch(): void {
    if (this.producer === undefined || this.batch.length === 0) return;
    this.kafka.send(this.producer, this.batch);
    this.batch = [];
  }

  /** Failures name this transform, as on every runner. */
  private named<T>(phase: string, op: () => T): T {
    try {
      return op();
    } catch (e) {
      wrapUserError(e, this.transform, phase);
    }
  }

  watermarkHold(): number {
    return Infinity;
  }

  get hasUncommitted(): boolean {
    return false;
  }

  /**
   * At the barrier: exactly once, flushes the records so far and records
   * their transaction for the snapshot (the next records go to a new one);
   * at least once, waits until every record so far is acknowledged, keeping
   * the producer for the next checkpoint; `"none"` waits for nothing.
   */
  preCommit(checkpointId: number): KafkaSinkSnapshot {
    return this.named(`the pre-commit of checkpoint ${checkpointId}`, () => {
      if (this.producer !== undefined) {
        this.sendBatch();
        if (this.exactlyOnce) this.preCommitTransaction(checkpointId, this.producer);
        else if (this.sink.deliveryGuarantee === "at-least-once") this.kafka.flush(this.producer);
      }
      return { kind: "kafka", nextSequence: this.nextSequence, pending: [...this.pending] };
    });
  }

  private preCommitTransaction(checkpointId: number, producer: number): void {
    this.producer = undefined;
    try {
      const handle = this.kafka.flush(producer);
      if (handle !== undefined) this.pending.push({ checkpointId, handle });
    } finally {
      this.kafka.closeProducer(producer);
    }
  }

  hasCommittable(checkpointId: number): boolean {
    return this.pending.some((t) => t.checkpointId <= checkpointId);
  }

  /** Checkpoint `checkpointId` completed: commits the transactions pre-committed up to it. */
  commitUpTo(checkpointId: number): void {
    const due = this.pending.filter((t) => t.checkpointId <= checkpointId);
    this.pending = this.pending.filter((t) => t.checkpointId > checkpointId);
    commitRecorded(
      this.kafka,
      this.sink,
      this.transform,
      due.map((t) => t.handle),
    );
  }

  /**
   * Restoring a completed checkpoint: commits the transactions it recorded
   * (the checkpoint completed, so they are committed, perhaps not yet on
   * the broker), then aborts every transaction a later attempt began.
   */
  restore(state: unknown): void {
    const snapshot = state as KafkaSinkSnapshot;
    this.nextSequence = snapshot.nextSequence;
    commitRecorded(
      this.kafka,
      this.sink,
      this.transform,
      snapshot.pending.map((t) => t.handle),
    );
    if (this.exactlyOnce) {
      abortLingering(this.kafka, this.sink, (n) => this.transactionalId(n), this.nextSequence);
      this.cleaned = true;
    }
  }

  announceRestored(): void {}
}
