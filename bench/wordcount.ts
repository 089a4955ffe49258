/**
 * Word count throughput: 1,000,000 words from a 10,000-word vocabulary fed
 * through `create`, counted per word on the direct runner (checks on and
 * off) and on the micro-batch runner, against the same count done by a
 * plain `Map` loop in this process.
 * Each figure is the median of several runs after a warm-up; the runner's
 * time is the whole `run()` to `waitUntilFinish()`, proto translation included.
 *
 *   npm run bench:wordcount [-- --words=1000000 --vocabulary=10000 --runs=5]
 */
import * as mr from "millrace";

interface Args {
  words: number;
  vocabulary: number;
  runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { words: 1_000_000, vocabulary: 10_000, runs: 5 };
  for (const a of argv) {
    const m = /^--(words|vocabulary|runs)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; accepted: --words=N --vocabulary=N --runs=N`);
    args[m[1] as keyof Args] = Number(m[2]);
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

async function medianMs(runs: number, f: () => unknown | Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const words = makeWords(args.words, args.vocabulary);
  const expected = plainLoop(words);
  const configs: Record<string, string[]> = {
    off: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
    on: ["--runner=direct"],
    microbatch: ["--runner=microbatch"],
  };
  for (const runnerArgs of Object.values(configs)) {
    const got = await onRunner(args, runnerArgs);
    if (got !== expected) throw new Error(`${runnerArgs.join(" ")} counted ${got} distinct words, the loop ${expected}`);
  }
  const loopMs = await medianMs(args.runs, () => plainLoop(words));
  const offMs = await medianMs(args.runs, () => onRunner(args, configs.off!));
  const onMs = await medianMs(args.runs, () => onRunner(args, configs.on!));
  const microbatchMs = await medianMs(args.runs, () => onRunner(args, configs.microbatch!));
  const rate = (ms: number): string => `${Math.round(args.words / (ms / 1000)).toLocaleString("en-US")} elements/s`;
  console.log(`word count: ${args.words.toLocaleString("en-US")} words, ${args.vocabulary.toLocaleString("en-US")} distinct, median of ${args.runs} runs`);
  console.log(`  plain Map loop          ${loopMs.toFixed(1).padStart(8)} ms  ${rate(loopMs)}`);
  console.log(`  direct, checks off      ${offMs.toFixed(1).padStart(8)} ms  ${rate(offMs)}  (${(loopMs / offMs).toFixed(2)} of the loop's throughput)`);
  console.log(`  direct, checks on       ${onMs.toFixed(1).padStart(8)} ms  ${rate(onMs)}  (${(onMs / offMs).toFixed(2)}x the time of checks off)`);
  console.log(`  microbatch              ${microbatchMs.toFixed(1).padStart(8)} ms  ${rate(microbatchMs)}  (${(offMs / microbatchMs).toFixed(2)} of direct-checks-off's throughput)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
