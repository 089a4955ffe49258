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
 * results are counted and digested in counters (result_tally.ts), so every
 * runner reports them through its metrics, from any worker, and each run
 * prints measured_run.ts's `RESULT` line, for a script that runs it in a
 * fresh process per measurement.
 *
 *   node dist/bench/workloads/windowed_counts.js --workload=tumbling --runner=stream --parallelism=2 [--events=1000000]
 *     [--keys=10000] [--warmups=1] [--runs=1] [--windowFastPath=false] [other runner flags]
 */
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";
import { runMeasured, workloadMain, type MeasuredRun } from "./measured_run";
import { tallyResults } from "./result_tally";

/** The windowed workloads. */
export const WINDOWED_WORKLOADS = ["tumbling", "sliding", "sessions"] as const;
/** One of {@link WINDOWED_WORKLOADS}. */
export type WindowedWorkload = (typeof WINDOWED_WORKLOADS)[number];

/** Read by runners/core's choice of the windowed-aggregation path: `false` forces the general ReduceFnRunner. */
const WINDOW_FAST_PATH_ENV = "MILLRACE_WINDOW_FAST_PATH";

/** The key of event `i`: Knuth's multiplicative hash mod 2^32 (Math.imul keeps the product's low 32 bits exactly), mod `keys`. */
export function eventKey(i: number, keys: number): number {
  // Math.imul gives the low 32 bits of the product as a signed int; >>> 0 makes it the unsigned value mod 2^32.
  return (Math.imul(i, 2654435761 | 0) >>> 0) % keys;
}

/** The event time of event `i`, in ms. */
export function eventTimestamp(i: number): number {
  return Math.floor(i / 100);
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
        tallyResults((r: mr.KV<number, number>, window) => [r.key, (window as mr.IntervalWindow).end, r.value]),
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

/** Runs the pipeline once with these flags (workload, sizes and runner flags) and measures it. */
export function runWindowedCounts(flags: readonly string[]): Promise<MeasuredRun> {
  return runMeasured(windowedCounts, flags);
}

/** measured_run.ts's command line, plus `--windowFastPath=true|false`. */
function main(): Promise<void> {
  const flags = process.argv.slice(2);
  // The general-path switch is an environment variable read in runners/core (worker threads inherit it).
  const fastPathFlag = flags.findIndex((a) => /^--windowFastPath=(true|false)$/.test(a));
  if (fastPathFlag >= 0) {
    process.env[WINDOW_FAST_PATH_ENV] = flags[fastPathFlag]!.endsWith("false") ? "false" : "true";
    flags.splice(fastPathFlag, 1);
  }
  return workloadMain(windowedCounts, flags);
}

// Worker threads load this module to rebuild the pipeline; only a main thread that ran this file measures.
if (isMainThread && require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
