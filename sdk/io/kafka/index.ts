/**
 * Kafka IO: `io.kafka.write` publishes a collection to Kafka topics with
 * the delivery guarantee asked for (exactly once on the stream and
 * micro-batch runners, with Kafka transactions).
 *
 * @packageDocumentation
 */
import type { PTransform } from "../../ptransform";
import type { PCollection } from "../../pcollection";
import { KafkaWrite, type KafkaWriteOptions } from "./write_kafka";

export type { KafkaWriteOptions, KafkaProducerRecord } from "./write_kafka";
export type { KafkaSerde } from "./serde";
export type { DeliveryGuarantee } from "./record_producer";
export type { KafkaSinkPayload } from "./kafka_sink_payload";

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
