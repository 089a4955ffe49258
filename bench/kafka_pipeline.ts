/**
 * Records/s of Kafka → map → Kafka: a topic of `--records` 100-byte records
 * in 4 partitions is read up to its end offsets, each value is mapped, and
 * the result is written to a new 4-partition topic, on the stream runner
 * (parallelism 1 and 2, checkpoints every 500 ms) and the micro-batch
 * runner, at-least-once and exactly-once; next to the Kafka client's own
 * consume + produce loop on the same broker (the library's fetch calls and
 * `RecordProducer`, the producer the sinks use: one transaction for
 * exactly-once). Each figure is one run from `run()` to DONE, worker
 * start-up included; the output is checked after the clock stops: a
 * read_committed fetch of it must find every record once. The stream runs also print
 * their checkpoint durations with the Kafka sink (trigger to metadata: the
 * barrier's flush and pre-commit included). The load average is printed
 * with each figure: the machine may be shared.
 *
 *   npm run bench:kafka-pipeline [-- --records=200000 --rounds=1]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import * as mr from "millrace";
import { RecordProducer } from "../sdk/io/kafka/record_producer";
import { TransactionCoordinators } from "../sdk/io/kafka/transaction_coordinator";

const PARTITIONS = 4;

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  records: { type: "integer" as const, min: 1, default: 200_000, description: "records in the input topic" },
  rounds: { type: "integer" as const, min: 1, default: 1, description: "rounds of every configuration (interleaved)" },
  input: { type: "string" as const, default: "", description: "(set per run)" },
  output: { type: "string" as const, default: "", description: "(set per run)" },
  guarantee: { type: "string" as const, default: "exactly-once", description: "(set per run)" },
};

/** Reads the input up to its end offsets, appends to each value, writes the output. */
const kafkaToKafka = mr.definePipeline(
  "kafkaToKafka",
  (p) => {
    const bootstrapServers = p.options.get<string>("bootstrap")!;
    p.apply("Read", mr.io.kafka.read({ bootstrapServers, topics: [p.options.get<string>("input")!], stopAtEndOffsets: true }))
      .apply(
        "Map",
        mr.map((v: string) => `${v}!`),
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
  { flags },
);

let topics = 0;
async function newTopic(bootstrap: string, base: string): Promise<string> {
  const topic = `bench-${base}-${process.pid}-${topics++}`;
  const admin = new Admin({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  } finally {
    await admin.close();
  }
  return topic;
}

async function fillTopic(bootstrap: string, topic: string, records: number): Promise<void> {
  const producer = new Producer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], idempotent: true, acks: -1 });
  const value = Buffer.alloc(100, 120);
  try {
    for (let i = 0; i < records; i += 5_000) {
      const n = Math.min(5_000, records - i);
      await producer.send({ messages: Array.from({ length: n }, (_, j) => ({ topic, partition: (i + j) % PARTITIONS, value })) });
    }
  } finally {
    await producer.close();
  }
}

type KafkaConsumer = InstanceType<typeof Consumer>;

/**
 * Fetches every partition of `topic` from offset 0 up to its last stable offset, read_committed, giving each record's
 * value to `onValue`. (The library's read_committed filter misses an abort marker that comes in a later fetch; the
 * runs here abort nothing.)
 */
async function fetchAll(consumer: KafkaConsumer, topic: string, onValue: (value: Buffer) => void): Promise<void> {
  const t = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!;
  const ends = await consumer.listOffsets({ topics: [topic], isolationLevel: 1 });
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const end = ends.get(topic)![partition]!;
    let offset = 0n;
    while (offset < end) {
      const r = await consumer.fetch({
        node: t.partitions[partition]!.leader,
        maxWaitTime: 0,
        isolationLevel: 1,
        topics: [
          {
            topicId: t.id,
            partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }],
          },
        ],
      });
      for (const b of r.responses[0]!.partitions[0]!.records ?? []) {
        // Control batches (transaction markers) carry no values.
        if ((b.attributes & 0x20) === 0) {
          for (const rec of b.records) if (b.firstOffset + BigInt(rec.offsetDelta) >= offset) onValue(rec.value ?? Buffer.alloc(0));
        }
        offset = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
      }
    }
  }
}

function newConsumer(bootstrap: string): KafkaConsumer {
  return new Consumer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], groupId: "millrace-bench-unused" });
}

/** The client's own loop: fetch each partition to its end (read_committed), append to each value, produce it. */
async function clientLoop(bootstrap: string, input: string, output: string, exactlyOnce: boolean): Promise<number> {
  const started = performance.now();
  const consumer = newConsumer(bootstrap);
  const producer = new RecordProducer({
    bootstrap: [bootstrap],
    clientId: "millrace-bench",
    transform: "bench",
    guarantee: exactlyOnce ? "exactly-once" : "at-least-once",
    ...(exactlyOnce ? { transactionalId: `bench-${process.pid}-${output}`, transactionTimeoutMs: 60_000 } : {}),
  });
  let count = 0;
  const bang = Buffer.from("!");
  try {
    await fetchAll(consumer, input, (value) => {
      producer.send({ topic: output, value: Buffer.concat([value, bang]) });
      count++;
    });
    await commitIfTransactional(bootstrap, await producer.flush());
  } finally {
    await producer.close();
    await consumer.close();
  }
  return count / ((performance.now() - started) / 1000);
}

/** Commits the client loop's transaction (exactly-once): its records count only once they are visible. */
async function commitIfTransactional(bootstrap: string, handle: Awaited<ReturnType<RecordProducer["flush"]>>): Promise<void> {
  if (handle === undefined) return;
  const coordinators = new TransactionCoordinators([bootstrap], "millrace-bench");
  try {
    const outcome = await coordinators.endTransaction(handle, true);
    if (outcome !== "done") throw new Error(`the client loop's transaction did not commit: ${outcome}`);
  } finally {
    await coordinators.close();
  }
}

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** Fails the bench when the output is not every input record once (a figure of a broken run is worth nothing). */
async function checkOutput(bootstrap: string, output: string, n: number, label: string): Promise<void> {
  const consumer = newConsumer(bootstrap);
  let got = 0;
  try {
    await fetchAll(consumer, output, () => got++);
  } finally {
    await consumer.close();
  }
  if (got !== n) throw new Error(`${label}: a read_committed reader sees ${got} records in the output, not ${n}`);
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), { flags: kafkaToKafka.flags });
  const bootstrap = options.get<string>("bootstrap")!;
  const n = options.get<number>("records")!;
  const rounds = options.get<number>("rounds")!;
  const input = await newTopic(bootstrap, "in");
  await fillTopic(bootstrap, input, n);
  console.log(
    `Kafka -> map -> Kafka, ${n.toLocaleString("en-US")} records of 100 bytes in ${PARTITIONS} partitions, broker ${bootstrap}, ${os.cpus().length} cores`,
  );
  const runs: Array<{ label: string; args: string[] }> = [
    { label: "stream p=1", args: ["--runner=stream", "--parallelism=1", "--checkpointingIntervalMs=500"] },
    { label: "stream p=2", args: ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=500"] },
    { label: "microbatch (2 executors)", args: ["--runner=microbatch", "--executors=2", "--partitions=2"] },
  ];
  for (let round = 1; round <= rounds; round++) {
    for (const guarantee of ["at-least-once", "exactly-once"]) {
      const exactlyOnce = guarantee === "exactly-once";
      const clientOutput = await newTopic(bootstrap, "out");
      const rate = await clientLoop(bootstrap, input, clientOutput, exactlyOnce);
      await checkOutput(bootstrap, clientOutput, n, "client loop");
      console.log(
        `client consume+produce loop, ${exactlyOnce ? "one transaction" : "idempotent, acks=all"}: ${Math.round(rate).toLocaleString("en-US")} records/s  (load ${load()})`,
      );
      for (const run of runs) {
        const output = await newTopic(bootstrap, "out");
        const started = performance.now();
        const result = kafkaToKafka
          .create([...run.args, `--bootstrap=${bootstrap}`, `--input=${input}`, `--output=${output}`, `--guarantee=${guarantee}`])
          .run();
        await result.waitUntilFinish();
        const seconds = (performance.now() - started) / 1000;
        await checkOutput(bootstrap, output, n, run.label);
        const d = result.metrics().distributions["stream/checkpointDurationMs"];
        const checkpoints = d ? `; checkpoints: ${d.count}, mean ${Math.round(d.sum / d.count)} ms, max ${Math.round(d.max)} ms` : "";
        console.log(
          `mr ${run.label}, ${guarantee}: ${Math.round(n / seconds).toLocaleString("en-US")} records/s${checkpoints}  (load ${load()})`,
        );
      }
    }
  }
}

if (isMainThread && require.main === module) {
  main()
    .then(() => process.exit(0))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
