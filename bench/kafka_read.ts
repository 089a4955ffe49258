/**
 * Throughput of `mr.io.kafka.read` on each runner, next to the client
 * library's own fetch loop on the same broker: a topic of `--records`
 * 100-byte records in `--topicPartitions` partitions is read up to its end
 * offsets and counted. Prints records/s per configuration and the load
 * average (the machine is shared).
 *
 *   npm run kafka:broker -- start        # prints the bootstrap address
 *   npm run bench:kafka-read -- --bootstrap=127.0.0.1:40123 [--records=200000 --topicPartitions=2]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import * as mr from "millrace";

const countRecords = mr.definePipeline(
  "kafkaReadCount",
  (p) => {
    p.apply(
      mr.io.kafka.read({
        bootstrapServers: p.options.get<string>("bootstrap")!,
        topics: [p.options.get<string>("topic")!],
        valueDeserializer: "bytes",
        stopAtEndOffsets: true,
      }),
    )
      .apply(mr.countGlobally())
      .map((n, ctx) => ctx.metrics.gauge("records").set(n));
  },
  {
    flags: {
      bootstrap: { type: "string", default: "127.0.0.1:9092", description: "the Kafka brokers" },
      topic: { type: "string", default: "", description: "the topic to read (made by the bench when empty)" },
      records: { type: "integer", min: 1, default: 200_000, description: "records in the topic" },
      topicPartitions: { type: "integer", min: 1, default: 2, description: "partitions of the topic" },
    },
  },
);

async function fillTopic(bootstrap: string, topic: string, records: number, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: "bench", bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  await admin.close();
  const producer = new Producer({ clientId: "bench", bootstrapBrokers: [bootstrap], idempotent: true, acks: -1 });
  const value = Buffer.alloc(100, 120);
  for (let i = 0; i < records; i += 5_000) {
    const n = Math.min(5_000, records - i);
    await producer.send({ messages: Array.from({ length: n }, (_, j) => ({ topic, partition: (i + j) % partitions, value })) });
  }
  await producer.close();
}

/** The client's own loop: fetch every partition from 0 to its end, counting records. */
async function clientFetchLoop(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const consumer = new Consumer({ clientId: "bench", bootstrapBrokers: [bootstrap], groupId: "bench-unused" });
  const t = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!;
  const ends = await consumer.listOffsets({ topics: [topic] });
  let count = 0;
  for (let partition = 0; partition < partitions; partition++) {
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
        for (const rec of b.records) if (b.firstOffset + BigInt(rec.offsetDelta) >= offset) count++;
        offset = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
      }
    }
  }
  await consumer.close();
  return count;
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), { flags: countRecords.flags });
  const bootstrap = options.get<string>("bootstrap")!;
  const records = options.get<number>("records")!;
  const partitions = options.get<number>("topicPartitions")!;
  const topic = `bench-read-${Date.now()}`;
  await fillTopic(bootstrap, topic, records, partitions);
  const report = (name: string, n: number, ms: number) =>
    console.log(
      `${name.padEnd(40)} ${String(n).padStart(8)} records  ${Math.round((n / ms) * 1000)
        .toString()
        .padStart(8)} records/s`,
    );

  let start = Date.now();
  report("client fetch loop (read_committed)", await clientFetchLoop(bootstrap, topic, partitions), Date.now() - start);
  const configs: [string, string[]][] = [
    ["direct", ["--runner=direct"]],
    ["direct (checks off)", ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"]],
    ["stream --parallelism=1", ["--runner=stream", "--parallelism=1"]],
    ["stream --parallelism=2", ["--runner=stream", "--parallelism=2"]],
    ["microbatch --partitions=2", ["--runner=microbatch", "--executors=2", "--partitions=2"]],
  ];
  for (const [name, args] of configs) {
    start = Date.now();
    const result = countRecords.create([...args, `--bootstrap=${bootstrap}`, `--topic=${topic}`]).run();
    await result.waitUntilFinish();
    report(`mr.io.kafka.read, ${name}`, result.metrics().gauges.records?.value ?? 0, Date.now() - start);
  }
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ${os.cpus().length} cores`,
  );
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
