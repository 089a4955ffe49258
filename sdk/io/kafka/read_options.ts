/**
 * The options of `mr.io.kafka.read` and their validation: every mistake is
 * refused when the transform is built, naming the option.
 */
import { parseBootstrapServers as parseAddresses } from "./bootstrap";
import { checkSerde, type KafkaSerde } from "./serde";

/** How the source reads keys and values: `"string"` (UTF-8), `"json"`, `"bytes"` or a coder. */
export type KafkaDeserializer<T = unknown> = KafkaSerde<T>;

/**
 * Where a partition is read from when the job starts without a checkpoint:
 * its first offset, its end, the first record at or after a time (Kafka's
 * ListOffsets by timestamp; the end when there is none), or the offsets the
 * consumer group `groupId` committed (the first offset for a partition the
 * group has not committed).
 */
export type KafkaStartFrom =
  | "earliest"
  | "latest"
  | "committed"
  | {
      /** Start at the first record whose timestamp is at or after this time (ms since the epoch). */
      readonly timestampMs: number;
    };

/** Options of `mr.io.kafka.read`. */
export interface KafkaReadOptions<K = unknown, V = unknown> {
  /** `"host:port"` or a comma-separated list of them, or an array. */
  readonly bootstrapServers: string | readonly string[];
  /** The topics to read; or give `topicPattern`. */
  readonly topics?: readonly string[];
  /** A regular expression on topic names: matching topics (and their new partitions) are read as they appear. */
  readonly topicPattern?: RegExp | string;
  /** How often new partitions (and topics matching `topicPattern`) are looked for, in an unbounded read. Default 10000. */
  readonly partitionDiscoveryIntervalMs?: number;
  /** Default `"earliest"`. */
  readonly startFrom?: KafkaStartFrom;
  /** Default `"string"`. */
  readonly valueDeserializer?: KafkaDeserializer<V>;
  /** Default `"string"`; only used with `withMetadata`. */
  readonly keyDeserializer?: KafkaDeserializer<K>;
  /** `true`: emit `KafkaRecord`s; `false` (default): the values only. */
  readonly withMetadata?: boolean;
  /** Default `"read_committed"`: records of aborted (or still open) transactions are never read. */
  readonly isolation?: "read_committed" | "read_uncommitted";
  /** Bounded out-of-orderness of the per-partition watermarks. Default 0. */
  readonly maxOutOfOrdernessMs?: number;
  /** A partition without records for this long does not hold the watermark back. Default: never idle. */
  readonly idleTimeoutMs?: number;
  /** Read at most this many records in all, then stop: a bounded read. */
  readonly maxRecords?: number;
  /** Read for at most this long (from the first read), then stop: a bounded read. */
  readonly maxReadTimeMs?: number;
  /** Read up to the end offsets the partitions have when the read starts, then stop: a bounded read. */
  readonly stopAtEndOffsets?: boolean;
  /** The consumer group whose offsets `startFrom: "committed"` reads, and to which read offsets are committed once safe (for monitoring). */
  readonly groupId?: string;
  /**
   * Where records that fail to deserialize go: `"fail"` (default) fails the
   * run naming the transform, topic, partition and offset; `"deadLetter"`
   * makes the transform return `{ records, deadLetters }`, the failures as
   * {@link KafkaDeadLetter}s.
   */
  readonly onDeserializationError?: "fail" | "deadLetter";
  /** How long connecting to the brokers (and each request) may take before the read fails naming them. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** At most this many bytes per partition per fetch (Kafka's `max.partition.fetch.bytes`); a larger first batch is still returned whole. Default 1 MiB. */
  readonly maxPartitionFetchBytes?: number;
}

/** A record that could not be deserialized, sent to the dead-letter output. */
export interface KafkaDeadLetter {
  /** The record's topic. */
  readonly topic: string;
  /** Its partition. */
  readonly partition: number;
  /** Its offset in the partition. */
  readonly offset: number;
  /** Its timestamp (also the dead letter's event time). */
  readonly timestamp: number;
  /** The key's bytes, as read. */
  readonly key: Uint8Array | null;
  /** The value's bytes, as read. */
  readonly value: Uint8Array | null;
  /** The deserializer's error message. */
  readonly error: string;
}

/** The options with defaults filled in and bootstrap servers as a list. */
export interface ResolvedKafkaReadOptions {
  readonly bootstrapServers: readonly string[];
  readonly topics: readonly string[];
  readonly topicPattern: string | undefined;
  readonly partitionDiscoveryIntervalMs: number;
  readonly startFrom: KafkaStartFrom;
  readonly valueDeserializer: KafkaDeserializer;
  readonly keyDeserializer: KafkaDeserializer;
  readonly withMetadata: boolean;
  readonly readCommitted: boolean;
  readonly maxOutOfOrdernessMs: number;
  readonly idleTimeoutMs: number | undefined;
  readonly maxRecords: number | undefined;
  readonly maxReadTimeMs: number | undefined;
  readonly stopAtEndOffsets: boolean;
  readonly groupId: string | undefined;
  readonly deadLetters: boolean;
  readonly connectTimeoutMs: number;
  readonly maxPartitionFetchBytes: number;
}

const KNOWN = new Set([
  "bootstrapServers",
  "topics",
  "topicPattern",
  "partitionDiscoveryIntervalMs",
  "startFrom",
  "valueDeserializer",
  "keyDeserializer",
  "withMetadata",
  "isolation",
  "maxOutOfOrdernessMs",
  "idleTimeoutMs",
  "maxRecords",
  "maxReadTimeMs",
  "stopAtEndOffsets",
  "groupId",
  "onDeserializationError",
  "connectTimeoutMs",
  "maxPartitionFetchBytes",
]);

function fail(message: string): never {
  throw new Error(`mr.io.kafka.read: ${message}`);
}

function checkDuration(name: string, v: unknown, min: number): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(`${name} must be a whole number >= ${min} (got ${String(v)})`);
}

/** Checks the options and fills in defaults; throws naming the first bad option. */
export function resolveKafkaReadOptions(options: KafkaReadOptions): ResolvedKafkaReadOptions {
  if (typeof options !== "object" || options === null) fail("expects an options object");
  for (const k of Object.keys(options)) if (!KNOWN.has(k)) fail(`unknown option '${k}' (known: ${[...KNOWN].join(", ")})`);
  if (options.bootstrapServers === undefined) fail(`bootstrapServers is required ("host:port")`);
  const bootstrapServers = parseAddresses(options.bootstrapServers, "mr.io.kafka.read");
  const topics = options.topics ?? [];
  if (!Array.isArray(topics) || topics.some((t) => typeof t !== "string" || t === "")) fail(`topics must be a list of topic names`);
  let topicPattern: string | undefined;
  if (options.topicPattern !== undefined) {
    topicPattern = options.topicPattern instanceof RegExp ? options.topicPattern.source : options.topicPattern;
    try {
      new RegExp(topicPattern);
    } catch (e) {
      fail(`topicPattern is not a regular expression: ${(e as Error).message}`);
    }
  }
  if (topics.length === 0 && topicPattern === undefined) fail(`give topics or a topicPattern`);
  if (topics.length > 0 && topicPattern !== undefined) fail(`give topics or a topicPattern, not both`);
  const startFrom = options.startFrom ?? "earliest";
  if (typeof startFrom === "object" && startFrom !== null) {
    if (typeof startFrom.timestampMs !== "number" || !Number.isFinite(startFrom.timestampMs) || startFrom.timestampMs < 0) {
      fail(`startFrom.timestampMs must be a time in milliseconds since the epoch (got ${String(startFrom.timestampMs)})`);
    }
  } else if (startFrom !== "earliest" && startFrom !== "latest" && startFrom !== "committed") {
    fail(`startFrom must be "earliest", "latest", "committed" or { timestampMs } (got ${JSON.stringify(startFrom)})`);
  }
  if (startFrom === "committed" && !options.groupId) fail(`startFrom: "committed" needs a groupId`);
  if (options.groupId !== undefined && (typeof options.groupId !== "string" || options.groupId === ""))
    fail(`groupId must be a non-empty string`);
  const valueDeserializer = options.valueDeserializer ?? "string";
  const keyDeserializer = options.keyDeserializer ?? "string";
  checkSerde(valueDeserializer, "mr.io.kafka.read", "valueDeserializer");
  checkSerde(keyDeserializer, "mr.io.kafka.read", "keyDeserializer");
  const isolation = options.isolation ?? "read_committed";
  if (isolation !== "read_committed" && isolation !== "read_uncommitted")
    fail(`isolation must be "read_committed" or "read_uncommitted" (got ${JSON.stringify(isolation)})`);
  checkDuration("maxOutOfOrdernessMs", options.maxOutOfOrdernessMs, 0);
  checkDuration("idleTimeoutMs", options.idleTimeoutMs, 1);
  checkDuration("maxRecords", options.maxRecords, 1);
  checkDuration("maxReadTimeMs", options.maxReadTimeMs, 1);
  checkDuration("partitionDiscoveryIntervalMs", options.partitionDiscoveryIntervalMs, 1);
  checkDuration("connectTimeoutMs", options.connectTimeoutMs, 1);
  checkDuration("maxPartitionFetchBytes", options.maxPartitionFetchBytes, 1);
  const onError = options.onDeserializationError ?? "fail";
  if (onError !== "fail" && onError !== "deadLetter")
    fail(`onDeserializationError must be "fail" or "deadLetter" (got ${JSON.stringify(onError)})`);
  return {
    bootstrapServers,
    topics,
    topicPattern,
    partitionDiscoveryIntervalMs: options.partitionDiscoveryIntervalMs ?? 10_000,
    startFrom,
    valueDeserializer,
    keyDeserializer,
    withMetadata: options.withMetadata ?? false,
    readCommitted: isolation === "read_committed",
    maxOutOfOrdernessMs: options.maxOutOfOrdernessMs ?? 0,
    idleTimeoutMs: options.idleTimeoutMs,
    maxRecords: options.maxRecords,
    maxReadTimeMs: options.maxReadTimeMs,
    stopAtEndOffsets: options.stopAtEndOffsets ?? false,
    groupId: options.groupId,
    deadLetters: onError === "deadLetter",
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxPartitionFetchBytes: options.maxPartitionFetchBytes ?? 1 << 20,
  };
}

/** True when the read stops by itself. */
export function isBoundedRead(o: ResolvedKafkaReadOptions): boolean {
  return o.maxRecords !== undefined || o.maxReadTimeMs !== undefined || o.stopAtEndOffsets;
}
