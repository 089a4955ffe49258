/**
 * What a task of a micro-batch needs beyond a bounded task (times, state,
 * what a source emits) and what it reports back (watermark hold, state).
 * Plain data: it crosses to executor threads by structured clone.
 */
import type { BatchKafkaTransaction } from "./batch_kafka_sink";

/** What a source stage's task emits in one micro-batch. */
export type BatchSourceSlice =
  /** Create values `[from, to)`. */
  | { readonly kind: "range"; readonly from: number; readonly to: number }
  /** The elements of a TestStream's event `event` (an index into its events). */
  | { readonly kind: "testStream"; readonly event: number }
  /** The one empty element of an Impulse. */
  | { readonly kind: "impulse" }
  /** Restrictions of a splittable DoFn to process (pending work, encoded and in base64, delays relative to the batch's time). */
  | {
      readonly kind: "splittable";
      readonly work: string;
      /** Restrictions that resume at once (more is ready) are processed again in this batch until the task has read this many records. */
      readonly maxRecords: number;
    };

/** The micro-batch part of a task. */
export interface BatchTaskSpec {
  readonly batchId: number;
  /** The batch's processing time: the clock value timers and processing-time triggers see. */
  readonly processingTime: number;
  /** The node's input watermark before this batch: elements of the batch are late against it. */
  readonly previousInputWatermark: number;
  /** The node's input watermark after this batch's input: what event time fires up to. */
  readonly inputWatermark: number;
  /** Watermarks of the side inputs a stage reads: a side input window is ready once its watermark passed it. */
  readonly sideInputWatermarks: Readonly<Record<string, number>>;
  /** The versioned state store directory of this node's partition; absent for a node without state. */
  readonly stateDir?: string;
  /** A full state snapshot every this many versions. */
  readonly snapshotEvery: number;
  /** For a source stage: what this task emits. */
  readonly source?: BatchSourceSlice;
}

/** What a task of a micro-batch reports besides its outputs. */
export interface BatchTaskReport {
  /** The earliest timestamp this partition may still output (Infinity: none): the node's output watermark waits for it. */
  readonly hold: number;
  /** Rows (key and window slots, state namespaces, pushed-back elements) in this partition's state after the batch. */
  readonly stateRows: number;
  /** True when the partition holds anything that time could fire later (a task must run next batch even without input). */
  readonly active: boolean;
  /** For a splittable source's task: the work its restrictions left (residuals), encoded in base64, delays relative to the batch's time. */
  readonly splittableResiduals?: string;
  /** The Kafka transactions the task's sinks flushed, for the driver to record and commit with the batch. */
  readonly kafkaTransactions?: readonly BatchKafkaTransaction[];
}
