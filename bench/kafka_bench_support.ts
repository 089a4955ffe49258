/**
 * What the Kafka benches share: the Kafka → map → Kafka pipeline they time,
 * topics of their own, a read_committed fetch loop over every partition of
 * a topic (for the client's own loop and for checking or timing the
 * output), the commit of a client loop's transaction, the warm-up and
 * the alternating order that keep a process's cold start off one
 * guarantee's figures, the load average printed with each figure, and the
 * way a bench script ends.
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import * as mr from "millrace";
import type { RecordProducer } from "../sdk/io/kafka/record_producer";
import { TransactionCoordinators } from "../sdk/io/kafka/transaction_coordinator";

/** Kafka's flag of a control batch (transaction markers: no values). */
const CONTROL_BATCH = 0x20;

/** Reads `--input` (up to its end offsets with `--bounded`), copies each value, writes `--output` with `--guarantee`. */
export const kafkaToKafka = mr.definePipeline(
  "kafkaToKafka",
  (p) => {
    const bootstrapServers = p.options.get<string>("bootstrap")!;
    const stopAtEndOffsets = p.options.get<boolean>("bounded")!;
    p.apply("Read", mr.io.kafka.read({ bootstrapServers, topics: [p.options.get<string>("input")!], stopAtEndOffsets }))
      .apply(
        "Map",
        mr.map((v: string) => v),
      )
      .apply(
        "Write",
        mr.io.kafka.write({
          bootstrapServers,
          topic: p.options.get<string>("output")!,
          deliveryGuarantee: p.options.get<string>("guarantee") as "exactly-once",
        }),
      );
  },
  {
    flags: {
      bootstrap: { type: "string", default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
      input: { type: "string", default: "", description: "the topic read" },
      output: { type: "string", default: "", description: "the topic written" },
      guarantee: { type: "string", default: "exactly-once", description: "the sink's delivery guarantee" },
      bounded: { type: "boolean", default: false, description: "read up to the end offsets at the start" },
    },
  },
);

let topics = 0;

/** Creates a topic no other run uses, with `partitions` partitions. */
export async function newTopic(bootstrap: string, base: string, partitions: number): Promise<string> {
  const topic = `bench-${base}-${process.pid}-${topics++}`;
  const admin = new Admin({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
  return topic;
}

/** Writes `records` 100-byte values round-robin over `partitions` partitions of `topic`. */
export async function fillTopic(bootstrap: string, topic: string, records: number, partitions: number): Promise<void> {
  const producer = new Producer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], idempotent: true, acks: -1 });
  const value = Buffer.alloc(100, 120);
  try {
    for (let i = 0; i < records; i += 5_000) {
      const n = Math.min(5_000, records - i);
      await producer.send({ messages: Array.from({ length: n }, (_, j) => ({ topic, partition: (i + j) % partitions, value })) });
    }
  } finally {
    await producer.close();
  }
}

/** The guarantees a bench compares. */
export type BenchGuarantee = "at-least-once" | "exactly-once";

/**
 * The order the guarantees run in, round by round: alternated, so that
 * neither always runs right after the other's configuration of the same
 * runner (or first), whatever is left warm or busy behind it.
 */
export function guaranteeOrder(round: number): readonly BenchGuarantee[] {
  return round % 2 === 1 ? ["at-least-once", "exactly-once"] : ["exactly-once", "at-least-once"];
}

/**
 * Runs Kafka → map → Kafka once per runner configuration and guarantee on
 * 2,000 records, unmeasured. The first job of a process starts the
 * runner's workers, their Kafka threads and connections and compiles the
 * code on the way: 1-3 s on the shared machine, which landed on whichever
 * guarantee was measured first (at-least-once, 4,000 against 16,000
 * records/s with 20,000 records; swapping the order swapped the figures).
 */
export async function warmUpRunners(bootstrap: string, runnerArgs: ReadonlyArray<readonly string[]>): Promise<void> {
  const started = performance.now();
  const input = await newTopic(bootstrap, "warm-in", 2);
  await fillTopic(bootstrap, input, 2_000, 2);
  for (const args of runnerArgs) {
    for (const guarantee of guaranteeOrder(1)) {
      const output = await newTopic(bootstrap, "warm-out", 2);
      await kafkaToKafka
        .create([...args, `--bootstrap=${bootstrap}`, `--input=${input}`, `--output=${output}`, `--guarantee=${guarantee}`, "--bounded"])
        .run()
        .waitUntilFinish();
    }
  }
  console.log(
    `(warm-up, unmeasured: ${runnerArgs.length * 2} runs of 2,000 records, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/** A consumer for raw fetches (no group membership). */
export function benchConsumer(bootstrap: string): Consumer {
  return new Consumer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], groupId: "millrace-bench-unused" });
}

/**
 * Fetches every partition of `topic` read_committed from offset 0 while `more(offsets)` holds, giving each record's
 * value (and the time its response came) to `onValue`. (The library's read_committed filter misses an abort marker
 * that comes in a later fetch; the benches abort nothing.)
 */
export async function fetchCommitted(
  consumer: Consumer,
  topic: string,
  more: (offsets: readonly bigint[]) => boolean,
  onValue: (value: Buffer, arrivedAt: number) => void,
): Promise<void> {
  let t = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!;
  const offsets = new Array<bigint>(t.partitionsCount).fill(0n);
  let failures = 0;
  while (more(offsets)) {
    let r: Awaited<ReturnType<Consumer["fetch"]>>;
    try {
      r = await fetchOnce(consumer, t, offsets);
      failures = 0;
    } catch (e) {
      // A new topic's partitions may not have a leader yet: look again, a bounded number of times.
      if (++failures > 50) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
      t = (await consumer.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)!;
      continue;
    }
    const arrivedAt = Date.now();
    for (const p of r.responses[0]!.partitions) {
      for (const b of p.records ?? []) {
        if ((b.attributes & CONTROL_BATCH) === 0) {
          for (const rec of b.records) {
            if (b.firstOffset + BigInt(rec.offsetDelta) >= offsets[p.partitionIndex]!) onValue(rec.value ?? Buffer.alloc(0), arrivedAt);
          }
        }
        offsets[p.partitionIndex] = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
      }
    }
  }
}

type TopicMetadata = NonNullable<ReturnType<Awaited<ReturnType<Consumer["metadata"]>>["topics"]["get"]>>;

/** One fetch of every partition of a topic at `offsets`, read_committed. */
function fetchOnce(consumer: Consumer, t: TopicMetadata, offsets: readonly bigint[]): ReturnType<Consumer["fetch"]> {
  return consumer.fetch({
    node: t.partitions[0]!.leader,
    maxWaitTime: 5,
    isolationLevel: 1,
    topics: [
      {
        topicId: t.id,
        partitions: offsets.map((fetchOffset, partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset,
          lastFetchedEpoch: -1,
          partitionMaxBytes: 1 << 20,
        })),
      },
    ],
  });
}

/** Fetches every committed record of `topic` (up to its last stable offsets when called). */
export async function fetchAllCommitted(consumer: Consumer, topic: string, onValue: (value: Buffer) => void): Promise<void> {
  const ends = (await consumer.listOffsets({ topics: [topic], isolationLevel: 1 })).get(topic)!;
  await fetchCommitted(consumer, topic, (offsets) => offsets.some((o, i) => o < ends[i]!), onValue);
}

/** Commits a client loop's transaction (exactly-once): its records count only once they are visible. */
export async function commitIfTransactional(bootstrap: string, handle: Awaited<ReturnType<RecordProducer["flush"]>>): Promise<void> {
  if (handle === undefined) return;
  const coordinators = new TransactionCoordinators([bootstrap], "millrace-bench");
  try {
    const outcome = await coordinators.endTransaction(handle, true);
    if (outcome !== "done") throw new Error(`the client loop's transaction did not commit: ${outcome}`);
  } finally {
    await coordinators.close();
  }
}

/** The load average (1, 5, 15 minutes), printed with each figure: the machine may be shared. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

/** Runs a bench's main when its file is the program (not when a worker loads it for its pipeline). */
export function runBench(module: NodeModule, main: () => Promise<void>): void {
  if (!isMainThread || require.main !== module) return;
  main()
    .then(() => process.exit(0))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
