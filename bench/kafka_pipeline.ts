/**
 * Records/s of Kafka → map → Kafka: a topic of `--records` 100-byte records
 * in 4 partitions is read up to its end offsets, each value is mapped, and
 * the result is written to a new 4-partition topic, on the stream runner
 * (parallelism 1 and 2, checkpoints every 500 ms) and the micro-batch
 * runner, at-least-once and exactly-once; next to the Kafka client's own
 * consume + produce loop on the same broker (the library's fetch calls and
 * `RecordProducer`, the producer the sinks use: one transaction for
 * exactly-once, committed). Each figure is one run from `run()` to DONE,
 * worker start-up included; the output is checked after the clock stops: a
 * read_committed fetch of it must find every record once. The stream runs
 * also print their checkpoint durations with the Kafka sink (trigger to
 * completion: the barrier's flush and pre-commit included). Every runner
 * configuration and the client loop run once unmeasured first (a process's
 * cold start is not a guarantee's cost); `--rounds` repeats every
 * configuration, interleaved, the guarantees' order alternating; the load
 * average is printed with each figure: the machine may be shared.
 *
 *   npm run bench:kafka-pipeline [-- --records=200000 --rounds=1]
 */
import * as os from "node:os";
import * as mr from "millrace";
import { RecordProducer } from "../sdk/io/kafka/record_producer";
import {
  benchConsumer,
  commitIfTransactional,
  fetchAllCommitted,
  fillTopic,
  guaranteeOrder,
  kafkaToKafka,
  loadAverage,
  newTopic,
  runBench,
  warmUpRunners,
} from "./kafka_bench_support";

const PARTITIONS = 4;

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  records: { type: "integer" as const, min: 1, default: 200_000, description: "records in the input topic" },
  rounds: { type: "integer" as const, min: 1, default: 1, description: "rounds of every configuration (interleaved)" },
};

/** The client's own loop: fetch the input to its end (read_committed), produce each value to the output. */
async function clientLoop(bootstrap: string, input: string, output: string, exactlyOnce: boolean): Promise<number> {
  const started = performance.now();
  const consumer = benchConsumer(bootstrap);
  const producer = new RecordProducer({
    bootstrap: [bootstrap],
    clientId: "millrace-bench",
    transform: "bench",
    guarantee: exactlyOnce ? "exactly-once" : "at-least-once",
    ...(exactlyOnce ? { transactionalId: `bench-${process.pid}-${output}`, transactionTimeoutMs: 60_000 } : {}),
  });
  let count = 0;
  try {
    await fetchAllCommitted(consumer, input, (value) => {
      producer.send({ topic: output, value });
      count++;
    });
    await commitIfTransactional(bootstrap, await producer.flush());
  } finally {
    await producer.close();
    await consumer.close();
  }
  return count / ((performance.now() - started) / 1000);
}

/** Fails the bench when the output is not every input record once (a figure of a broken run is worth nothing). */
async function checkOutput(bootstrap: string, output: string, n: number, label: string): Promise<void> {
  const consumer = benchConsumer(bootstrap);
  let got = 0;
  try {
    await fetchAllCommitted(consumer, output, () => got++);
  } finally {
    await consumer.close();
  }
  if (got !== n) throw new Error(`${label}: a read_committed reader sees ${got} records in the output, not ${n}`);
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), { flags });
  const bootstrap = options.get<string>("bootstrap")!;
  const n = options.get<number>("records")!;
  const rounds = options.get<number>("rounds")!;
  const input = await newTopic(bootstrap, "in", PARTITIONS);
  await fillTopic(bootstrap, input, n, PARTITIONS);
  console.log(
    `Kafka -> map -> Kafka, ${n.toLocaleString("en-US")} records of 100 bytes in ${PARTITIONS} partitions, broker ${bootstrap}, ${os.cpus().length} cores`,
  );
  const runs: Array<{ label: string; args: string[] }> = [
    { label: "stream p=1", args: ["--runner=stream", "--parallelism=1", "--checkpointingIntervalMs=500"] },
    { label: "stream p=2", args: ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=500"] },
    { label: "microbatch (2 executors)", args: ["--runner=microbatch", "--executors=2", "--partitions=2"] },
  ];
  await warmUpRunners(
    bootstrap,
    runs.map((r) => r.args),
  );
  for (const exactlyOnce of [false, true])
    await clientLoop(bootstrap, input, await newTopic(bootstrap, "warm-out", PARTITIONS), exactlyOnce);
  for (let round = 1; round <= rounds; round++) {
    for (const guarantee of guaranteeOrder(round)) {
      const exactlyOnce = guarantee === "exactly-once";
      const clientOutput = await newTopic(bootstrap, "out", PARTITIONS);
      const rate = await clientLoop(bootstrap, input, clientOutput, exactlyOnce);
      await checkOutput(bootstrap, clientOutput, n, "client loop");
      console.log(
        `client consume+produce loop, ${exactlyOnce ? "one transaction" : "idempotent, acks=all"}: ${Math.round(rate).toLocaleString("en-US")} records/s  (load ${loadAverage()})`,
      );
      for (const run of runs) {
        const output = await newTopic(bootstrap, "out", PARTITIONS);
        const started = performance.now();
        const result = kafkaToKafka
          .create([
            ...run.args,
            `--bootstrap=${bootstrap}`,
            `--input=${input}`,
            `--output=${output}`,
            `--guarantee=${guarantee}`,
            "--bounded",
          ])
          .run();
        await result.waitUntilFinish();
        const seconds = (performance.now() - started) / 1000;
        await checkOutput(bootstrap, output, n, run.label);
        const d = result.metrics().distributions["stream/checkpointDurationMs"];
        const checkpoints = d ? `; checkpoints: ${d.count}, mean ${Math.round(d.sum / d.count)} ms, max ${Math.round(d.max)} ms` : "";
        console.log(
          `mr ${run.label}, ${guarantee}: ${Math.round(n / seconds).toLocaleString("en-US")} records/s${checkpoints}  (load ${loadAverage()})`,
        );
      }
    }
  }
}

runBench(module, main);
