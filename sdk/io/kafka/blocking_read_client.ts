/**
 * The source's Kafka client as blocking calls, for DoFns (which run
 * synchronously): each call is answered by the client worker thread
 * (`read_client_worker.ts`) while this thread waits on it (synckit's
 * `Atomics.wait` bridge). Calls are short: fetches ask the broker not to
 * wait for data, and the source resumes later when there is none.
 */
import * as path from "node:path";
import { createSyncFn } from "synckit";
import type { ReadClientCall } from "./read_client_worker";
import type { OffsetSpec, PartitionFetch, ReadClientConfig, TopicPartition } from "./read_client";

type Call = (call: ReadClientCall) => unknown;

let callWorker: Call | undefined;

/** The worker of this thread, started on first use. */
function worker(timeoutMs: number): Call {
  callWorker ??= createSyncFn<(call: ReadClientCall) => Promise<unknown>>(path.join(__dirname, "read_client_worker.js"), {
    timeout: timeoutMs,
    // The worker is plain compiled JavaScript: none of the parent's loaders (tsx) are needed there.
    execArgv: [],
    tsRunner: undefined,
  });
  return callWorker;
}

/** A connection to one Kafka cluster whose calls block until answered. */
export class BlockingKafkaReadClient {
  private readonly call: Call;

  private constructor(
    private readonly id: number,
    call: Call,
  ) {
    this.call = call;
  }

  /** Connects; fails within about `requestTimeoutMs` naming the brokers when none answers. */
  static open(config: ReadClientConfig): BlockingKafkaReadClient {
    // The worker's own bound is the request bound plus the client's retries; ours only catches a stuck worker.
    const call = worker(config.requestTimeoutMs * 4 + 10_000);
    const id = call({ op: "open", config }) as number;
    return new BlockingKafkaReadClient(id, call);
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
