/**
 * Records/s into Kafka: generated numbers → map → io.kafka.write on the
 * stream runner (parallelism 1 and 2, checkpoints every 500 ms) and the
 * micro-batch runner, exactly-once and at-least-once, next to the Kafka
 * client's own produce loop (`RecordProducer`, the producer the sinks use)
 * on the same broker; and the stream runner's checkpoint durations with the
 * Kafka sink (trigger to metadata, the barrier's flush included).
 *
 * The micro-batch runs are bounded jobs, so they publish bundle by bundle
 * (a transaction per bundle for exactly-once); an unbounded job's
 * per-batch transactions are paced by its source and not measured here.
 * The source is generated, not read from Kafka: `io.kafka.read` is built
 * separately. Each figure is one run, from `run()` to DONE (worker start-up
 * included), with the machine's load average printed next to it, after
 * an unmeasured warm-up of each configuration (a process's cold start is
 * not a guarantee's cost).
 *
 *   npm run bench:kafka [-- --records=200000]
 */
import * as os from "node:os";
import * as mr from "millrace";
import { RecordProducer } from "../sdk/io/kafka/record_producer";
import { commitIfTransactional, guaranteeOrder, loadAverage, newTopic, runBench } from "./kafka_bench_support";

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  records: { type: "integer" as const, min: 1, default: 200_000, description: "records per run" },
  topic: { type: "string" as const, default: "", description: "(set per run)" },
  guarantee: { type: "string" as const, default: "exactly-once", description: "(set per run)" },
};

const numbersToKafka = mr.definePipeline(
  "numbersToKafka",
  (p) => {
    p.apply("Numbers", mr.generateSequence({ from: 0, to: p.options.get<number>("records")! }))
      .apply(
        "Map",
        mr.map((x: number) => mr.kv(String(x % 100), `value-${x}`)),
      )
      .apply(
        "Write",
        mr.io.kafka.write({
          bootstrapServers: p.options.get<string>("bootstrap")!,
          topic: p.options.get<string>("topic")!,
          deliveryGuarantee: p.options.get<string>("guarantee") as "exactly-once",
        }),
      );
  },
  { flags },
);

async function clientLoop(bootstrap: string, n: number, exactlyOnce: boolean): Promise<number> {
  const topic = await newTopic(bootstrap, "sink", 4);
  const started = performance.now();
  const producer = new RecordProducer({
    bootstrap: [bootstrap],
    clientId: "millrace-bench",
    transform: "bench",
    guarantee: exactlyOnce ? "exactly-once" : "at-least-once",
    ...(exactlyOnce ? { transactionalId: `bench-${process.pid}-${topic}`, transactionTimeoutMs: 60_000 } : {}),
  });
  for (let x = 0; x < n; x++) producer.send({ topic, key: Buffer.from(String(x % 100)), value: Buffer.from(`value-${x}`) });
  await commitIfTransactional(bootstrap, await producer.flush());
  await producer.close();
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: string): string =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const bootstrap = value("bootstrap", flags.bootstrap.default);
  const n = Number(value("records", String(flags.records.default)));
  console.log(`Kafka sink throughput, ${n.toLocaleString("en-US")} records per run, broker ${bootstrap}, ${os.cpus().length} cores`);
  const runs: Array<{ label: string; args: string[] }> = [
    { label: "stream p=1", args: ["--runner=stream", "--parallelism=1", "--checkpointingIntervalMs=500"] },
    { label: "stream p=2", args: ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=500"] },
    { label: "microbatch (bounded: per bundle)", args: ["--runner=microbatch"] },
  ];
  const runJob = async (args: readonly string[], guarantee: string, records: number) => {
    const topic = await newTopic(bootstrap, "sink", 4);
    const started = performance.now();
    const result = numbersToKafka
      .create([...args, `--bootstrap=${bootstrap}`, `--topic=${topic}`, `--records=${records}`, `--guarantee=${guarantee}`])
      .run();
    await result.waitUntilFinish();
    return { seconds: (performance.now() - started) / 1000, result };
  };
  // Unmeasured: a process's first producer and first job of each runner start workers and compile code,
  // a cost that would land on whichever guarantee came first (see `warmUpRunners`).
  const warmStart = performance.now();
  for (const exactlyOnce of [false, true]) await clientLoop(bootstrap, 2_000, exactlyOnce);
  for (const run of runs) for (const guarantee of guaranteeOrder(1)) await runJob(run.args, guarantee, 2_000);
  console.log(`(warm-up, unmeasured: ${((performance.now() - warmStart) / 1000).toFixed(1)} s)`);
  for (const guarantee of guaranteeOrder(1)) {
    const exactlyOnce = guarantee === "exactly-once";
    const rate = await clientLoop(bootstrap, n, exactlyOnce);
    console.log(
      `client produce loop (${exactlyOnce ? "one transaction, committed" : "idempotent, acks=all"}): ${Math.round(rate).toLocaleString("en-US")} records/s  (load ${loadAverage()})`,
    );
  }
  for (const run of runs) {
    // Each runner's two guarantees back to back, the order alternating between runners.
    for (const guarantee of guaranteeOrder(runs.indexOf(run) + 1)) {
      const { seconds, result } = await runJob(run.args, guarantee, n);
      const d = result.metrics().distributions["stream/checkpointDurationMs"];
      const checkpoints = d ? `; checkpoints: ${d.count}, mean ${Math.round(d.sum / d.count)} ms, max ${Math.round(d.max)} ms` : "";
      console.log(
        `${run.label}, ${guarantee}: ${Math.round(n / seconds).toLocaleString("en-US")} records/s${checkpoints}  (load ${loadAverage()})`,
      );
    }
  }
}

runBench(module, main);
