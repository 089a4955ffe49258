/**
 * The source's Kafka client as blocking calls, for DoFns (which run
 * synchronously): each call is answered on the Kafka thread of
 * {@link BlockingKafka} (the one the sinks use too) while this thread
 * waits on it. Calls are short: fetches ask the broker not to wait for
 * data, and the source resumes later when there is none.
 */
import { BlockingKafka } from "./blocking_kafka";
import type { ReadClientCall } from "./read_client_calls";
import type { OffsetSpec, PartitionFetch, ReadClientConfig, TopicPartition } from "./read_client";

/** A connection to one Kafka cluster whose calls block until answered. */
export class BlockingKafkaReadClient {
  private constructor(
    private readonly id: number,
    private readonly kafka: BlockingKafka,
    /** The Kafka thread's own bound is the request bound plus the client's retries; this one only catches a stuck thread. */
    private readonly timeoutMs: number,
  ) {}

  /** Connects; fails within about `requestTimeoutMs` naming the brokers when none answers. */
  static open(config: ReadClientConfig): BlockingKafkaReadClient {
    const kafka = BlockingKafka.shared();
    const timeoutMs = config.requestTimeoutMs * 4 + 10_000;
    const id = kafka.read({ op: "open", config }, timeoutMs) as number;
    return new BlockingKafkaReadClient(id, kafka, timeoutMs);
  }

  private call(call: ReadClientCall): unknown {
    return this.kafka.read(call, this.timeoutMs);
  }

  /** Topics whose name matches `pattern`, sorted. */
  topicsMatching(pattern: string): string[] {
    return this.call({ op: "topicsMatching", client: this.id, pattern }) as string[];
  }

  /** The partitions of `topics`; a missing topic is an error naming it. */
  partitionsOf(topics: readonly string[]): TopicPartition[] {
    return this.call({ op: "partitionsOf", client: this.id, topics }) as TopicPartition[];
  }

  /** The offsets `spec` names, by `partitionKey`. */
  offsetsFor(partitions: readonly TopicPartition[], spec: OffsetSpec, readCommitted: boolean): Map<string, bigint> {
    return this.call({ op: "offsetsFor", client: this.id, partitions, spec, readCommitted }) as Map<string, bigint>;
  }

  /** The offsets `groupId` committed, by `partitionKey`. */
  committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Map<string, bigint> {
    return this.call({ op: "committedOffsets", client: this.id, groupId, partitions }) as Map<string, bigint>;
  }

  /** Commits next offsets to `groupId` (for monitoring). */
  commitOffsets(groupId: string, offsets: ReadonlyMap<string, bigint>): void {
    this.call({ op: "commitOffsets", client: this.id, groupId, offsets });
  }

  /** One raw fetch of a partition. */
  fetch(tp: TopicPartition, offset: bigint, options: { maxWaitMs: number; maxBytes: number; readCommitted: boolean }): PartitionFetch {
    return this.call({ op: "fetch", client: this.id, tp, offset, ...options }) as PartitionFetch;
  }

  /** Closes the connections. */
  close(): void {
    this.call({ op: "close", client: this.id });
  }
}
