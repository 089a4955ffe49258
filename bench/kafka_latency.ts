/**
 * End-to-end latency of Kafka → copy → Kafka at a fixed input rate: a
 * producer writes `--rate` records/s (its send time in each record's value)
 * into a 2-partition topic while a job copies them to another topic, and a
 * read_committed fetch loop on that topic measures arrival minus send time
 * for each record sent after `--warmupSeconds`, for `--seconds`. Printed
 * per configuration: p50, p99 and max in ms, and for the stream runner the
 * checkpoint durations with the Kafka sink. Exactly-once output becomes
 * visible only when its checkpoint (stream) or batch (micro-batch) commits,
 * so its latency includes the checkpoint or batch interval: each is
 * measured at a few intervals. The producer and the measuring consumer
 * share this process's event loop (the job runs in its own workers), so a
 * busy machine adds to every figure: the load average is printed with each.
 *
 *   npm run bench:kafka-latency [-- --rate=2000 --seconds=10 --warmupSeconds=3]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import * as mr from "millrace";

const PARTITIONS = 2;

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  rate: { type: "integer" as const, min: 1, default: 2_000, description: "records per second written to the input" },
  seconds: { type: "integer" as const, min: 1, default: 10, description: "seconds of input measured" },
  warmupSeconds: { type: "integer" as const, min: 0, default: 3, description: "seconds of input before the measured ones" },
  input: { type: "string" as const, default: "", description: "(set per run)" },
  output: { type: "string" as const, default: "", description: "(set per run)" },
  guarantee: { type: "string" as const, default: "exactly-once", description: "(set per run)" },
};

/** Copies each record's value from the input to the output topic, unbounded. */
const kafkaCopy = mr.definePipeline(
  "kafkaCopy",
  (p) => {
    const bootstrapServers = p.options.get<string>("bootstrap")!;
    p.apply("Read", mr.io.kafka.read({ bootstrapServers, topics: [p.options.get<string>("input")!] }))
      .apply(
        "Copy",
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `rate` records/s for `seconds`, each value its send time (ms since the epoch); returns how many it sent. */
async function paceInput(bootstrap: string, topic: string, rate: number, seconds: number): Promise<number> {
  const producer = new Producer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], idempotent: true, acks: -1 });
  const total = rate * seconds;
  const started = Date.now();
  let sent = 0;
  try {
    while (sent < total) {
      // Catch up to the schedule: a slow send is followed by a larger one, so the rate holds on average.
      const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
      if (due > sent) {
        const now = String(Date.now());
        const messages = Array.from({ length: due - sent }, (_, i) => ({
          topic,
          partition: (sent + i) % PARTITIONS,
          value: Buffer.from(now),
        }));
        sent = due;
        await producer.send({ messages });
      }
      await sleep(5);
    }
  } finally {
    await producer.close();
  }
  return sent;
}

/** Fetches the output topic (read_committed) until `stop()`, giving each record's send time and its arrival time. */
async function measureOutput(
  bootstrap: string,
  topic: string,
  onRecord: (sentAt: number, arrivedAt: number) => void,
  stop: () => boolean,
): Promise<void> {
  const consumer = new Consumer({ clientId: "millrace-bench", bootstrapBrokers: [bootstrap], groupId: "millrace-bench-unused" });
  try {
    const t = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!;
    const offsets = new Array<bigint>(PARTITIONS).fill(0n);
    while (!stop()) {
      const r = await consumer.fetch({
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
      const arrivedAt = Date.now();
      for (const p of r.responses[0]!.partitions) {
        for (const b of p.records ?? []) {
          // Control batches (transaction markers) carry no values.
          if ((b.attributes & 0x20) === 0) {
            for (const rec of b.records) {
              if (b.firstOffset + BigInt(rec.offsetDelta) >= offsets[p.partitionIndex]!) onRecord(Number(rec.value!.toString()), arrivedAt);
            }
          }
          offsets[p.partitionIndex] = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
        }
      }
    }
  } finally {
    await consumer.close();
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), { flags: kafkaCopy.flags });
  const bootstrap = options.get<string>("bootstrap")!;
  const rate = options.get<number>("rate")!;
  const seconds = options.get<number>("seconds")!;
  const warmup = options.get<number>("warmupSeconds")!;
  console.log(
    `Kafka -> copy -> Kafka latency at ${rate.toLocaleString("en-US")} records/s, ${seconds} s measured after ${warmup} s, broker ${bootstrap}, ${os.cpus().length} cores`,
  );
  const runs: Array<{ label: string; guarantee: string; args: string[] }> = [
    {
      label: "stream p=1, checkpoints 1000 ms",
      guarantee: "at-least-once",
      args: ["--runner=stream", "--parallelism=1", "--checkpointingIntervalMs=1000"],
    },
    ...[200, 1000, 2000].map((ms) => ({
      label: `stream p=1, checkpoints ${ms} ms`,
      guarantee: "exactly-once",
      args: ["--runner=stream", "--parallelism=1", `--checkpointingIntervalMs=${ms}`],
    })),
    {
      label: "microbatch, batches 200 ms",
      guarantee: "at-least-once",
      args: ["--runner=microbatch", "--executors=1", "--partitions=1", "--batchIntervalMs=200"],
    },
    ...[200, 1000].map((ms) => ({
      label: `microbatch, batches ${ms} ms`,
      guarantee: "exactly-once",
      args: ["--runner=microbatch", "--executors=1", "--partitions=1", `--batchIntervalMs=${ms}`],
    })),
  ];
  for (const run of runs) {
    const input = await newTopic(bootstrap, "lat-in");
    const output = await newTopic(bootstrap, "lat-out");
    const result = kafkaCopy
      .create([...run.args, `--bootstrap=${bootstrap}`, `--input=${input}`, `--output=${output}`, `--guarantee=${run.guarantee}`])
      .run();
    const measuredFrom = Date.now() + warmup * 1000;
    const latencies: number[] = [];
    let arrived = 0;
    let sent = Infinity;
    let lastSendAt = Infinity;
    const measuring = measureOutput(
      bootstrap,
      output,
      (sentAt, arrivedAt) => {
        arrived++;
        if (sentAt >= measuredFrom) latencies.push(arrivedAt - sentAt);
      },
      // Until every record arrived, or a minute after the last was sent (a guard: the figure then says how many came).
      () => arrived >= sent || Date.now() > lastSendAt + 60_000,
    );
    sent = await paceInput(bootstrap, input, rate, warmup + seconds);
    lastSendAt = Date.now();
    await measuring;
    await result.cancel();
    await result.waitUntilFinish().catch(() => undefined);
    latencies.sort((a, b) => a - b);
    const d = result.metrics().distributions["stream/checkpointDurationMs"];
    const checkpoints = d ? `; checkpoints: ${d.count}, mean ${Math.round(d.sum / d.count)} ms, max ${Math.round(d.max)} ms` : "";
    const missing = arrived < sent ? `; ONLY ${arrived} of ${sent} records arrived` : "";
    console.log(
      `${run.label}, ${run.guarantee}: p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms, max ${latencies[latencies.length - 1]} ms (${latencies.length} records)${checkpoints}${missing}  (load ${load()})`,
    );
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
