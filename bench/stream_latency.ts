/**
 * Latency on the stream runner from emission to sink: a stateless pipeline
 * fed by a paced sequence (default 20,000 events/s: 20 every millisecond).
 * Each element's timestamp is the processing time the source emitted it
 * at; the last step measures `Date.now() - timestamp` into a histogram of
 * 1 ms buckets (counters, summed over subtasks) and a distribution (for the
 * exact maximum). Two shapes: "chained" (source and sink fused in one task,
 * no network in between) and "exchange" (a Reshuffle in between: every
 * element crosses a channel, to a subtask on the same or the other thread).
 * The first second is not counted (task managers start and code warms up).
 * Prints p50, p99 and max per --bufferTimeoutMs value.
 *
 *   npm run bench:stream-latency [-- --seconds=6 --rate=20000 --parallelism=2 --bufferTimeouts=0,1,5,20 --shapes=chained,exchange]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

/** Latencies at or above this many ms share the last bucket. */
const BUCKETS = 1000;
const WARM_UP_MS = 1000;

const latencyPipeline = mr.definePipeline(
  "streamLatency",
  (p) => {
    const rate = p.options.get<number>("rate")!;
    const seconds = p.options.get<number>("seconds")!;
    const exchange = p.options.get<boolean>("exchange")!;
    const perMs = Math.max(1, Math.round(rate / 1000));
    const total = Math.round(perMs * 1000 * seconds);
    const skip = perMs * WARM_UP_MS;
    let events = p.apply("Events", mr.generateSequence({ from: 0, to: total, periodMs: 1, elementsPerPeriod: perMs }));
    if (exchange) events = events.apply("Exchange", mr.reshuffle());
    events.apply(
      "Measure",
      mr.map((x: number, ctx) => {
        if (x < skip) return 0;
        const latency = Date.now() - ctx.timestamp;
        ctx.metrics.distribution("latencyMs").update(latency);
        ctx.metrics.counter(`latency/${Math.min(BUCKETS, Math.max(0, Math.floor(latency)))}`).inc();
        return latency;
      }),
    );
  },
  {
    flags: {
      rate: { type: "integer", min: 1000, default: 20_000, description: "events per second" },
      seconds: { type: "number", default: 6, description: "how long the source emits" },
      exchange: { type: "boolean", default: false, description: "put a Reshuffle between source and sink" },
    },
  },
);

interface Figures {
  readonly measured: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly wallMs: number;
}

/** The q-quantile of a histogram of 1 ms buckets (the bucket's lower bound). */
function quantile(hist: readonly number[], total: number, q: number): number {
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let ms = 0; ms < hist.length; ms++) {
    seen += hist[ms]!;
    if (seen >= rank) return ms;
  }
  return hist.length - 1;
}

async function measure(args: readonly string[]): Promise<Figures> {
  const start = performance.now();
  const result = latencyPipeline.create(["--runner=stream", ...args]).run();
  await result.waitUntilFinish();
  const wallMs = performance.now() - start;
  const m = result.metrics();
  const hist = new Array<number>(BUCKETS + 1).fill(0);
  let measured = 0;
  for (const [name, n] of Object.entries(m.counters)) {
    const b = /^latency\/(\d+)$/.exec(name);
    if (!b) continue;
    hist[Number(b[1])] = n;
    measured += n;
  }
  const d = m.distributions.latencyMs;
  if (!d || measured === 0) throw new Error("no latencies measured");
  return { measured, p50: quantile(hist, measured, 0.5), p99: quantile(hist, measured, 0.99), max: d.max, wallMs };
}

function option(args: readonly string[], name: string, fallback: string): { value: string; rest: string[] } {
  const prefix = `--${name}=`;
  const found = args.find((a) => a.startsWith(prefix));
  return { value: found ? found.slice(prefix.length) : fallback, rest: args.filter((a) => !a.startsWith(prefix)) };
}

async function main(): Promise<void> {
  let args = process.argv.slice(2);
  const timeouts = option(args, "bufferTimeouts", "0,1,5,20");
  args = timeouts.rest;
  const shapes = option(args, "shapes", "chained,exchange");
  args = shapes.rest;
  const parallelism = option(args, "parallelism", "2");
  args = parallelism.rest;
  const options = mr.PipelineOptions.fromArgs(["--runner=stream", ...args], { flags: latencyPipeline.flags });
  const rate = options.get<number>("rate")!;
  const seconds = options.get<number>("seconds")!;
  console.log(
    `stream runner latency, emission to sink: ${rate.toLocaleString("en-US")} events/s for ${seconds} s (first ${WARM_UP_MS / 1000} s not counted), --parallelism=${parallelism.value}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  for (const shape of shapes.value.split(",")) {
    for (const t of timeouts.value.split(",")) {
      const f = await measure([
        ...args,
        `--parallelism=${parallelism.value}`,
        `--bufferTimeoutMs=${t}`,
        `--exchange=${shape === "exchange"}`,
      ]);
      const behind = f.wallMs / 1000 - seconds;
      // Timestamps are whole milliseconds: bucket 0 means under 1 ms.
      const ms = (v: number): string => (v === 0 ? "<1" : String(v)).padStart(3);
      console.log(
        `  ${shape.padEnd(8)} --bufferTimeoutMs=${t.padEnd(3)} p50 ${ms(f.p50)} ms, p99 ${ms(f.p99)} ms, max ${String(Math.round(f.max)).padStart(4)} ms  (${f.measured.toLocaleString("en-US")} events; job ${(f.wallMs / 1000).toFixed(2)} s, ${behind.toFixed(2)} s over the source's ${seconds} s)`,
      );
    }
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
