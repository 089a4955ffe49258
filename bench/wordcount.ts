/**
 * Word count throughput: 1,000,000 words from a 10,000-word vocabulary fed
 * through `create`, counted per word on the direct runner (checks on and
 * off), on the micro-batch runner and on the stream runner at parallelism 1
 * and 2, against the same count done by a plain `Map` loop in this process.
 * Each figure is the median of several runs after a warm-up; the runner's
 * time is the whole `run()` to `waitUntilFinish()`, proto translation included.
 * The warm-up matters most for the stream runner: its first job starts the
 * task manager threads (and rebuilds the pipeline there), later jobs of the
 * same pipeline reuse them, so its figures are warm ones.
 *
 * The configurations run interleaved (one run of each per round), so a
 * change in the machine's load touches them alike. With `--source=generated`
 * the words come from `generateSequence` (each number mapped to its word)
 * instead of `create`, so every stream source subtask generates its share.
 * The CPU figures are process CPU time (all threads); the stream runner at
 * parallelism 2 is also given as a ratio to parallelism 1's CPU, and
 * `--threads` prints each thread's share (main thread first).
 *
 *   npm run bench:wordcount [-- --words=1000000 --vocabulary=10000 --runs=5 --warmups=1 --source=create|generated --threads]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";
import { threadCpuMs, threadCpuSince } from "./support/thread_cpu";
import { generatedWordAt, makeWords, vocabularyOf, type WordSource } from "./support/word_lists";

const CONFIGS = {
  off: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
  on: ["--runner=direct"],
  microbatch: ["--runner=microbatch", "--executors=1"],
  microbatch2: ["--runner=microbatch", "--executors=2"],
  stream1: ["--runner=stream", "--parallelism=1"],
  stream2: ["--runner=stream", "--parallelism=2"],
} as const;
type ConfigName = keyof typeof CONFIGS;
type Source = WordSource;

interface Args {
  words: number;
  vocabulary: number;
  runs: number;
  /** Unmeasured rounds first (the first also checks the result); each worker thread JITs its own code, so p=2 needs more than p=1. */
  warmups: number;
  source: Source;
  /** Print each thread's CPU time per configuration. */
  threads: boolean;
  /** Only these configurations (for profiling one of them); the plain loop always runs. */
  only: ConfigName[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    words: 1_000_000,
    vocabulary: 10_000,
    runs: 5,
    warmups: 1,
    source: "create",
    threads: false,
    only: Object.keys(CONFIGS) as ConfigName[],
  };
  for (const a of argv) {
    const only = /^--only=([\w,]+)$/.exec(a);
    if (only) {
      args.only = only[1]!.split(",").map((c) => {
        if (!(c in CONFIGS)) throw new Error(`--only: unknown configuration ${c}; known: ${Object.keys(CONFIGS).join(", ")}`);
        return c as ConfigName;
      });
      continue;
    }
    const source = /^--source=(create|generated)$/.exec(a);
    if (source) {
      args.source = source[1] as Source;
      continue;
    }
    if (a === "--threads") {
      args.threads = true;
      continue;
    }
    const m = /^--(words|vocabulary|runs|warmups)=(\d+)$/.exec(a);
    if (!m)
      throw new Error(
        `unknown argument ${a}; accepted: --words=N --vocabulary=N --runs=N --warmups=N --source=create|generated --threads --only=${Object.keys(CONFIGS).join(",")}`,
      );
    args[m[1] as "words" | "vocabulary" | "runs" | "warmups"] = Number(m[2]);
  }
  return args;
}

function plainLoop(words: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts.size;
}

/**
 * The counted pipeline, defined in this module so that runners with
 * executor threads can rebuild it there (the words are generated the same
 * way on every thread). It reports the number of distinct words in a counter.
 */
const wordCount = mr.definePipeline(
  "wordCount",
  (p) => {
    const n = p.options.get<number>("words")!;
    const vocabularySize = p.options.get<number>("vocabulary")!;
    const words =
      p.options.get<string>("source") === "generated"
        ? p.apply(mr.generateSequence({ from: 0, to: n })).apply(mr.map((i: number) => generatedWordAt(i, vocabularyOf(vocabularySize))))
        : p.apply(mr.create(makeWords(n, vocabularySize)));
    words.apply(mr.countPerElement()).apply(mr.map((_: mr.KV<string, number>, ctx) => ctx.metrics.counter("distinct").inc()));
  },
  {
    flags: {
      words: { type: "integer", default: 1_000_000, description: "words to count" },
      vocabulary: { type: "integer", default: 10_000, description: "distinct words" },
      source: { type: "string", default: "create", description: "where the words come from: create or generated" },
    },
  },
);

async function onRunner(args: Args, runnerArgs: readonly string[]): Promise<number> {
  const p = wordCount.create([...runnerArgs, `--words=${args.words}`, `--vocabulary=${args.vocabulary}`, `--source=${args.source}`]);
  const result = p.run();
  await result.waitUntilFinish();
  return result.metrics().counters.distinct ?? 0;
}

interface Times {
  wall: number[];
  cpu: number[];
  /** CPU ms per thread id, summed over the runs. */
  threads: Map<number, number>;
}

/** Wall time, process CPU time (all threads) and per-thread CPU time of one run, in ms. */
async function timeOnce(f: () => unknown, into: Times): Promise<void> {
  const threadsBefore = threadCpuMs();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await f();
  into.wall.push(performance.now() - start);
  const used = process.cpuUsage(cpuStart);
  into.cpu.push((used.user + used.system) / 1000);
  for (const [tid, ms] of threadCpuSince(threadsBefore, threadCpuMs())) into.threads.set(tid, (into.threads.get(tid) ?? 0) + ms);
}

function median(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const words = makeWords(args.words, args.vocabulary, args.source);
  const expected = plainLoop(words);
  // The warm-up rounds check the result and warm each configuration up (for the stream runner: start the task manager threads).
  for (let round = 0; round < Math.max(1, args.warmups); round++) {
    for (const name of args.only) {
      const got = await onRunner(args, CONFIGS[name]);
      if (got !== expected) throw new Error(`${CONFIGS[name].join(" ")} counted ${got} distinct words, the loop ${expected}`);
    }
  }
  plainLoop(words);
  const times = new Map<ConfigName | "loop", Times>();
  const timesOf = (name: ConfigName | "loop"): Times => {
    let t = times.get(name);
    if (!t) times.set(name, (t = { wall: [], cpu: [], threads: new Map() }));
    return t;
  };
  const loads: number[] = [];
  for (let round = 0; round < args.runs; round++) {
    loads.push(os.loadavg()[0]!);
    await timeOnce(() => plainLoop(words), timesOf("loop"));
    for (const name of args.only) await timeOnce(() => onRunner(args, CONFIGS[name]), timesOf(name));
  }
  const ms = (name: ConfigName | "loop"): number | undefined => {
    const t = times.get(name);
    return t && median(t.wall);
  };
  const cpuMs = (name: ConfigName | "loop"): number | undefined => {
    const t = times.get(name);
    return t && median(t.cpu);
  };
  const rate = (v: number): string => `${Math.round(args.words / (v / 1000)).toLocaleString("en-US")} elements/s`;
  const range = (name: ConfigName | "loop"): string => {
    const { wall } = times.get(name)!;
    return `runs ${Math.min(...wall).toFixed(0)}..${Math.max(...wall).toFixed(0)} ms, CPU ${cpuMs(name)!.toFixed(0)} ms`;
  };
  const line = (label: string, name: ConfigName | "loop", relation: (v: number) => string): void => {
    const v = ms(name);
    if (v === undefined) return;
    const notes = [relation(v), range(name)].filter(Boolean).join("; ");
    console.log(`  ${label.padEnd(26)}${v.toFixed(1).padStart(8)} ms  ${rate(v)}  (${notes})`);
  };
  const ratio = (base: ConfigName | "loop", v: number, what: string): string => {
    const b = ms(base);
    return b === undefined ? "" : `${(b / v).toFixed(2)} of ${what}'s throughput`;
  };
  /** Against one thread's configuration: the throughput gained and the CPU paid for it. */
  const scaling = (base: ConfigName, name: ConfigName, v: number, what: string): string => {
    const b = ms(base);
    return b === undefined ? "" : `${(b / v).toFixed(2)}x ${what}'s throughput at ${(cpuMs(name)! / cpuMs(base)!).toFixed(2)}x its CPU`;
  };
  const loadRange = `${Math.min(...loads).toFixed(1)}..${Math.max(...loads).toFixed(1)}`;
  console.log(
    `word count (${args.source}): ${args.words.toLocaleString("en-US")} words, ${args.vocabulary.toLocaleString("en-US")} distinct, median of ${args.runs} interleaved runs after ${Math.max(1, args.warmups)} warm-up round(s) (stream: warm task managers); CPU: median process CPU time of a run, all threads; load average ${loadRange} on ${os.availableParallelism()} cores`,
  );
  line("plain Map loop", "loop", () => "");
  line("direct, checks off", "off", (v) => ratio("loop", v, "the loop"));
  line("direct, checks on", "on", (v) => ratio("off", v, "checks off"));
  line("microbatch, 1 executor", "microbatch", (v) => ratio("off", v, "direct-checks-off"));
  line("microbatch, 2 executors", "microbatch2", (v) =>
    [scaling("microbatch", "microbatch2", v, "1 executor"), ratio("off", v, "direct-checks-off")].filter(Boolean).join(", "),
  );
  line("stream, parallelism 1", "stream1", (v) =>
    [ratio("off", v, "direct-checks-off"), ratio("on", v, "direct-checks-on")].filter(Boolean).join(", "),
  );
  line("stream, parallelism 2", "stream2", (v) =>
    [scaling("stream1", "stream2", v, "parallelism 1"), ratio("off", v, "direct-checks-off"), ratio("on", v, "direct-checks-on")]
      .filter(Boolean)
      .join(", "),
  );
  if (args.threads) {
    console.log(`CPU ms per run by thread (main thread first, then the busiest; threads under 1 ms per run left out):`);
    for (const [name, t] of times) {
      const perRun = [...t.threads].map(([tid, total]) => [tid, total / args.runs] as const).filter(([, v]) => v >= 1);
      perRun.sort(([a, x], [b, y]) => (a === process.pid ? -1 : b === process.pid ? 1 : y - x));
      console.log(
        `  ${name.padEnd(12)} ${perRun.map(([tid, v]) => `${tid === process.pid ? "main " : ""}${v.toFixed(0)}@${tid}`).join(", ")}`,
      );
    }
  }
}

// Task manager and executor threads load this module to rebuild the pipeline: only the main thread measures.
if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
