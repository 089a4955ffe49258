/**
 * Nexmark benchmark: runs Nexmark queries (after Beam's suite) on a millrace
 * runner over generated events and prints, per query, the number of events
 * and results, the wall time and the throughput.
 *
 *   npm run nexmark -- [--runner=direct|microbatch|stream] [--query=5|0,1,2|all] [--events=100000]
 *                      [--seed=1] [--eventsPerSecond=N [--leadMs=200] [--settleMs=N]]
 *                      [--json=out.json] [runner flags]
 *
 * Without `--eventsPerSecond` the events are a bounded source read as fast as
 * possible; the job ends when they are processed, and events/s is events over
 * wall time.
 *
 * With it the source is unbounded, paced at that rate in processing time
 * (see `nexmarkSource`): the job runs until the bench cancels it, once all
 * `--events` have been generated and then `--settleMs` have passed (default:
 * long enough for the last 10 s windows to close). Events/s is then the rate
 * the source achieved (events over the time between the first and the last
 * one), and each result's latency is measured where it is counted: the
 * processing time then, less the result's timestamp (an event's time, or a
 * window's end), plus `--leadMs` (event times run that far ahead of the
 * emission schedule): for a pass-through query the time since the event was
 * emitted, for a windowed one the time since the last event of the window
 * was due. Latencies go into log-scale buckets (5% wide) kept as counters,
 * from which p50 and p99 are read. The stream runner commits metrics with
 * its checkpoints, so paced runs on it default to `--checkpointingIntervalMs=1000`.
 */
import * as fs from "node:fs";
import * as mr from "millrace";
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig } from "./model";
import { QUERIES, nexmarkSource } from "./queries";

/** The counter that counts a query's results. */
export const RESULTS_COUNTER = "nexmark.results";
/** Paced runs: the counter of generated events (and `.emittedAt`, the distribution of their emission times). */
export const EVENTS_COUNTER = "nexmark.events";
/** Paced runs: result latencies, one counter per bucket: `nexmark.latency.<b>` counts latencies in (1.05^(b-1), 1.05^b] ms (b = 0: up to 1 ms). */
export const LATENCY_BUCKET_PREFIX = "nexmark.latency.";
const LATENCY_BASE = 1.05;
/** Query 12's results are in the global window (timestamp: its end), so they have no latency to measure. */
const NO_LATENCY_QUERIES = new Set([12]);

/** The latency bucket of `ms`. */
function latencyBucket(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(LATENCY_BASE));
}

/** The `fraction` quantile (upper bound of its bucket, ms) of bucket counters, or undefined without any. */
export function latencyQuantile(counters: Readonly<Record<string, number>>, fraction: number): number | undefined {
  const buckets: [number, number][] = [];
  let total = 0;
  for (const [name, n] of Object.entries(counters)) {
    if (!name.startsWith(LATENCY_BUCKET_PREFIX) || n <= 0) continue;
    buckets.push([Number(name.slice(LATENCY_BUCKET_PREFIX.length)), n]);
    total += n;
  }
  if (total === 0) return undefined;
  buckets.sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [b, n] of buckets) {
    seen += n;
    if (seen >= fraction * total) return Math.pow(LATENCY_BASE, b);
  }
  return Math.pow(LATENCY_BASE, buckets[buckets.length - 1]![0]);
}

/** The configuration of a run from the pipeline's flags. */
function configOf(options: mr.PipelineOptions): NexmarkConfig {
  const rate = options.get<number>("eventsPerSecond")!;
  return {
    ...DEFAULT_NEXMARK_CONFIG,
    seed: options.get<number>("seed")!,
    numEvents: options.get<number>("events")!,
    ...(rate > 0 ? { eventsPerSecond: rate } : {}),
  };
}

/**
 * One Nexmark query over generated events, counting its results. Defined in
 * this module so that executor threads can rebuild it.
 */
export const nexmarkPipeline = mr.definePipeline(
  "nexmark",
  (p) => {
    const query = QUERIES[p.options.get<number>("query")!];
    if (query === undefined)
      throw new Error(`no Nexmark query ${p.options.get<number>("query")}; known: ${Object.keys(QUERIES).join(", ")}`);
    const q = p.options.get<number>("query")!;
    const rate = p.options.get<number>("eventsPerSecond")!;
    const leadMs = p.options.get<number>("leadMs")!;
    const paced = rate > 0 ? { eventsPerSecond: rate, leadMs, eventsCounter: EVENTS_COUNTER } : {};
    const measureLatency = rate > 0 && !NO_LATENCY_QUERIES.has(q);
    query(p.apply("Events", nexmarkSource(configOf(p.options), paced))).apply(
      "CountResults",
      mr.map((_: unknown, ctx) => {
        ctx.metrics.counter(RESULTS_COUNTER).inc();
        if (measureLatency) ctx.metrics.counter(`${LATENCY_BUCKET_PREFIX}${latencyBucket(Date.now() - ctx.timestamp + leadMs)}`).inc();
      }),
    );
  },
  {
    flags: {
      query: { type: "integer", min: 0, default: 0, description: "the Nexmark query" },
      events: { type: "integer", min: 0, default: 100_000, description: "number of events" },
      seed: { type: "integer", default: DEFAULT_NEXMARK_CONFIG.seed, description: "generator seed" },
      eventsPerSecond: {
        type: "number",
        min: 0,
        default: 0,
        description: "an unbounded source paced at this rate (0: bounded, as fast as possible)",
      },
      leadMs: {
        type: "integer",
        min: 0,
        default: 200,
        description: "paced runs: event times run this far ahead of the emission schedule (allowed lateness of emission)",
      },
    },
  },
);

/** One row of the table. */
export interface NexmarkRow {
  query: number;
  runner: string;
  events: number;
  results: number;
  /** Bounded: from run() to the end of the job. Paced: from run() to the cancel. */
  wallMs: number;
  /** Bounded: events over wall time. Paced: the rate the source achieved. */
  eventsPerSecond: number;
  /** Paced runs only. */
  targetEventsPerSecond?: number;
  p50LatencyMs?: number;
  p99LatencyMs?: number;
  /** Elements dropped by windows as late (paced runs: emitted more than `--leadMs` behind schedule). */
  droppedDueToLateness?: number;
}

/** A query that failed: its error instead of figures. */
export interface FailedRow {
  query: number;
  runner: string;
  error: string;
}

/**
 * Queries that cannot run on the unbounded source: their auction/bid join
 * (winning_bids.ts) and averages use the global window with the default
 * trigger, which only closes at the end of a bounded input (the SDK refuses
 * such a grouping on unbounded input).
 */
const BOUNDED_ONLY_QUERIES: ReadonlyMap<number, string> = new Map([
  [4, "bounded input only (global-window join of auctions and bids)"],
  [6, "bounded input only (global-window join of auctions and bids)"],
]);

/** What the bench was asked to run. */
export interface Args {
  queries: number[];
  events: number;
  seed: number;
  rate: number;
  leadMs: number;
  settleMs: number | undefined;
  json: string | undefined;
  pipelineArgs: string[];
}

/** The bench's arguments: its own flags, the rest passed to the pipeline (runner flags). */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    queries: Object.keys(QUERIES).map(Number),
    events: 100_000,
    seed: DEFAULT_NEXMARK_CONFIG.seed,
    rate: 0,
    leadMs: 200,
    settleMs: undefined,
    json: undefined,
    pipelineArgs: [],
  };
  for (const a of argv) {
    const m = /^--(query|events|seed|eventsPerSecond|leadMs|settleMs|json)=(.*)$/.exec(a);
    if (!m) {
      args.pipelineArgs.push(a); // runner flags, checked by the pipeline's options
      continue;
    }
    const [, name, value] = m;
    if (name === "json") args.json = value;
    else if (name === "query") {
      args.queries = value === "all" ? Object.keys(QUERIES).map(Number) : value!.split(",").map(Number);
      const unknown = args.queries.filter((q) => !(q in QUERIES));
      if (unknown.length > 0) throw new Error(`unknown query ${unknown.join(", ")}; known: ${Object.keys(QUERIES).join(", ")} or all`);
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a number >= 0, got ${value}`);
      if (name === "events") args.events = Math.floor(n);
      else if (name === "seed") args.seed = Math.floor(n);
      else if (name === "leadMs") args.leadMs = Math.floor(n);
      else if (name === "settleMs") args.settleMs = Math.floor(n);
      else args.rate = n;
    }
  }
  if (args.rate > 0 && args.events === 0)
    throw new Error("--eventsPerSecond needs --events > 0: the bench stops the job once they are all generated");
  return args;
}

/** How long a paced run goes on after its last event: until the last 10 s windows (and q11's 10 s session gaps) have closed. */
const WINDOWED_SETTLE_MS = 12_000;
const UNWINDOWED_QUERIES = new Set([0, 1, 2, 3]);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one query as the arguments say (bounded, or paced until all events are generated and settled) and measures it. */
export async function runQuery(args: Args, query: number): Promise<NexmarkRow> {
  if (args.rate > 0) return runPaced(args, query);
  const flags = [`--query=${query}`, `--events=${args.events}`, `--seed=${args.seed}`];
  const p = nexmarkPipeline.create([...args.pipelineArgs, ...flags]);
  const start = performance.now();
  const result = p.run();
  await result.waitUntilFinish();
  const wallMs = performance.now() - start;
  return {
    query,
    runner: p.options.get<string>("runner") ?? mr.DEFAULT_RUNNER,
    events: args.events,
    results: result.metrics().counters[RESULTS_COUNTER] ?? 0,
    wallMs,
    eventsPerSecond: args.events / (wallMs / 1000),
  };
}

/**
 * A paced (unbounded) run: waits until every event has been generated (as
 * far as the committed metrics tell), then `settleMs`, then cancels.
 */
async function runPaced(args: Args, query: number): Promise<NexmarkRow> {
  const flags = [
    `--query=${query}`,
    `--events=${args.events}`,
    `--seed=${args.seed}`,
    `--eventsPerSecond=${args.rate}`,
    `--leadMs=${args.leadMs}`,
  ];
  let p = nexmarkPipeline.create([...args.pipelineArgs, ...flags]);
  let commitEveryMs = 0;
  if ((p.options.get<string>("runner") ?? mr.DEFAULT_RUNNER) === "stream") {
    // The stream runner commits metrics with checkpoints: without periodic ones the bench would see none.
    commitEveryMs = p.options.get<number>("checkpointingIntervalMs") ?? 0;
    if (commitEveryMs === 0) {
      commitEveryMs = 1000;
      p = nexmarkPipeline.create([...args.pipelineArgs, `--checkpointingIntervalMs=${commitEveryMs}`, ...flags]);
    }
  }
  const settleMs = args.settleMs ?? (UNWINDOWED_QUERIES.has(query) ? 1000 : WINDOWED_SETTLE_MS);
  const start = performance.now();
  const result = p.run();
  let failure: unknown;
  const finished = result.waitUntilFinish().catch((e: unknown) => {
    failure = e;
    return "FAILED" as const;
  });
  let ended = false;
  void finished.then(() => (ended = true));
  // Until every event is counted (a stalled source is given up on after twice its schedule plus a minute).
  const deadline = start + (2 * args.events * 1000) / args.rate + 60_000;
  while (!ended && (result.metrics().counters[EVENTS_COUNTER] ?? 0) < args.events && performance.now() < deadline) await sleep(100);
  // The last windows close, and the stream runner commits what they produced with a checkpoint.
  if (!ended) await Promise.race([finished, sleep(settleMs + 2 * commitEveryMs)]);
  result.cancel();
  await finished;
  if (failure !== undefined) throw failure;
  const wallMs = performance.now() - start;
  const m = result.metrics();
  const generated = m.counters[EVENTS_COUNTER] ?? 0;
  if (generated < args.events)
    throw new Error(`q${query}: only ${generated} of ${args.events} events were generated (committed) before giving up`);
  const emitted = m.distributions[`${EVENTS_COUNTER}.emittedAt`];
  const spanMs = emitted ? Math.max(1, emitted.max - emitted.min) : wallMs;
  const row: NexmarkRow = {
    query,
    runner: p.options.get<string>("runner") ?? mr.DEFAULT_RUNNER,
    events: generated,
    results: m.counters[RESULTS_COUNTER] ?? 0,
    wallMs,
    eventsPerSecond: generated / (spanMs / 1000),
    targetEventsPerSecond: args.rate,
    droppedDueToLateness: m.counters.droppedDueToLateness ?? 0,
  };
  const p50 = latencyQuantile(m.counters, 0.5);
  const p99 = latencyQuantile(m.counters, 0.99);
  if (p50 !== undefined) row.p50LatencyMs = p50;
  if (p99 !== undefined) row.p99LatencyMs = p99;
  return row;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows: (NexmarkRow | FailedRow)[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  const paced = args.rate > 0;
  const runner = nexmarkPipeline.create(args.pipelineArgs).options.get<string>("runner") ?? mr.DEFAULT_RUNNER;
  console.log(
    `Nexmark on --runner=${runner}${paced ? `, unbounded, paced at ${fmt(args.rate)} events/s, lead ${args.leadMs} ms` : ", bounded"} (seed ${args.seed})`,
  );
  const pacedColumns = paced ? `${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"late".padStart(8)}` : "";
  console.log(
    `${"query".padEnd(6)}${"events".padStart(12)}${"results".padStart(12)}${"wall ms".padStart(12)}${"events/s".padStart(14)}${pacedColumns}`,
  );
  let failed = 0;
  for (const q of args.queries) {
    if (paced && BOUNDED_ONLY_QUERIES.has(q)) {
      console.log(`${`q${q}`.padEnd(6)}  not run: ${BOUNDED_ONLY_QUERIES.get(q)}`);
      continue;
    }
    let row: NexmarkRow;
    try {
      row = await runQuery(args, q);
    } catch (e) {
      // One query failing does not lose the others' figures.
      failed++;
      const message = e instanceof Error ? e.message : String(e);
      console.log(`${`q${q}`.padEnd(6)}  FAILED: ${message.split("\n")[0]}`);
      rows.push({ query: q, runner, error: message });
      continue;
    }
    rows.push(row);
    const ms = (x: number | undefined): string => (x === undefined ? "-" : x.toFixed(0));
    const pacedCells = paced
      ? `${ms(row.p50LatencyMs).padStart(10)}${ms(row.p99LatencyMs).padStart(10)}${fmt(row.droppedDueToLateness ?? 0).padStart(8)}`
      : "";
    console.log(
      `${`q${q}`.padEnd(6)}${fmt(row.events).padStart(12)}${fmt(row.results).padStart(12)}${row.wallMs.toFixed(0).padStart(12)}${fmt(row.eventsPerSecond).padStart(14)}${pacedCells}`,
    );
  }
  if (args.json !== undefined) fs.writeFileSync(args.json, JSON.stringify(rows, null, 2) + "\n");
  if (failed > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
