/**
 * What a read_committed consumer of a topic sees, read independently of the
 * code under test: every committed record of every partition, in offset
 * order, up to each partition's last stable offset. Aborted records are
 * dropped with the broker's aborted-transaction index as Kafka's own
 * consumer does it (a transaction's records are skipped from its first
 * offset until its ABORT marker, even when the marker arrives in a later
 * fetch response than the records).
 */
import { until } from "./until";
import { Admin, Connection, fetchV17, listOffsetsV9 } from "@platformatic/kafka";

/** One record as the test sees it. */
export interface CommittedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
const LATEST = -1n;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/**
 * The committed records of `topic` once at least `count` are visible. A
 * transaction coordinator answers the commit before it writes the commit
 * markers, so a read right after a commit may not see it yet.
 */
export async function readCommittedOnceVisible(bootstrap: string, topic: string, count: number): Promise<CommittedRecord[]> {
  let records: CommittedRecord[] = [];
  await until(async () => (records = await readCommitted(bootstrap, topic)).length >= count, `${count} committed record(s) in ${topic}`);
  return records;
}

/** The committed records of `topic`, up to the last stable offset of each partition when called. */
export async function readCommitted(bootstrap: string, topic: string): Promise<CommittedRecord[]> {
  const admin = new Admin({ clientId: "millrace-test-reader", bootstrapBrokers: [bootstrap] });
  const connection = new Connection("millrace-test-reader");
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    const t = metadata.topics.get(topic);
    if (t === undefined) throw new Error(`no topic '${topic}'`);
    const [host, port] = bootstrap.split(":");
    await connection.connect(host, Number(port));
    const out: CommittedRecord[] = [];
    for (let partition = 0; partition < t.partitionsCount; partition++) {
      const end = await endOffset(connection, topic, partition, READ_COMMITTED);
      out.push(...(await readPartition(connection, t.id, partition, end)));
    }
    return out;
  } finally {
    await connection.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

/** The end offset of a partition: the high watermark (read_uncommitted) or the last stable offset (read_committed). */
export async function endOffset(connection: Connection, topic: string, partition: number, isolation = READ_UNCOMMITTED): Promise<number> {
  const r = await listOffsetsV9.api.async(connection, -1, isolation, [
    { name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: LATEST }] },
  ]);
  return Number(r.topics[0].partitions[0].offset);
}

/** True when every partition of `topic` has no open transaction (its last stable offset is its high watermark). */
export async function hasNoOpenTransaction(bootstrap: string, topic: string): Promise<boolean> {
  const admin = new Admin({ clientId: "millrace-test-reader", bootstrapBrokers: [bootstrap] });
  const connection = new Connection("millrace-test-reader");
  try {
    const t = (await admin.metadata({ topics: [topic] })).topics.get(topic)!;
    const [host, port] = bootstrap.split(":");
    await connection.connect(host, Number(port));
    for (let p = 0; p < t.partitionsCount; p++) {
      if ((await endOffset(connection, topic, p, READ_COMMITTED)) !== (await endOffset(connection, topic, p, READ_UNCOMMITTED)))
        return false;
    }
    return true;
  } finally {
    await connection.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

async function readPartition(connection: Connection, topicId: string, partition: number, end: number): Promise<CommittedRecord[]> {
  const out: CommittedRecord[] = [];
  /** Aborted transactions the broker listed, by producer id: their first offsets, not reached yet. */
  const pendingAborts: Array<{ producerId: bigint; firstOffset: bigint }> = [];
  const abortedProducers = new Set<bigint>();
  let offset = 0;
  while (offset < end) {
    const r = await fetchV17.api.async(
      connection,
      0,
      1,
      1 << 20,
      READ_COMMITTED,
      0,
      -1,
      [
        {
          topicId,
          partitions: [
            { partition, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      [],
      "",
    );
    const p = r.responses[0].partitions[0];
    for (const a of p.abortedTransactions ?? []) {
      if (!pendingAborts.some((x) => x.producerId === a.producerId && x.firstOffset === a.firstOffset)) pendingAborts.push(a);
    }
    pendingAborts.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    const batches = p.records ?? [];
    if (batches.length === 0) break;
    for (const batch of batches) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      while (pendingAborts.length > 0 && pendingAborts[0].firstOffset <= lastOffset)
        abortedProducers.add(pendingAborts.shift()!.producerId);
      if ((batch.attributes & CONTROL) !== 0) {
        // An ABORT or COMMIT marker ends its producer's transaction.
        abortedProducers.delete(batch.producerId);
      } else if (!((batch.attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId))) {
        for (const rec of batch.records) {
          const recordOffset = Number(batch.firstOffset) + rec.offsetDelta;
          if (recordOffset < offset || recordOffset >= end) continue;
          out.push({
            partition,
            offset: recordOffset,
            key: rec.key === null ? null : rec.key.toString("utf8"),
            value: rec.value === null ? null : rec.value.toString("utf8"),
            timestamp: Number(batch.firstTimestamp + rec.timestampDelta),
            headers: rec.headers.map(([k, v]) => [k?.toString("utf8") ?? "", v?.toString("utf8") ?? ""] as const),
          });
        }
      }
      offset = Math.max(offset, Number(lastOffset) + 1);
    }
  }
  return out;
}
