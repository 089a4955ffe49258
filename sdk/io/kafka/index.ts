/**
 * Kafka IO: `io.kafka.read` (a splittable DoFn source with per-partition
 * watermarks, read_committed by default) and `io.kafka.write`, which
 * publishes a collection to Kafka topics with the delivery guarantee asked
 * for (exactly once on the stream and micro-batch runners, with Kafka
 * transactions).
 *
 * @packageDocumentation
 */
import type { PTransform } from "../../ptransform";
import type { PCollection } from "../../pcollection";
import type { PBegin } from "../../graph/pvalue";
import type { KafkaRecord } from "./kafka_record";
import { KafkaRead, type KafkaReadWithDeadLetters } from "./read";
import type { KafkaReadOptions } from "./read_options";
import { KafkaWrite, type KafkaWriteOptions } from "./write_kafka";

export type { KafkaRecord, KafkaHeader, KafkaTimestampType } from "./kafka_record";
export type { KafkaReadOptions, KafkaStartFrom, KafkaDeadLetter, KafkaDeserializer } from "./read_options";
export type { KafkaReadWithDeadLetters } from "./read";
export type { KafkaWriteOptions, KafkaProducerRecord } from "./write_kafka";
export type { KafkaSerde } from "./serde";
export type { DeliveryGuarantee } from "./record_producer";
export type { KafkaSinkPayload } from "./kafka_sink_payload";

/**
 * Reads Kafka topics (Flink's `KafkaSource`, Beam's `KafkaIO.read`): one
 * element per record, its value (or, with `withMetadata: true`, a
 * {@link KafkaRecord}), with the record's timestamp as event time.
 *
 * - **Partitions** are read without joining a consumer group: each
 *   partition is a restriction of the source's splittable DoFn, which the
 *   runner spreads over its readers and keeps in its checkpoints (stream)
 *   or offset log (micro-batch), so a restarted job resumes each partition
 *   exactly where its last checkpoint or batch ended. With a `groupId`,
 *   read offsets are also committed to that group, for monitoring, once the
 *   runner has committed them.
 * - **Start**: `startFrom` `"earliest"` (default), `"latest"`,
 *   `{ timestampMs }` (the first record at or after that time), or
 *   `"committed"` (the group's offsets; the earliest where it has none).
 * - **Isolation**: `read_committed` by default: records of aborted
 *   transactions are never read, even when the abort marker comes in a
 *   later fetch, and open transactions hold the read back until they end.
 * - **Event time and watermarks**: the record timestamp (the broker's
 *   append time on `LogAppendTime` topics). Each partition has a watermark
 *   with Flink's `WatermarkStrategy` semantics: the largest timestamp seen
 *   minus `maxOutOfOrdernessMs` (minus 1 ms); a partition without records
 *   for `idleTimeoutMs` does not hold the watermark back.
 * - **Bounded reads**: `maxRecords` (in all), `maxReadTimeMs`, or
 *   `stopAtEndOffsets` (the end offsets when the read starts) make the read
 *   finish, so the same pipeline runs as a batch job. Otherwise the read is
 *   unbounded and also reads the partitions (and, with `topicPattern`, the
 *   topics) that appear while it runs, every `partitionDiscoveryIntervalMs`.
 * - **Errors**: an unreachable broker fails the run within about
 *   `connectTimeoutMs`, naming the addresses; a missing topic fails it
 *   naming the topic; a record that does not deserialize fails it naming
 *   the transform, topic, partition and offset, or, with
 *   `onDeserializationError: "deadLetter"`, goes to the `deadLetters`
 *   output (the transform then returns `{ records, deadLetters }`).
 *
 * @example
 * ```ts
 * const clicks = p.apply(mr.io.kafka.read<Click>({
 *   bootstrapServers: "127.0.0.1:9092", topics: ["clicks"], valueDeserializer: "json",
 *   maxOutOfOrdernessMs: 5_000, idleTimeoutMs: 30_000,
 * }));
 * ```
 */
export function read<V = string, K = string>(
  options: KafkaReadOptions<K, V> & { readonly withMetadata: true; readonly onDeserializationError: "deadLetter" },
): PTransform<PBegin, KafkaReadWithDeadLetters<KafkaRecord<K, V>>>;
export function read<V = string, K = string>(
  options: KafkaReadOptions<K, V> & { readonly onDeserializationError: "deadLetter" },
): PTransform<PBegin, KafkaReadWithDeadLetters<V>>;
export function read<V = string, K = string>(
  options: KafkaReadOptions<K, V> & { readonly withMetadata: true },
): PTransform<PBegin, PCollection<KafkaRecord<K, V>>>;
export function read<V = string, K = string>(options: KafkaReadOptions<K, V>): PTransform<PBegin, PCollection<V>>;
export function read(options: KafkaReadOptions): PTransform<PBegin, unknown> {
  return new KafkaRead(options);
}

/**
 * Writes each element as a Kafka record and returns an empty collection.
 *
 * - Elements are values, or `KV<key, value>` (the key serialized with
 *   `keySerializer`, by default the value serializer); `key`, `value`,
 *   `headers`, `timestamp` and `topic` can be functions of the element.
 * - `deliveryGuarantee`: `"exactly-once"` commits Kafka transactions with
 *   the stream runner's checkpoints (Flink's KafkaSink) or the micro-batch
 *   runner's batches, so a read_committed consumer sees every record once
 *   even across kills and restarts; `"at-least-once"` (default) waits for
 *   every record to be acknowledged before a checkpoint or batch completes;
 *   `"none"` does not wait. The direct runner, and bounded pipelines,
 *   publish each bundle when it finishes (at least once; exactly-once there
 *   uses one transaction per bundle).
 * - Options are checked when called (bootstrap addresses, a fixed topic's
 *   name, serializers); a record that cannot be serialized or written fails
 *   the run with an error naming the transform and the element or topic; an
 *   unreachable broker fails it naming the address; a missing topic fails
 *   it naming the topic (topics are never created).
 *
 * @example
 * ```ts
 * counts
 *   .map(({ key, value }) => mr.kv(key, String(value)))
 *   .apply(mr.io.kafka.write({ bootstrapServers: "127.0.0.1:9092", topic: "counts", deliveryGuarantee: "exactly-once" }));
 * ```
 */
export function write<T>(options: KafkaWriteOptions<T>): PTransform<PCollection<T>, PCollection<never>> {
  return new KafkaWrite(options);
}
