/**
 * What `mr.io.kafka.read({ withMetadata: true })` emits: one Kafka record
 * with where it came from.
 */

/**
 * Where a record's timestamp comes from: the producer's clock
 * (`"CreateTime"`) or the broker's clock when it appended the record, on a
 * topic with `message.timestamp.type=LogAppendTime` (`"LogAppendTime"`).
 */
export type KafkaTimestampType = "CreateTime" | "LogAppendTime";

/** One header of a Kafka record; keys may repeat, and order is kept. */
export interface KafkaHeader {
  /** The header's name (UTF-8). */
  readonly key: string;
  /** The header's bytes, or `null` for a header without a value. */
  readonly value: Uint8Array | null;
}

/**
 * A record read from Kafka, with its metadata (Beam's `KafkaRecord`, Flink's
 * `ConsumerRecord`).
 *
 * @typeParam K - the deserialized key (`null` when the record has no key)
 * @typeParam V - the deserialized value
 */
export interface KafkaRecord<K = unknown, V = unknown> {
  /** The topic the record was read from. */
  readonly topic: string;
  /** Its partition in the topic. */
  readonly partition: number;
  /** The record's offset in its partition. */
  readonly offset: number;
  /** Milliseconds since the epoch: the broker's append time on LogAppendTime topics, the producer's otherwise. */
  readonly timestamp: number;
  /** Whose clock the timestamp is. */
  readonly timestampType: KafkaTimestampType;
  /** The deserialized key, `null` when the record has none. */
  readonly key: K | null;
  /** The deserialized value. */
  readonly value: V;
  /** The record's headers, in order. */
  readonly headers: readonly KafkaHeader[];
}
