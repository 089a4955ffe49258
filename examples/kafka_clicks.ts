/**
 * Kafka out, exactly once: click events counted per page in fixed
 * event-time windows (with early panes), each pane published to a Kafka
 * topic in transactions committed with the runner's checkpoints (stream) or
 * batches (micro-batch). Kill it (`kill -9`) and start it again with the
 * same --checkpointDir: a read_committed consumer of the topic sees every
 * pane once.
 *
 *   npm run kafka:example -- --runner=stream --checkpointDir=/tmp/clicks-chk
 *   npm run kafka:example -- --runner=microbatch --checkpointDir=/tmp/clicks-mb
 *
 * `npm run kafka:example` starts the repository's local broker
 * (scripts/kafka-broker.sh, reused when running) and passes its address as
 * --bootstrap; the topic is created when missing. The clicks are generated
 * here; with `mr.io.kafka.read` they would come from a topic the same way.
 */
import { Admin } from "@platformatic/kafka";
import * as mr from "millrace";

const PAGES = ["/", "/search", "/cart", "/checkout", "/help"];

async function ensureTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Admin({ clientId: "kafka-clicks-example", bootstrapBrokers: bootstrap.split(",") });
  try {
    if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  } finally {
    await admin.close();
  }
}

const flags = {
  bootstrap: { type: "string" as const, default: "127.0.0.1:9092", description: "Kafka bootstrap servers" },
  topic: { type: "string" as const, default: "page-counts", description: "the output topic (created with 3 partitions when missing)" },
  clicksPerSecond: { type: "integer" as const, min: 1, default: 500, description: "clicks generated per second" },
  windowMs: { type: "integer" as const, min: 1, default: 5_000, description: "size of the event-time windows" },
  earlyFiringMs: { type: "integer" as const, min: 1, default: 1_000, description: "processing time between early panes" },
  maxDurationMs: { type: "integer" as const, min: 0, default: 0, description: "stop after this long (0: run until Ctrl-C)" },
};

/** Defined once at load (workers load this module again to find it), run by main() after the topic exists. */
const pageCounts = mr.definePipeline(
  "pageCounts",
  (p) => {
    const periodMs = 20;
    p.apply(
      "Clicks",
      mr.generateSequence({
        from: 0,
        periodMs,
        elementsPerPeriod: Math.max(1, Math.round((p.options.get<number>("clicksPerSecond")! * periodMs) / 1000)),
      }),
    )
      .apply(
        "Page",
        mr.map((i: number) => PAGES[(Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % PAGES.length]!),
      )
      .apply(
        "Window",
        mr.windowInto<string>(mr.windows.fixed(p.options.get<number>("windowMs")!), {
          trigger: mr.triggers.afterWatermark({
            early: mr.triggers.afterProcessingTime({ delayMs: p.options.get<number>("earlyFiringMs")! }),
          }),
          accumulation: "accumulating",
        }),
      )
      .apply("Count", mr.countPerElement<string>())
      .apply(
        "Format",
        mr.parDo({
          process(kv: mr.KV<string, number>, ctx) {
            const windowEnd = new Date((ctx.window as { end: number }).end).toISOString();
            ctx.output(mr.kv(kv.key, { page: kv.key, windowEnd, pane: ctx.pane.index, count: kv.value }));
          },
        }),
      )
      .apply(
        "Publish",
        mr.io.kafka.write({
          bootstrapServers: p.options.get<string>("bootstrap")!,
          topic: p.options.get<string>("topic")!,
          keySerializer: "string",
          valueSerializer: "json",
          deliveryGuarantee: "exactly-once",
        }),
      );
  },
  { flags },
);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: string): string =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const bootstrap = value("bootstrap", flags.bootstrap.default);
  const topic = value("topic", flags.topic.default);
  await ensureTopic(bootstrap, topic);
  console.log(`counting clicks per page into topic '${topic}' on ${bootstrap} (exactly once); Ctrl-C to stop`);
  const result = pageCounts.create(args).run();
  const stop = (): void => result.cancel();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const maxDurationMs = Number(value("maxDurationMs", "0"));
  const timer = maxDurationMs > 0 ? setTimeout(stop, maxDurationMs) : undefined;
  const state = await result.waitUntilFinish();
  if (timer) clearTimeout(timer);
  console.log(state.toLowerCase());
}

// Workers load this module again to find the pipeline: only the process started as the script runs it.
if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
