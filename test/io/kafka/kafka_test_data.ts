/**
 * Writing test records to the test broker for the source's tests: plain
 * records at chosen partitions and timestamps, and transactions that are
 * committed or aborted, each send flushed on its own so a transaction
 * spans several record batches.
 */
import { Producer } from "@platformatic/kafka";

/** A record to write. */
export interface TestRecord {
  readonly partition: number;
  readonly value: string | Uint8Array;
  readonly key?: string;
  readonly timestamp?: number;
  readonly headers?: Record<string, string>;
}

function message(topic: string, r: TestRecord) {
  return {
    topic,
    partition: r.partition,
    value: typeof r.value === "string" ? Buffer.from(r.value) : Buffer.from(r.value),
    ...(r.key !== undefined ? { key: Buffer.from(r.key) } : {}),
    ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
    ...(r.headers ? { headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) } : {}),
  };
}

/**
 * Writes records (not transactional), one batch per call, with an
 * idempotent producer: a send retried while a new topic's leaders settle
 * must not write a record twice.
 */
export async function produce(bootstrap: string, topic: string, records: readonly TestRecord[]): Promise<void> {
  const producer = new Producer({
    clientId: "millrace-test-producer",
    bootstrapBrokers: [bootstrap],
    autocreateTopics: false,
    idempotent: true,
    acks: -1,
  });
  try {
    await producer.send({ messages: records.map((r) => message(topic, r)) });
  } finally {
    await producer.close();
  }
}

/** Writes each group of records as a transaction (one batch per record), committed or aborted as its `commit` says. */
export async function produceTransactions(
  bootstrap: string,
  topic: string,
  transactions: readonly { readonly records: readonly TestRecord[]; readonly commit: boolean }[],
  transactionalId: string,
): Promise<void> {
  const producer = new Producer({
    clientId: "millrace-test-txn-producer",
    bootstrapBrokers: [bootstrap],
    autocreateTopics: false,
    transactionalId,
    idempotent: true,
    timeout: 30_000,
  });
  try {
    for (const t of transactions) {
      const txn = await producer.beginTransaction();
      for (const r of t.records) await txn.send({ messages: [message(topic, r)] });
      if (t.commit) await txn.commit();
      else await txn.abort();
    }
  } finally {
    await producer.close();
  }
}
