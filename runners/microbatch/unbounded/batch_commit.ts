/**
 * A commit log entry: written once a batch's output is complete, with what
 * the driver needs to go on from it after a restart (the next batch's input
 * watermarks, which partitions still hold state).
 */
import type { BatchKafkaTransaction } from "./batch_kafka_sink";
import type { BatchSummary } from "../../core/progress";

/** What the driver knows about a node after a batch. */
export interface NodeAfterBatch {
  /** The node's input watermark (never goes back). */
  readonly inputWatermark: number;
  /** Per partition: true when it holds state time could still fire. */
  readonly active: readonly boolean[];
  /** Per partition: rows in its state. */
  readonly stateRows: readonly number[];
}

/** One commit log entry. */
export interface BatchCommit {
  readonly batchId: number;
  /** Output watermark of every PCollection after the batch. */
  readonly watermarks: Readonly<Record<string, number>>;
  /** Per plan node id. */
  readonly nodes: Readonly<Record<string, NodeAfterBatch>>;
  /** The batch's figures. */
  readonly summary: BatchSummary;
  /**
   * Per splittable source stage: the work left after the batch (the
   * residuals its tasks reported and the work that was not due yet),
   * encoded in base64: the next batch's offsets are planned from it.
   */
  readonly splittable?: Readonly<Record<string, string>>;
  /** The Kafka transactions of the batch's exactly-once sinks: committed after this entry is written, and again on a restart. */
  readonly kafkaTransactions?: readonly BatchKafkaTransaction[];
}
