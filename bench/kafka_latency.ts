/**
 * End-to-end latency of Kafka → map → Kafka at a fixed input rate: a
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
 * Records carry a sequence number too, so a record that arrives again (which
 * at-least-once allows) is counted, not measured twice. Each runner runs
 * once unmeasured first, so that the process's cold start (workers, Kafka
 * threads, compiling) does not fall on whichever configuration is first.
 *
 *   npm run bench:kafka-latency [-- --rate=2000 --seconds=10 --warmupSeconds=3 --only=exactly-once]
 */
import * as os from "node:os";
import { Producer } from "@platformatic/kafka";
import * as mr from "millrace";
import { benchConsumer, fetchCommitted, kafkaToKafka, loadAverage, newTopic, runBench, warmUpRunners } from "./kafka_bench_support";

const PARTITIONS = 2;

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  rate: { type: "integer" as const, min: 1, default: 2_000, description: "records per second written to the input" },
  seconds: { type: "integer" as const, min: 1, default: 10, description: "seconds of input measured" },
  warmupSeconds: { type: "integer" as const, min: 0, default: 3, description: "seconds of input before the measured ones" },
  only: { type: "string" as const, default: "", description: "run only the configurations whose label contains this" },
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `rate` records/s for `seconds`, each value `<sequence number> <send time>` (ms since the epoch); returns how many it sent. */
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
        const now = Date.now();
        const messages = Array.from({ length: due - sent }, (_, i) => ({
          topic,
          partition: (sent + i) % PARTITIONS,
          value: Buffer.from(`${sent + i} ${now}`),
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
  onRecord: (sequence: number, sentAt: number, arrivedAt: number) => void,
  stop: () => boolean,
): Promise<void> {
  const consumer = benchConsumer(bootstrap);
  try {
    await fetchCommitted(
      consumer,
      topic,
      () => !stop(),
      (value, arrivedAt) => {
        const [sequence, sentAt] = value.toString().split(" ");
        onRecord(Number(sequence), Number(sentAt), arrivedAt);
      },
    );
  } finally {
    await consumer.close();
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), { flags });
  const bootstrap = options.get<string>("bootstrap")!;
  const rate = options.get<number>("rate")!;
  const seconds = options.get<number>("seconds")!;
  const warmup = options.get<number>("warmupSeconds")!;
  console.log(
    `Kafka -> map -> Kafka latency at ${rate.toLocaleString("en-US")} records/s, ${seconds} s measured after ${warmup} s, broker ${bootstrap}, ${os.cpus().length} cores`,
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
  const only = options.get<string>("only")!;
  const chosen = runs.filter((r) => `${r.label}, ${r.guarantee}`.includes(only));
  // One warm-up per runner among the chosen: the first job of a process starts its workers (see `warmUpRunners`).
  const runners = [...new Set(chosen.map((r) => r.args[0]!))];
  await warmUpRunners(
    bootstrap,
    runners.map((runner) => chosen.find((r) => r.args[0] === runner)!.args),
  );
  for (const run of chosen) {
    const input = await newTopic(bootstrap, "lat-in", PARTITIONS);
    const output = await newTopic(bootstrap, "lat-out", PARTITIONS);
    const result = kafkaToKafka
      .create([...run.args, `--bootstrap=${bootstrap}`, `--input=${input}`, `--output=${output}`, `--guarantee=${run.guarantee}`])
      .run();
    // The records of the first `warmup` seconds are not measured; a record seen again (at-least-once) is counted.
    const measuredFrom = warmup * rate;
    const latencies: number[] = [];
    const seen = new Set<number>();
    let duplicates = 0;
    let arrived = 0;
    let sent = Infinity;
    let lastSendAt = Infinity;
    const measuring = measureOutput(
      bootstrap,
      output,
      (sequence, sentAt, arrivedAt) => {
        if (seen.has(sequence)) {
          duplicates++;
          return;
        }
        seen.add(sequence);
        arrived++;
        if (sequence >= measuredFrom) latencies.push(arrivedAt - sentAt);
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
    const twice = duplicates > 0 ? `; ${duplicates} records arrived again` : "";
    console.log(
      `${run.label}, ${run.guarantee}: p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms, max ${latencies[latencies.length - 1]} ms (${latencies.length} records)${checkpoints}${missing}${twice}  (load ${loadAverage()})`,
    );
  }
}

runBench(module, main);
