/**
 * Nexmark benchmark: runs Nexmark queries (after Beam's suite) on a millrace
 * runner over generated events and prints, per query, the number of events
 * and results, the wall time and the throughput.
 *
 *   npm run nexmark -- [--runner=direct|microbatch] [--query=5|0,1,2|all] [--events=100000]
 *                      [--seed=1] [--eventsPerSecond=N] [--json=out.json] [runner flags]
 *
 * Without `--eventsPerSecond` the events are a bounded source read as fast as
 * possible. With it the source is paced in processing time at that rate and
 * the event times follow the wall clock (the result latency of such runs,
 * p50/p99, is not measured yet).
 */
import * as fs from "node:fs";
import * as mr from "millrace";
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig } from "./model";
import { QUERIES, nexmarkSource } from "./queries";

/** The counter that counts a query's results. */
export const RESULTS_COUNTER = "nexmark.results";

/** The configuration of a run from the pipeline's flags. */
function configOf(options: mr.PipelineOptions): NexmarkConfig {
  const rate = options.get<number>("eventsPerSecond")!;
  return {
    ...DEFAULT_NEXMARK_CONFIG,
    seed: options.get<number>("seed")!,
    numEvents: options.get<number>("events")!,
    ...(rate > 0 ? { eventsPerSecond: rate, baseTime: options.get<number>("baseTime")! } : {}),
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
    if (query === undefined) throw new Error(`no Nexmark query ${p.options.get<number>("query")}; known: ${Object.keys(QUERIES).join(", ")}`);
    const rate = p.options.get<number>("eventsPerSecond")!;
    const events = p.apply("Events", nexmarkSource(configOf(p.options), rate > 0 ? { eventsPerSecond: rate } : {}));
    query(events).apply("CountResults", mr.map((_: unknown, ctx) => ctx.metrics.counter(RESULTS_COUNTER).inc()));
  },
  {
    flags: {
      query: { type: "integer", min: 0, default: 0, description: "the Nexmark query" },
      events: { type: "integer", min: 0, default: 100_000, description: "number of events" },
      seed: { type: "integer", default: DEFAULT_NEXMARK_CONFIG.seed, description: "generator seed" },
      eventsPerSecond: { type: "number", min: 0, default: 0, description: "pace the source at this rate (0: as fast as possible, bounded)" },
      baseTime: { type: "integer", default: DEFAULT_NEXMARK_CONFIG.baseTime, description: "event time of the first event (paced runs: the start)" },
    },
  },
);

/** One row of the table. */
export interface NexmarkRow {
  query: number;
  runner: string;
  events: number;
  results: number;
  wallMs: number;
  eventsPerSecond: number;
}

interface Args {
  queries: number[];
  events: number;
  seed: number;
  rate: number;
  json: string | undefined;
  pipelineArgs: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { queries: Object.keys(QUERIES).map(Number), events: 100_000, seed: DEFAULT_NEXMARK_CONFIG.seed, rate: 0, json: undefined, pipelineArgs: [] };
  for (const a of argv) {
    const m = /^--(query|events|seed|eventsPerSecond|json)=(.*)$/.exec(a);
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
      else args.rate = n;
    }
  }
  return args;
}

async function runQuery(args: Args, query: number): Promise<NexmarkRow> {
  const flags = [`--query=${query}`, `--events=${args.events}`, `--seed=${args.seed}`];
  if (args.rate > 0) flags.push(`--eventsPerSecond=${args.rate}`, `--baseTime=${Date.now()}`);
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows: NexmarkRow[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  let header = false;
  for (const q of args.queries) {
    const row = await runQuery(args, q);
    rows.push(row);
    if (!header) {
      console.log(`Nexmark on --runner=${row.runner}${args.rate > 0 ? `, paced at ${fmt(args.rate)} events/s` : ""} (seed ${args.seed})`);
      console.log(`${"query".padEnd(6)}${"events".padStart(12)}${"results".padStart(12)}${"wall ms".padStart(12)}${"events/s".padStart(14)}`);
      header = true;
    }
    console.log(`${`q${q}`.padEnd(6)}${fmt(row.events).padStart(12)}${fmt(row.results).padStart(12)}${row.wallMs.toFixed(0).padStart(12)}${fmt(row.eventsPerSecond).padStart(14)}`);
  }
  if (args.json !== undefined) fs.writeFileSync(args.json, JSON.stringify(rows, null, 2) + "\n");
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
