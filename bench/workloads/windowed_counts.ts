/**
 * Keyed event-time window counts (issue 17), the TypeScript side of the
 * workloads shared with the peers in `bench/peers/` (the Java side).
 *
 * Events: N (default 1,000,000); event i (0 <= i < N) has
 *   key_i       = ((i * 2654435761) mod 2^32) mod 10000   (`--keys` changes 10000)
 *   timestamp_i = floor(i / 100) ms                        (10 s of event time for 1M, in order)
 * Workloads (`--workload=`):
 *   tumbling: fixed 1-s event-time windows, count per (key, window)
 *   sliding:  2-s windows every 1 s, count per (key, window)
 *   sessions: gap 100 ms, count per (key, session)
 * Each result (key, window, count) adds
 *   ((key * 1_000_003 + windowEndMs) * 1_000_033 + count) mod (2^61 - 1)
 * to an order-independent digest (the sum, mod 2^61 - 1). windowEndMs is the
 * window's exclusive end, Beam's `IntervalWindow.end()` and Flink's
 * `TimeWindow.getEnd()` (for a session: its last event's timestamp + gap).
 *
 * The events are generated like the bounded Nexmark source: `mr.create` of
 * index ranges (at the minimum timestamp, so each event moves forward to its
 * event time without timestamp skew) and a ParDo that generates a range's
 * events; runners that split `create` read the ranges in parallel. The
 * digest travels in two counters (the low 31 bits and the rest of each
 * result's term, sums that stay exact in doubles), so every runner reports it
 * through its metrics, from any worker.
 *
 * Each run prints one line starting with `RESULT` (key=value fields: the
 * workload, the runner flags, results, digest, jobMs from `run()` to
 * `waitUntilFinish()`, the process CPU time of the job in ms, all threads,
 * the process's peak RSS so far in MiB, the 1-minute load average), so a
 * script can run it in a fresh process per measurement and parse it.
 *
 *   node dist/bench/workloads/windowed_counts.js --workload=tumbling --runner=stream --parallelism=2 [--events=1000000]
 *     [--keys=10000] [--warmups=1] [--runs=1] [--windowFastPath=false] [other runner flags]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

/** The workloads of this family, by `--workload` name. */
export const WINDOWED_WORKLOADS = ["tumbling", "sliding", "sessions"] as const;
/** One of {@link WINDOWED_WORKLOADS}. */
export type WindowedWorkload = (typeof WINDOWED_WORKLOADS)[number];

/** Read by runners/core's choice of the windowed-aggregation path: `false` forces the general ReduceFnRunner. */
const WINDOW_FAST_PATH_ENV = "MILLRACE_WINDOW_FAST_PATH";
const DIGEST_MODULUS = (1n << 61n) - 1n;
const LOW_BITS = 31n;
const LOW_MASK = (1n << LOW_BITS) - 1n;
const LOW_COUNTER = "digestLow31";
const HIGH_COUNTER = "digestHigh";
const RESULTS_COUNTER = "results";

/** The key of event `i`: Knuth's multiplicative hash mod 2^32 (Math.imul keeps the product's low 32 bits exactly), mod `keys`. */
export function eventKey(i: number, keys: number): number {
  // Math.imul gives the low 32 bits of the product as a signed int; >>> 0 makes it the unsigned value mod 2^32.
  return (Math.imul(i, 2654435761 | 0) >>> 0) % keys;
}

/** The event time of event `i`, in ms. */
export function eventTimestamp(i: number): number {
  return Math.floor(i / 100);
}

/** One result's term of the digest, below 2^61 - 1. */
export function digestTerm(key: number, windowEndMs: number, count: number): bigint {
  return ((BigInt(key) * 1_000_003n + BigInt(windowEndMs)) * 1_000_033n + BigInt(count)) % DIGEST_MODULUS;
}

/** The digest from the two counters' sums. */
export function digestOf(lowSum: number, highSum: number): bigint {
  return ((BigInt(highSum) << LOW_BITS) + BigInt(lowSum)) % DIGEST_MODULUS;
}

function windowFnOf(workload: WindowedWorkload): mr.WindowFnSpec {
  switch (workload) {
    case "tumbling":
      return mr.windows.fixed(1000);
    case "sliding":
      return mr.windows.sliding(2000, 1000);
    case "sessions":
      return mr.windows.sessions(100);
  }
}

interface Range {
  from: number;
  to: number;
}

/** The event index ranges the source's `create` holds: enough of them that every runner's parallelism gets work. */
function ranges(events: number): Range[] {
  const per = Math.max(1000, Math.ceil(events / 256));
  const out: Range[] = [];
  for (let from = 0; from < events; from += per) out.push({ from, to: Math.min(events, from + per) });
  return out;
}

/**
 * The windowed count pipeline, defined in this module so that runners with
 * worker threads rebuild it there.
 */
export const windowedCounts = mr.definePipeline(
  "windowedCounts",
  (p) => {
    const events = p.options.get<number>("events")!;
    const keys = p.options.get<number>("keys")!;
    const workload = p.options.get<string>("workload") as WindowedWorkload;
    p.apply("Ranges", mr.create(ranges(events)))
      .apply(
        "Events",
        mr.parDo<Range, number>({
          process(range, ctx) {
            for (let i = range.from; i < range.to; i++) ctx.outputWithTimestamp(eventKey(i, keys), eventTimestamp(i));
          },
        }),
      )
      .apply("Window", mr.windowInto(windowFnOf(workload)))
      .apply("Count", mr.countPerElement())
      .apply(
        "Digest",
        mr.map((r: mr.KV<number, number>, ctx) => {
          const window = ctx.window as { end: number };
          const term = digestTerm(r.key, window.end, r.value);
          ctx.metrics.counter(LOW_COUNTER).inc(Number(term & LOW_MASK));
          ctx.metrics.counter(HIGH_COUNTER).inc(Number(term >> LOW_BITS));
          ctx.metrics.counter(RESULTS_COUNTER).inc();
        }),
      );
  },
  {
    flags: {
      workload: { type: "string", default: "tumbling", choices: WINDOWED_WORKLOADS, description: "which windowed count" },
      events: { type: "integer", default: 1_000_000, min: 1, description: "events to generate" },
      keys: { type: "integer", default: 10_000, min: 1, description: "distinct keys" },
    },
  },
);

/** What one job printed. */
export interface WindowedRun {
  results: number;
  digest: bigint;
  jobMs: number;
  cpuMs: number;
  peakRssMiB: number;
}

/** Runs the pipeline once with these flags (workload, sizes and runner flags) and measures it. */
export async function runWindowedCounts(flags: readonly string[]): Promise<WindowedRun> {
  const p = windowedCounts.create([...flags]);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = p.run();
  await result.waitUntilFinish();
  const jobMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const counters = result.metrics().counters;
  return {
    results: counters[RESULTS_COUNTER] ?? 0,
    digest: digestOf(counters[LOW_COUNTER] ?? 0, counters[HIGH_COUNTER] ?? 0),
    jobMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / (1024 * 1024),
  };
}

function takeCount(args: string[], name: string, fallback: number): number {
  const at = args.findIndex((a) => a.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  const value = Number(args[at]!.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number >= 0, not '${args[at]}'`);
  args.splice(at, 1);
  return value;
}

async function main(): Promise<void> {
  const flags = process.argv.slice(2);
  const warmups = takeCount(flags, "warmups", 0);
  const runs = takeCount(flags, "runs", 1);
  // The general-path switch is an environment variable read in runners/core (worker threads inherit it).
  const fastPathFlag = flags.findIndex((a) => /^--windowFastPath=(true|false)$/.test(a));
  if (fastPathFlag >= 0) {
    process.env[WINDOW_FAST_PATH_ENV] = flags[fastPathFlag]!.endsWith("false") ? "false" : "true";
    flags.splice(fastPathFlag, 1);
  }
  for (let i = 0; i < warmups; i++) await runWindowedCounts(flags);
  for (let i = 0; i < runs; i++) {
    const r = await runWindowedCounts(flags);
    console.log(
      [
        "RESULT",
        `flags=${flags.join(" ") || "(defaults)"}`,
        `warm=${warmups + i > 0}`,
        `results=${r.results}`,
        `digest=${r.digest}`,
        `jobMs=${r.jobMs.toFixed(0)}`,
        `cpuMs=${r.cpuMs.toFixed(0)}`,
        `peakRssMiB=${r.peakRssMiB.toFixed(0)}`,
        `load=${os.loadavg()[0]!.toFixed(2)}`,
      ].join("\t"),
    );
  }
}

// Worker threads load this module to rebuild the pipeline; only a main thread that ran this file measures.
if (isMainThread && require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
