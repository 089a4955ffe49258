/** The messages between {@link BlockingKafka} and its Kafka thread (`kafka_io_worker.ts`). */
import type { ReadClientCall } from "./read_client_calls";
import type { RecordProducerOptions } from "./record_producer";
import type { TransactionHandle } from "./transaction_coordinator";

/** A record as it crosses threads: bytes as Uint8Array (structured clone turns Buffers into them). */
export interface WireRecord {
  readonly topic: string;
  readonly key?: Uint8Array;
  readonly value?: Uint8Array;
  readonly headers?: ReadonlyArray<readonly [string, Uint8Array]>;
  readonly timestamp?: number;
  readonly partition?: number;
}

/** What the caller asks; the blocking ones carry an id their reply echoes. */
export type KafkaIoRequest =
  | { readonly op: "open"; readonly producer: number; readonly options: RecordProducerOptions }
  | { readonly op: "send"; readonly producer: number; readonly records: readonly WireRecord[] }
  | { readonly op: "close"; readonly producer: number }
  | { readonly op: "flush"; readonly id: number; readonly producer: number }
  | {
      readonly op: "initProducerId";
      readonly id: number;
      readonly bootstrap: readonly string[];
      readonly transactionalId: string;
      readonly transactionTimeoutMs: number;
    }
  | {
      readonly op: "endTransaction";
      readonly id: number;
      readonly bootstrap: readonly string[];
      readonly handle: TransactionHandle;
      readonly commit: boolean;
    }
  /** A call of the source's read client (`read_client_calls.ts`). */
  | { readonly op: "read"; readonly id: number; readonly call: ReadClientCall };

/** The answer to a blocking request. */
export type KafkaIoReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };
