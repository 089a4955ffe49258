/**
 * The source's asynchronous Kafka client: topic and partition discovery,
 * offset look-ups, raw fetches, and group offset commits, over
 * `@platformatic/kafka`'s protocol-level calls. No consumer-group
 * membership: the runner assigns partitions, so the source only ever asks
 * for a given partition at a given offset.
 *
 * The library is an ES module; this file is loaded only on the
 * Kafka thread (`kafka_io_worker.ts`), which imports the library dynamically.
 */
import type { Admin, Consumer } from "@platformatic/kafka" with { "resolution-mode": "import" };
import type { AbortedTransaction } from "./aborted_transactions";
import { kafkaClientOptions } from "./client_options";
import { describeKafkaError } from "./kafka_errors";
import type { RawRecordBatch } from "./fetched_records";

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Where to look an offset up: a partition's first offset, its end, or the first offset at or after a time. */
export type OffsetSpec = "earliest" | "latest" | { readonly timestampMs: number };

/** One partition's part of a fetch response, ready for `PartitionRecordDecoder`. */
export interface PartitionFetch {
  readonly batches: RawRecordBatch[];
  readonly aborted: AbortedTransaction[];
  /** The partition's high watermark (end offset) when the broker answered. */
  readonly highWatermark: bigint;
  /** The last stable offset: what read_committed may read up to. */
  readonly lastStableOffset: bigint;
}

/** How a client connects. */
export interface ReadClientConfig {
  readonly bootstrapServers: readonly string[];
  /** Bound on connecting and on each request; past it the call fails naming the brokers. */
  readonly requestTimeoutMs: number;
}

const LATEST = -1n;
const EARLIEST = -2n;
const READ_COMMITTED = 1;
const READ_UNCOMMITTED = 0;
/** Kafka's OFFSET_OUT_OF_RANGE error code in a fetch response. */
const OFFSET_OUT_OF_RANGE = 1;

type KafkaModule = typeof import("@platformatic/kafka", { with: { "resolution-mode": "import" } });

/** The source's connection to one Kafka cluster. */
export class KafkaReadClient {
  private readonly topicIds = new Map<string, { id: string; leaders: number[] }>();

  private constructor(
    private readonly config: ReadClientConfig,
    private readonly admin: Admin,
    private readonly consumer: Consumer,
  ) {}

  /** Connects, failing within about `requestTimeoutMs` with an error naming the brokers when none answers. */
  static async open(config: ReadClientConfig): Promise<KafkaReadClient> {
    const kafka: KafkaModule = await import("@platformatic/kafka");
    const common = {
      ...kafkaClientOptions(config.bootstrapServers, "millrace-kafka-read"),
      timeout: config.requestTimeoutMs,
      connectTimeout: Math.min(config.requestTimeoutMs, 5_000),
      autocreateTopics: false,
    };
    const admin = new kafka.Admin(common);
    // The library needs a group id on every consumer; this one never joins it.
    const consumer = new kafka.Consumer({ ...common, groupId: "millrace-kafka-read-unused" });
    const client = new KafkaReadClient(config, admin, consumer);
    await client.call("connect", () => admin.listTopics());
    return client;
  }

  /** Runs one request within the time bound; failures name the brokers. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    const servers = this.config.bootstrapServers.join(",");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Kafka at ${servers} did not answer ${what} within ${this.config.requestTimeoutMs} ms`)),
        this.config.requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([request(), deadline]);
    } catch (e) {
      if ((e as Error).message.startsWith("Kafka at ")) throw e;
      throw new Error(`Kafka at ${servers}: ${what} failed: ${describeKafkaError(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every topic (internal ones left out) whose name matches `pattern`, sorted. */
  async topicsMatching(pattern: RegExp): Promise<string[]> {
    const all = await this.call("listing topics", () => this.admin.listTopics({ includeInternals: false }));
    return all.filter((t) => pattern.test(t)).sort();
  }

  /** The partitions of `topics`; a topic that does not exist is an error naming it. */
  async partitionsOf(topics: readonly string[]): Promise<TopicPartition[]> {
    const existing = new Set(await this.call("listing topics", () => this.admin.listTopics({ includeInternals: false })));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new Error(
        `topic${missing.length > 1 ? "s" : ""} ${missing.map((t) => `'${t}'`).join(", ")} not found on Kafka at ${this.config.bootstrapServers.join(",")}`,
      );
    }
    const out: TopicPartition[] = [];
    for (const topic of topics) {
      const meta = await this.topicMetadata(topic, true);
      for (let partition = 0; partition < meta.leaders.length; partition++) out.push({ topic, partition });
    }
    return out;
  }

  private async topicMetadata(topic: string, refresh: boolean): Promise<{ id: string; leaders: number[] }> {
    const cached = this.topicIds.get(topic);
    if (cached && !refresh) return cached;
    const md = await this.call(`reading the metadata of topic '${topic}'`, () =>
      this.consumer.metadata({ topics: [topic], forceUpdate: true }),
    );
    const t = md.topics.get(topic);
    if (!t) throw new Error(`topic '${topic}' not found on Kafka at ${this.config.bootstrapServers.join(",")}`);
    const entry = { id: t.id, leaders: t.partitions.map((p) => p.leader) };
    this.topicIds.set(topic, entry);
    return entry;
  }

  /** The offset `spec` names in each partition (ListOffsets); a time after the last record gives the end offset. */
  async offsetsFor(partitions: readonly TopicPartition[], spec: OffsetSpec, readCommitted: boolean): Promise<Map<string, bigint>> {
    const timestamp = spec === "earliest" ? EARLIEST : spec === "latest" ? LATEST : BigInt(Math.floor(spec.timestampMs));
    const byTopic = groupByTopic(partitions);
    const listed = await this.call("listing offsets", () =>
      this.admin.listOffsets({
        topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, timestamp })) })),
        isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
      }),
    );
    const out = new Map<string, bigint>();
    for (const t of listed) for (const p of t.partitions) out.set(partitionKey({ topic: t.name, partition: p.partitionIndex }), p.offset);
    if (typeof spec === "object") {
      // No record at or after the time: Kafka answers -1; start at the end, as its consumer does.
      const missing = partitions.filter((tp) => (out.get(partitionKey(tp)) ?? -1n) < 0n);
      if (missing.length > 0) {
        const ends = await this.offsetsFor(missing, "latest", readCommitted);
        for (const [k, v] of ends) out.set(k, v);
      }
    }
    return out;
  }

  /** The offsets `groupId` committed for these partitions (absent when it has none). */
  async committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    const byTopic = groupByTopic(partitions);
    const groups = await this.call(`reading the offsets of group '${groupId}'`, () =>
      this.admin.listConsumerGroupOffsets({
        groups: [{ groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
      }),
    );
    const out = new Map<string, bigint>();
    for (const g of groups) {
      for (const t of g.topics) {
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) out.set(partitionKey({ topic: t.name, partition: p.partitionIndex }), p.committedOffset);
      }
    }
    return out;
  }

  /** Commits `offsets` (the next offset to read, per partition) to `groupId`, without joining it. */
  async commitOffsets(groupId: string, offsets: ReadonlyMap<string, bigint>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const [key, offset] of offsets) {
      const tp = parsePartitionKey(key);
      const list = byTopic.get(tp.topic) ?? [];
      list.push({ partition: tp.partition, offset });
      byTopic.set(tp.topic, list);
    }
    await this.call(`committing offsets to group '${groupId}'`, () =>
      this.admin.alterConsumerGroupOffsets({
        groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    );
  }

  /** One raw fetch of one partition at `offset`, waiting at most `maxWaitMs` for data. */
  async fetch(
    tp: TopicPartition,
    offset: bigint,
    options: { maxWaitMs: number; maxBytes: number; readCommitted: boolean },
  ): Promise<PartitionFetch> {
    let meta = await this.topicMetadata(tp.topic, false);
    for (let attempt = 0; ; attempt++) {
      const leader = meta.leaders[tp.partition];
      if (leader === undefined)
        throw new Error(`partition ${tp.partition} of topic '${tp.topic}' not found on Kafka at ${this.config.bootstrapServers.join(",")}`);
      try {
        const response = await this.call(`fetching ${tp.topic}-${tp.partition} at offset ${offset}`, () =>
          this.consumer.fetch({
            node: leader,
            maxWaitTime: options.maxWaitMs,
            minBytes: 1,
            maxBytes: options.maxBytes,
            isolationLevel: options.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
            topics: [
              {
                topicId: meta.id,
                partitions: [
                  {
                    partition: tp.partition,
                    currentLeaderEpoch: -1,
                    fetchOffset: offset,
                    lastFetchedEpoch: -1,
                    partitionMaxBytes: options.maxBytes,
                  },
                ],
              },
            ],
          }),
        );
        const p = response.responses[0]?.partitions[0];
        if (!p)
          throw new Error(
            `Kafka at ${this.config.bootstrapServers.join(",")} sent an empty fetch response for ${tp.topic}-${tp.partition}`,
          );
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          throw new Error(
            `offset ${offset} of ${tp.topic}-${tp.partition} is out of range (log start ${p.logStartOffset}, end ${p.highWatermark}): records were deleted before they were read`,
          );
        }
        if (p.errorCode !== 0) throw new Error(`Kafka error code ${p.errorCode} fetching ${tp.topic}-${tp.partition} at offset ${offset}`);
        return {
          batches: (p.records ?? []).map((b) => ({
            firstOffset: b.firstOffset,
            lastOffsetDelta: b.lastOffsetDelta,
            attributes: b.attributes,
            firstTimestamp: b.firstTimestamp,
            maxTimestamp: b.maxTimestamp,
            producerId: b.producerId,
            records: b.records.map((r) => ({
              timestampDelta: r.timestampDelta,
              offsetDelta: r.offsetDelta,
              key: r.key,
              value: r.value,
              headers: r.headers,
            })),
          })),
          aborted: p.abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
        };
      } catch (e) {
        // Leadership or topic ids may have changed: refresh once and try again.
        if (attempt >= 1 || (e as Error).message.includes("out of range")) throw e;
        meta = await this.topicMetadata(tp.topic, true);
      }
    }
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await Promise.allSettled([this.consumer.close(), this.admin.close()]);
  }
}

/** `topic/partition`, the key the source uses for a partition in maps and checkpoints. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}

/** The inverse of {@link partitionKey} (topic names cannot contain `/`). */
export function parsePartitionKey(key: string): TopicPartition {
  const at = key.lastIndexOf("/");
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

function groupByTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return byTopic;
}
