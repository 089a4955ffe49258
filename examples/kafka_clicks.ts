/**
 * Clicks per page, from Kafka to Kafka: read a topic of click events (JSON,
 * the record timestamp as event time), count clicks per page in fixed
 * event-time windows with early panes, and write each pane's count to
 * another topic, exactly once.
 *
 *   npm run kafka:example -- --seedClicks=1000 --runner=stream --checkpointingIntervalMs=2000 --checkpointDir=/tmp/clicks-chk
 *   npm run kafka:example -- --runner=microbatch --checkpointDir=/tmp/clicks-mb
 *
 * (`npm run kafka:example` starts the repository's local broker, or reuses
 * the running one, and passes its address as `--bootstrap`.)
 *
 * The topics are created when missing. `--seedClicks=N` first writes N
 * generated clicks to the input topic (a bounded pipeline of its own).
 * Kill the job at any point and start it again with the same
 * `--checkpointDir`: it resumes from its checkpoint (stream) or offset log
 * (micro-batch), and a read_committed consumer of the output topic sees
 * each pane once.
 */
import { Admin } from "@platformatic/kafka";
import * as mr from "millrace";
import { click, clicksPerPage, type Click } from "./kafka_clicks_pipeline";

/** Creates the topics that do not exist yet. */
async function ensureTopics(bootstrap: string, topics: readonly string[], partitions: number): Promise<void> {
  const admin = new Admin({ clientId: "kafka-clicks-example", bootstrapBrokers: [bootstrap] });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** Writes `n` clicks to the input topic, 100 ms of event time apart, ending now (a bounded pipeline, on the direct runner). */
async function seedClicks(bootstrap: string, topic: string, n: number): Promise<void> {
  const p = mr.Pipeline.create(["--runner=direct"]);
  const start = Date.now() - n * 100;
  p.apply(mr.createTimestamped(Array.from({ length: n }, (_, i) => ({ value: click(i), timestamp: start + i * 100 })))).apply(
    "WriteClicks",
    mr.io.kafka.write<Click>({ bootstrapServers: bootstrap, topic, valueSerializer: "json", key: (c) => c.user }),
  );
  await p.run().waitUntilFinish();
}

async function main(): Promise<void> {
  const p = clicksPerPage.create(process.argv.slice(2));
  const bootstrap = p.options.get<string>("bootstrap")!;
  const input = p.options.get<string>("input")!;
  await ensureTopics(bootstrap, [input, p.options.get<string>("output")!], p.options.get<number>("partitions")!);
  const seed = p.options.get<number>("seedClicks")!;
  if (seed > 0) await seedClicks(bootstrap, input, seed);

  const result = p.run();
  const stop = (): void => result.cancel();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const maxDurationMs = p.options.get<number>("maxDurationMs");
  const timer = maxDurationMs !== undefined ? setTimeout(stop, maxDurationMs) : undefined;
  const state = await result.waitUntilFinish();
  if (timer) clearTimeout(timer);
  console.log(state.toLowerCase());
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
