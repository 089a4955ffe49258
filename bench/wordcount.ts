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
 *   npm run bench:wordcount [-- --words=1000000 --vocabulary=10000 --runs=5]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const CONFIGS = {
  off: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
  on: ["--runner=direct"],
  microbatch: ["--runner=microbatch"],
  stream1: ["--runner=stream", "--parallelism=1"],
  stream2: ["--runner=stream", "--parallelism=2"],
} as const;
type ConfigName = keyof typeof CONFIGS;

interface Args {
  words: number;
  vocabulary: number;
  runs: number;
  /** Only these configurations (for profiling one of them); the plain loop always runs. */
  only: ConfigName[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { words: 1_000_000, vocabulary: 10_000, runs: 5, only: Object.keys(CONFIGS) as ConfigName[] };
  for (const a of argv) {
    const only = /^--only=([\w,]+)$/.exec(a);
    if (only) {
      args.only = only[1]!.split(",").map((c) => {
        if (!(c in CONFIGS)) throw new Error(`--only: unknown configuration ${c}; known: ${Object.keys(CONFIGS).join(", ")}`);
        return c as ConfigName;
      });
      continue;
    }
    const m = /^--(words|vocabulary|runs)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; accepted: --words=N --vocabulary=N --runs=N --only=${Object.keys(CONFIGS).join(",")}`);
    args[m[1] as "words" | "vocabulary" | "runs"] = Number(m[2]);
  }
  return args;
}

const wordLists = new Map<string, string[]>();

/**
 * A deterministic word list: the same input on every run, made once per
 * process (executor threads make their own once too), so timings measure the
 * runners, not the making of the input.
 */
function makeWords(n: number, vocabularySize: number): string[] {
  const key = `${n}/${vocabularySize}`;
  const cached = wordLists.get(key);
  if (cached) return cached;
  const vocabulary = Array.from({ length: vocabularySize }, (_, i) => `word${i.toString(36)}`);
  let seed = 12345;
  const words = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    words[i] = vocabulary[seed % vocabularySize]!;
  }
  wordLists.set(key, words);
  return words;
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
    const words = makeWords(p.options.get<number>("words")!, p.options.get<number>("vocabulary")!);
    p.apply(mr.create(words))
      .apply(mr.countPerElement())
      .apply(mr.map((_: mr.KV<string, number>, ctx) => ctx.metrics.counter("distinct").inc()));
  },
  {
    flags: {
      words: { type: "integer", default: 1_000_000, description: "words to count" },
      vocabulary: { type: "integer", default: 10_000, description: "distinct words" },
    },
  },
);

async function onRunner(args: Args, runnerArgs: readonly string[]): Promise<number> {
  const p = wordCount.create([...runnerArgs, `--words=${args.words}`, `--vocabulary=${args.vocabulary}`]);
  const result = p.run();
  await result.waitUntilFinish();
  return result.metrics().counters.distinct ?? 0;
}

/** Wall time and CPU time (all threads of the process) of each of `runs` runs after a warm-up run, in ms. */
async function timesMs(runs: number, f: () => unknown | Promise<unknown>): Promise<{ wall: number[]; cpu: number[] }> {
  await f(); // warm-up (for the stream runner: starts the task manager threads)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await f();
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

function median(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const words = makeWords(args.words, args.vocabulary);
  const expected = plainLoop(words);
  for (const name of args.only) {
    const got = await onRunner(args, CONFIGS[name]);
    if (got !== expected) throw new Error(`${CONFIGS[name].join(" ")} counted ${got} distinct words, the loop ${expected}`);
  }
  const times = new Map<ConfigName | "loop", { wall: number[]; cpu: number[] }>();
  times.set("loop", await timesMs(args.runs, () => plainLoop(words)));
  for (const name of args.only) times.set(name, await timesMs(args.runs, () => onRunner(args, CONFIGS[name])));
  const ms = (name: ConfigName | "loop"): number | undefined => {
    const t = times.get(name);
    return t && median(t.wall);
  };
  const rate = (v: number): string => `${Math.round(args.words / (v / 1000)).toLocaleString("en-US")} elements/s`;
  const range = (name: ConfigName | "loop"): string => {
    const { wall, cpu } = times.get(name)!;
    return `runs ${Math.min(...wall).toFixed(0)}..${Math.max(...wall).toFixed(0)} ms, CPU ${median(cpu).toFixed(0)} ms`;
  };
  const line = (label: string, name: ConfigName | "loop", relation: (v: number) => string): void => {
    const v = ms(name);
    if (v === undefined) return;
    const notes = [relation(v), range(name)].filter(Boolean).join("; ");
    console.log(`  ${label.padEnd(22)}${v.toFixed(1).padStart(8)} ms  ${rate(v)}  (${notes})`);
  };
  const ratio = (base: ConfigName | "loop", v: number, what: string): string => {
    const b = ms(base);
    return b === undefined ? "" : `${(b / v).toFixed(2)} of ${what}'s throughput`;
  };
  console.log(
    `word count: ${args.words.toLocaleString("en-US")} words, ${args.vocabulary.toLocaleString("en-US")} distinct, median of ${args.runs} runs after a warm-up run (stream: warm task managers); CPU: median process CPU time of a run, all threads; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
  );
  line("plain Map loop", "loop", () => "");
  line("direct, checks off", "off", (v) => ratio("loop", v, "the loop"));
  line("direct, checks on", "on", (v) => ratio("off", v, "checks off"));
  line("microbatch", "microbatch", (v) => ratio("off", v, "direct-checks-off"));
  line("stream, parallelism 1", "stream1", (v) =>
    [ratio("off", v, "direct-checks-off"), ratio("on", v, "direct-checks-on")].filter(Boolean).join(", "),
  );
  line("stream, parallelism 2", "stream2", (v) =>
    [
      ms("stream1") === undefined ? "" : `${(ms("stream1")! / v).toFixed(2)}x parallelism 1`,
      ratio("off", v, "direct-checks-off"),
      ratio("on", v, "direct-checks-on"),
    ]
      .filter(Boolean)
      .join(", "),
  );
}

// Task manager and executor threads load this module to rebuild the pipeline: only the main thread measures.
if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
