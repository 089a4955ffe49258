/**
 * Word count throughput: 1,000,000 words from a 10,000-word vocabulary fed
 * through `create`, counted per word on the direct runner (checks on and
 * off), against the same count done by a plain `Map` loop in this process.
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

/** A deterministic word list: the same input on every run. */
function makeWords(n: number, vocabularySize: number): string[] {
  const vocabulary = Array.from({ length: vocabularySize }, (_, i) => `word${i.toString(36)}`);
  let seed = 12345;
  const words = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    words[i] = vocabulary[seed % vocabularySize]!;
  }
  return words;
}

function plainLoop(words: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts.size;
}

async function onRunner(words: readonly string[], checks: boolean): Promise<number> {
  const p = mr.Pipeline.create([`--enforceImmutability=${checks}`, `--enforceEncodability=${checks}`]);
  let distinct = 0;
  p.apply(mr.create(words))
    .apply(mr.countPerElement())
    .apply(mr.map(() => distinct++));
  await p.run().waitUntilFinish();
  return distinct;
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
  for (const checks of [false, true]) {
    const got = await onRunner(words, checks);
    if (got !== expected) throw new Error(`runner counted ${got} distinct words, the loop ${expected}`);
  }
  const loopMs = await medianMs(args.runs, () => plainLoop(words));
  const offMs = await medianMs(args.runs, () => onRunner(words, false));
  const onMs = await medianMs(args.runs, () => onRunner(words, true));
  const rate = (ms: number): string => `${Math.round(args.words / (ms / 1000)).toLocaleString("en-US")} elements/s`;
  console.log(`word count: ${args.words.toLocaleString("en-US")} words, ${args.vocabulary.toLocaleString("en-US")} distinct, median of ${args.runs} runs`);
  console.log(`  plain Map loop          ${loopMs.toFixed(1).padStart(8)} ms  ${rate(loopMs)}`);
  console.log(`  direct, checks off      ${offMs.toFixed(1).padStart(8)} ms  ${rate(offMs)}  (${(loopMs / offMs).toFixed(2)} of the loop's throughput)`);
  console.log(`  direct, checks on       ${onMs.toFixed(1).padStart(8)} ms  ${rate(onMs)}  (${(onMs / offMs).toFixed(2)}x the time of checks off)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
