/**
 * The pipeline of the Kafka clicks example (`kafka_clicks.ts` runs it): a
 * definition in a module of its own, so that the stream and micro-batch
 * runners' workers rebuild it by name without running the script's setup
 * (topic creation, seeding) again.
 */
import * as mr from "millrace";

/** A click event, as JSON in the input topic. */
export interface Click {
  readonly user: string;
  readonly page: string;
}

const PAGES = ["/", "/pricing", "/docs", "/blog", "/signup"];

/** A deterministic pseudo-random click for sequence number `i`. */
export function click(i: number): Click {
  const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return { user: `user-${h % 50}`, page: PAGES[(h >>> 8) % PAGES.length]! };
}

/** Clicks per page in fixed event-time windows with early panes, from the input topic to the output topic, exactly once. */
export const clicksPerPage = mr.definePipeline(
  "clicksPerPage",
  (p) => {
    const bootstrap = p.options.get<string>("bootstrap")!;
    p.apply(
      "ReadClicks",
      mr.io.kafka.read<Click>({
        bootstrapServers: bootstrap,
        topics: [p.options.get<string>("input")!],
        valueDeserializer: "json",
        maxOutOfOrdernessMs: 1_000,
        idleTimeoutMs: 5_000,
      }),
    )
      .apply(
        "Page",
        mr.map((c: Click) => c.page),
      )
      .apply(
        "Windows",
        mr.windowInto<string>(mr.windows.fixed(p.options.get<number>("windowMs")!), {
          trigger: mr.triggers.afterWatermark({
            early: mr.triggers.afterProcessingTime({ delayMs: p.options.get<number>("earlyFiringMs")! }),
          }),
          accumulation: "accumulating",
        }),
      )
      .apply("CountPerPage", mr.countPerElement())
      .apply(
        "Format",
        mr.map((kv: mr.KV<string, number>, ctx) => {
          const w = ctx.window as mr.IntervalWindow;
          const pane = {
            page: kv.key,
            windowStart: new Date(w.start).toISOString(),
            clicks: kv.value,
            timing: ctx.pane.timing,
            index: ctx.pane.index,
          };
          console.log(JSON.stringify(pane));
          return mr.kv(kv.key, pane);
        }),
      )
      .apply(
        "WriteCounts",
        mr.io.kafka.write({
          bootstrapServers: bootstrap,
          topic: p.options.get<string>("output")!,
          valueSerializer: "json",
          deliveryGuarantee: "exactly-once",
        }),
      );
  },
  {
    flags: {
      bootstrap: { type: "string", default: "127.0.0.1:9092", description: "the Kafka brokers (host:port)" },
      input: { type: "string", default: "clicks", description: "the topic of click events" },
      output: { type: "string", default: "clicks-per-page", description: "the topic the counts go to" },
      partitions: { type: "integer", min: 1, default: 2, description: "partitions of topics created by the example" },
      seedClicks: { type: "integer", min: 0, default: 0, description: "write this many generated clicks to the input first" },
      windowMs: { type: "integer", min: 1, default: 10_000, description: "the size of the event-time windows" },
      earlyFiringMs: { type: "integer", min: 1, default: 2_000, description: "processing time between early panes" },
      maxDurationMs: { type: "integer", min: 1, description: "stop after this long (default: run until Ctrl-C)" },
    },
  },
);
