/**
 * The source's Kafka client calls as messages, answered on the Kafka thread
 * (`kafka_io_worker.ts`) for the source's blocking client
 * (`blocking_read_client.ts`): DoFns run synchronously, every Kafka client
 * is asynchronous, so the thread keeps the connections open between calls
 * and the source waits for each answer. Clients are kept by id.
 */
import { KafkaReadClient, type OffsetSpec, type ReadClientConfig, type TopicPartition } from "./read_client";

/** The calls the Kafka thread answers for the source, with their arguments. */
export type ReadClientCall =
  | { op: "open"; config: ReadClientConfig }
  | { op: "topicsMatching"; client: number; pattern: string }
  | { op: "partitionsOf"; client: number; topics: readonly string[] }
  | { op: "offsetsFor"; client: number; partitions: readonly TopicPartition[]; spec: OffsetSpec; readCommitted: boolean }
  | { op: "committedOffsets"; client: number; groupId: string; partitions: readonly TopicPartition[] }
  | { op: "commitOffsets"; client: number; groupId: string; offsets: ReadonlyMap<string, bigint> }
  | { op: "fetch"; client: number; tp: TopicPartition; offset: bigint; maxWaitMs: number; maxBytes: number; readCommitted: boolean }
  | { op: "close"; client: number };

const clients = new Map<number, KafkaReadClient>();
let nextId = 1;

function clientOf(id: number): KafkaReadClient {
  const c = clients.get(id);
  if (!c) throw new Error(`Kafka read client ${id} is closed`);
  return c;
}

/** Answers one call (on the Kafka thread). */
export async function answerReadCall(call: ReadClientCall): Promise<unknown> {
  switch (call.op) {
    case "open": {
      const client = await KafkaReadClient.open(call.config);
      const id = nextId++;
      clients.set(id, client);
      return id;
    }
    case "topicsMatching":
      return clientOf(call.client).topicsMatching(new RegExp(call.pattern));
    case "partitionsOf":
      return clientOf(call.client).partitionsOf(call.topics);
    case "offsetsFor":
      return clientOf(call.client).offsetsFor(call.partitions, call.spec, call.readCommitted);
    case "committedOffsets":
      return clientOf(call.client).committedOffsets(call.groupId, call.partitions);
    case "commitOffsets":
      return clientOf(call.client).commitOffsets(call.groupId, call.offsets);
    case "fetch":
      return clientOf(call.client).fetch(call.tp, call.offset, {
        maxWaitMs: call.maxWaitMs,
        maxBytes: call.maxBytes,
        readCommitted: call.readCommitted,
      });
    case "close": {
      const c = clients.get(call.client);
      clients.delete(call.client);
      await c?.close();
      return undefined;
    }
  }
}
