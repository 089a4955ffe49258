/**
 * `io.kafka.write`: elements become Kafka records (topic, key, value,
 * headers, timestamp, serialized by the transform's serializers), then a
 * sink publishes them with the delivery guarantee asked for.
 *
 * Expansion: ToRecords (a ParDo running the user's functions and
 * serializers) → WriteRecords, a composite with the URN
 * `millrace:transform:kafka_write:v1` and a {@link KafkaSinkPayload}. The
 * stream and micro-batch runners write an unbounded pipeline's
 * WriteRecords themselves, exactly once with their checkpoints or batches;
 * elsewhere its expansion runs, PublishBundles, which publishes each
 * bundle's records when the bundle finishes (at least once; with
 * `"exactly-once"`, a transaction per bundle, so a bundle's records appear
 * together, but a retried bundle can publish again).
 */
import { PTransform } from "../../ptransform";
import type { PCollection } from "../../pcollection";
import { ParDoTransform } from "../../transforms/pardo";
import type { BundleContext, ProcessContext } from "../../transforms/transform_context";
import { isKV } from "../../../model/kv";
import { describeValue } from "../../../portability/coders/coder";
import { parseBootstrapServers } from "./bootstrap";
import { checkSerde, serializerFor, type KafkaSerde, type Serializer } from "./serde";
import type { DeliveryGuarantee } from "./record_producer";
import type { KafkaSinkPayload } from "./kafka_sink_payload";
import { BlockingKafka } from "./blocking_kafka";

/** Options of `io.kafka.write`. */
export interface KafkaWriteOptions<T> {
  /** `"host:port"`, a comma-separated list or an array of them. */
  readonly bootstrapServers: string | readonly string[];
  /** The topic of every record, or a function choosing it per element. The topic must exist. */
  readonly topic: string | ((element: T) => string);
  /** How values become bytes: `"string"` (default), `"json"`, `"bytes"` or a coder. */
  readonly valueSerializer?: KafkaSerde;
  /** How keys become bytes; default: the value serializer. */
  readonly keySerializer?: KafkaSerde;
  /** The record's key; default: the element's key when it is a KV, else none. */
  readonly key?: (element: T) => unknown;
  /** The record's value; default: the element's value when it is a KV, else the element. */
  readonly value?: (element: T) => unknown;
  /** The record's headers (string values are written as UTF-8). */
  readonly headers?: (element: T) => Readonly<Record<string, string | Uint8Array>> | undefined;
  /**
   * The record's timestamp: `"event-time"` (default: the element's
   * timestamp, when it is a real date), `"broker"` (the broker's append
   * time, or the producer's clock for CreateTime topics) or a function.
   */
  readonly timestamp?: "event-time" | "broker" | ((element: T) => number);
  /**
   * `"exactly-once"`: Kafka transactions committed with the stream runner's
   * checkpoints or the micro-batch runner's batches (read_committed
   * consumers see each record once, across restarts); `"at-least-once"`
   * (default): every record acknowledged before a checkpoint or batch
   * completes; `"none"`: no waiting.
   */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /**
   * Exactly once: the start of the transactional ids. It must stay the same
   * across restarts of a job and differ between jobs running at once.
   * Default: derived from the transform's name, the topic and the brokers.
   */
  readonly transactionalIdPrefix?: string;
  /**
   * Exactly once: how long the broker keeps a transaction open before it
   * aborts it (default 120,000 ms). It must exceed the checkpoint interval,
   * and the broker's `transaction.max.timeout.ms` must allow it.
   */
  readonly transactionTimeoutMs?: number;
}

/** A record as the sink receives it: serialized, with its topic. */
export interface KafkaProducerRecord {
  /** The topic the record goes to. */
  readonly topic: string;
  /** The serialized key; absent: a null key. */
  readonly key?: Uint8Array;
  /** The serialized value; absent: a null value (a tombstone). */
  readonly value?: Uint8Array;
  /** Header names and their bytes. */
  readonly headers?: ReadonlyArray<readonly [string, Uint8Array]>;
  /** Milliseconds since the epoch; absent: the broker's or producer's time. */
  readonly timestamp?: number;
  /** The partition; absent: chosen by the key's hash. */
  readonly partition?: number;
}

const KNOWN_OPTIONS = new Set([
  "bootstrapServers",
  "topic",
  "valueSerializer",
  "keySerializer",
  "key",
  "value",
  "headers",
  "timestamp",
  "deliveryGuarantee",
  "transactionalIdPrefix",
  "transactionTimeoutMs",
]);
const GUARANTEES: readonly DeliveryGuarantee[] = ["exactly-once", "at-least-once", "none"];
/** Kafka's rule for topic names. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Dates a Kafka timestamp can carry (0 to year 275760): anything else is left to the broker. */
const MAX_DATE_MS = 8.64e15;
const DEFAULT_TRANSACTION_TIMEOUT_MS = 120_000;
const RECORDS_PER_SEND = 500;

function checkTopic(topic: unknown, transform: string, element?: unknown): string {
  if (typeof topic !== "string" || !LEGAL_TOPIC.test(topic) || topic === "." || topic === "..") {
    const where = element === undefined ? "" : ` for the element ${describeValue(element)}`;
    throw new TypeError(`${transform}: the topic${where} must be 1-249 characters of [a-zA-Z0-9._-], got ${describeValue(topic)}`);
  }
  return topic;
}

/** A short stable hash (FNV-1a) for the default transactional id prefix. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** @internal `io.kafka.write`'s composite. */
export class KafkaWrite<T> extends PTransform<PCollection<T>, PCollection<never>> {
  private readonly bootstrap: string[];
  private readonly guarantee: DeliveryGuarantee;
  private readonly timeoutMs: number;

  constructor(private readonly options: KafkaWriteOptions<T>) {
    super();
    const name = "kafka.write";
    if (options === null || typeof options !== "object")
      throw new TypeError(`${name}: options must be an object { bootstrapServers, topic, ... }`);
    for (const k of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(k)) throw new TypeError(`${name}: unknown option '${k}'; valid options are ${[...KNOWN_OPTIONS].join(", ")}`);
    }
    this.bootstrap = parseBootstrapServers(options.bootstrapServers, name);
    if (typeof options.topic !== "function") checkTopic(options.topic, name);
    checkSerde(options.valueSerializer ?? "string", name, "valueSerializer");
    checkSerde(options.keySerializer ?? options.valueSerializer ?? "string", name, "keySerializer");
    for (const f of ["key", "value", "headers"] as const) {
      if (options[f] !== undefined && typeof options[f] !== "function")
        throw new TypeError(`${name}: ${f} must be a function of the element`);
    }
    const ts = options.timestamp ?? "event-time";
    if (ts !== "event-time" && ts !== "broker" && typeof ts !== "function") {
      throw new TypeError(`${name}: timestamp must be "event-time", "broker" or a function of the element, got ${describeValue(ts)}`);
    }
    this.guarantee = options.deliveryGuarantee ?? "at-least-once";
    if (!GUARANTEES.includes(this.guarantee)) {
      throw new TypeError(
        `${name}: deliveryGuarantee must be "exactly-once", "at-least-once" or "none", got ${describeValue(this.guarantee)}`,
      );
    }
    this.timeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1000) {
      throw new RangeError(
        `${name}: transactionTimeoutMs must be a whole number of milliseconds >= 1000, got ${describeValue(this.timeoutMs)}`,
      );
    }
    const prefix = options.transactionalIdPrefix;
    if (prefix !== undefined && (typeof prefix !== "string" || prefix.length === 0 || prefix.length > 200)) {
      throw new TypeError(`${name}: transactionalIdPrefix must be a non-empty string of at most 200 characters`);
    }
  }

  override defaultName(): string {
    return "KafkaWrite";
  }

  expand(input: PCollection<T>): PCollection<never> {
    const transform = input.pipeline._currentTransform.uniqueName;
    const topicName = typeof this.options.topic === "string" ? this.options.topic : "(per element)";
    const payload: KafkaSinkPayload = {
      bootstrapServers: this.bootstrap,
      deliveryGuarantee: this.guarantee,
      transactionalIdPrefix:
        this.options.transactionalIdPrefix ?? `millrace-${shortHash(`${transform}|${topicName}|${this.bootstrap.join(",")}`)}`,
      transactionTimeoutMs: this.timeoutMs,
    };
    return input.apply("ToRecords", toRecords(this.options, transform)).apply("WriteRecords", new WriteRecords(payload, transform));
  }
}

/** The ParDo that turns elements into serialized records. */
function toRecords<T>(options: KafkaWriteOptions<T>, transform: string): ParDoTransform<T, KafkaProducerRecord> {
  const valueSerde = options.valueSerializer ?? "string";
  const serializeValue = serializerFor(valueSerde, transform, "value");
  const serializeKey = serializerFor(options.keySerializer ?? valueSerde, transform, "key");
  const headerBytes: Serializer = serializerFor("string", transform, "header");
  const topicOf = options.topic;
  const timestampOption = options.timestamp ?? "event-time";
  return new ParDoTransform<T, KafkaProducerRecord>("ToRecords", {
    fn: {
      process(element: T, ctx: ProcessContext<KafkaProducerRecord>) {
        const topic = typeof topicOf === "string" ? topicOf : checkTopic(topicOf(element), transform, element);
        const kvElement = isKV(element) && options.key === undefined && options.value === undefined;
        const key = options.key ? options.key(element) : kvElement ? (element as { key: unknown }).key : undefined;
        const value = options.value ? options.value(element) : kvElement ? (element as { value: unknown }).value : element;
        let timestamp: number | undefined;
        if (typeof timestampOption === "function") timestamp = timestampOption(element);
        else if (timestampOption === "event-time" && ctx.timestamp >= 0 && ctx.timestamp <= MAX_DATE_MS)
          timestamp = Math.trunc(ctx.timestamp);
        const headers = options.headers?.(element);
        ctx.output({
          topic,
          ...(key === undefined || key === null ? {} : { key: serializeKey(key) }),
          ...(value === undefined || value === null ? {} : { value: serializeValue(value) }),
          ...(timestamp === undefined ? {} : { timestamp }),
          ...(headers
            ? {
                headers: Object.entries(headers).map(
                  ([k, v]) => [k, v instanceof Uint8Array ? v : (headerBytes(v) ?? new Uint8Array(0))] as const,
                ),
              }
            : {}),
        });
      },
    },
    shape: "dofn",
  });
}

/** @internal The part a runner may write natively (see the file header). */
class WriteRecords extends PTransform<PCollection<KafkaProducerRecord>, PCollection<never>> {
  constructor(
    private readonly payload: KafkaSinkPayload,
    private readonly transform: string,
  ) {
    super();
  }

  override defaultName(): string {
    return "WriteRecords";
  }

  expand(input: PCollection<KafkaProducerRecord>): PCollection<never> {
    input.pipeline._declareComposite({ kind: "kafkaWrite", sink: this.payload });
    return input.apply("PublishBundles", publishBundles(this.payload, this.transform));
  }
}

/** Publishes each bundle's records when it finishes (see the file header). */
function publishBundles(payload: KafkaSinkPayload, transform: string): ParDoTransform<KafkaProducerRecord, never> {
  let producer: number | undefined;
  let pending: KafkaProducerRecord[] = [];
  let bundles = 0;
  const instance = Math.random().toString(36).slice(2, 10);
  const flushPending = (kafka: BlockingKafka): void => {
    if (producer === undefined) {
      const exactlyOnce = payload.deliveryGuarantee === "exactly-once";
      producer = kafka.openProducer({
        bootstrap: payload.bootstrapServers,
        clientId: "millrace-write",
        transform,
        guarantee: payload.deliveryGuarantee,
        ...(exactlyOnce
          ? {
              transactionalId: `${payload.transactionalIdPrefix}-bundle-${instance}-${bundles++}`,
              transactionTimeoutMs: payload.transactionTimeoutMs,
            }
          : {}),
      });
    }
    kafka.send(producer, pending);
    pending = [];
  };
  return new ParDoTransform<KafkaProducerRecord, never>("PublishBundles", {
    fn: {
      startBundle() {
        pending = [];
      },
      process(record: KafkaProducerRecord) {
        pending.push(record);
        if (pending.length >= RECORDS_PER_SEND) flushPending(BlockingKafka.shared());
      },
      finishBundle(_ctx: BundleContext<never>) {
        if (pending.length === 0 && producer === undefined) return;
        const kafka = BlockingKafka.shared();
        flushPending(kafka);
        const p = producer!;
        producer = undefined;
        try {
          const handle = kafka.flush(p);
          if (handle !== undefined) {
            const outcome = kafka.endTransaction(payload.bootstrapServers, handle, true);
            if (outcome !== "done") throw new Error(`${transform}: could not commit transaction '${handle.transactionalId}' (${outcome})`);
          }
        } finally {
          kafka.closeProducer(p);
        }
      },
    },
    shape: "dofn",
  });
}
