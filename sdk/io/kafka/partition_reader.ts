/**
 * Reads one Kafka partition from an offset: fetches, drops what
 * read_committed must not see, deserializes, and says what failed to
 * deserialize with its topic, partition and offset. Keeps the
 * read_committed state between fetches as long as the reads continue where
 * the last one ended.
 */
import type { BlockingKafkaReadClient } from "./blocking_read_client";
import { PartitionRecordDecoder, type FetchedRecord } from "./fetched_records";
import type { KafkaHeader, KafkaRecord } from "./kafka_record";
import type { TopicPartition } from "./read_client";
import type { KafkaDeadLetter, ResolvedKafkaReadOptions } from "./read_options";
import { deserializerFor, type Deserializer } from "./serde";

/** One fetched record, as the source emits it, or the record that could not be deserialized. */
export type ReadItem =
  | { readonly kind: "record"; readonly offset: bigint; readonly timestamp: number; readonly output: unknown }
  | { readonly kind: "deadLetter"; readonly offset: bigint; readonly timestamp: number; readonly letter: KafkaDeadLetter };

/** What one poll of a partition gave. */
export interface PartitionPoll {
  readonly items: ReadItem[];
  /** Where the next poll starts: past every batch seen, aborted and control batches included. */
  readonly nextOffset: bigint;
  /** The partition's end offset (high watermark) as the broker last reported it. */
  readonly endOffset: bigint;
}

const headerDecoder = new TextDecoder();

/** A partition's reader; `describe` prefixes errors (the transform and option names). */
export class PartitionReader {
  private decoder: PartitionRecordDecoder;
  private expectedOffset: bigint | undefined;
  private readonly keyOf: Deserializer;
  private readonly valueOf: Deserializer;

  constructor(
    private readonly client: BlockingKafkaReadClient,
    readonly tp: TopicPartition,
    private readonly options: ResolvedKafkaReadOptions,
  ) {
    this.decoder = new PartitionRecordDecoder(options.readCommitted);
    this.keyOf = deserializerFor(options.keyDeserializer);
    this.valueOf = deserializerFor(options.valueDeserializer);
  }

  /** One fetch at `offset`, not waiting for records when there are none. */
  poll(offset: bigint, maxWaitMs = 0): PartitionPoll {
    if (this.expectedOffset !== offset) {
      // A new position (a restored or split restriction): the broker lists the aborted transactions overlapping it again.
      this.decoder = new PartitionRecordDecoder(this.options.readCommitted);
    }
    const fetched = this.client.fetch(this.tp, offset, {
      maxWaitMs,
      maxBytes: this.options.maxPartitionFetchBytes,
      readCommitted: this.options.readCommitted,
    });
    const decoded = this.decoder.decode(offset, fetched.batches, fetched.aborted);
    this.expectedOffset = decoded.nextOffset;
    return {
      items: decoded.records.map((r) => this.toItem(r)),
      nextOffset: decoded.nextOffset,
      endOffset: this.options.readCommitted ? fetched.lastStableOffset : fetched.highWatermark,
    };
  }

  private toItem(r: FetchedRecord): ReadItem {
    const { topic, partition } = this.tp;
    let key: unknown = null;
    let value: unknown;
    let part = "key";
    try {
      if (this.options.withMetadata) key = this.keyOf(asBuffer(r.key));
      part = "value";
      value = this.valueOf(asBuffer(r.value));
    } catch (e) {
      const error = `cannot deserialize the ${part} of the record at offset ${r.offset} of topic '${topic}' partition ${partition}: ${(e as Error).message}`;
      if (!this.options.deadLetters) throw new Error(`mr.io.kafka.read: ${error}`, { cause: e });
      return {
        kind: "deadLetter",
        offset: r.offset,
        timestamp: r.timestamp,
        letter: { topic, partition, offset: Number(r.offset), timestamp: r.timestamp, key: copy(r.key), value: copy(r.value), error },
      };
    }
    if (!this.options.withMetadata) return { kind: "record", offset: r.offset, timestamp: r.timestamp, output: value };
    const record: KafkaRecord = {
      topic,
      partition,
      offset: Number(r.offset),
      timestamp: r.timestamp,
      timestampType: r.timestampType,
      key,
      value,
      headers: r.headers.map(([k, v]): KafkaHeader => ({ key: k === null ? "" : headerDecoder.decode(k), value: copy(v) })),
    };
    return { kind: "record", offset: r.offset, timestamp: r.timestamp, output: record };
  }
}

function asBuffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function copy(bytes: Uint8Array | null): Uint8Array | null {
  return bytes === null ? null : Uint8Array.from(bytes);
}
