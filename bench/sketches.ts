/**
 * Accuracy and cost of the approximate transforms' CombineFns on known data:
 * approximateCountDistinct (HyperLogLog++, Beam's precisions 15/20),
 * approximateUnique (largest hashes, default sample size 10 000) and
 * approximateQuantiles (Munro-Paterson buffers). Not a test:
 *   npm run bench:sketches
 */
import type { CombineFn } from "../sdk/transforms/combine_fn";
import { approximateCountDistinct, approximateUnique } from "../sdk/transforms/approximate_unique";
import { approximateQuantiles } from "../sdk/transforms/approximate_quantiles";

function run<T, O>(fn: CombineFn<T, unknown, O>, values: Iterable<T>, shards: number): { out: O; ms: number } {
  const start = process.hrtime.bigint();
  const accs = Array.from({ length: shards }, () => fn.createAccumulator());
  let i = 0;
  for (const v of values) {
    accs[i % shards] = fn.addInput(accs[i % shards], v);
    i++;
  }
  const out = fn.extractOutput(fn.mergeAccumulators(accs));
  return { out, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

function* ints(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

const pct = (x: number) => `${(x * 100).toFixed(3)} %`;

console.log("distinct count: relative error (time), 4 shards merged");
console.log("n".padStart(9), "HyperLogLog++ p=15".padStart(30), "ApproximateUnique 10k".padStart(30));
for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
  const hll = run(approximateCountDistinct.combineFn<number>(), ints(n), 4);
  const uniq = run(approximateUnique.combineFn<number>(), ints(n), 4);
  console.log(
    String(n).padStart(9),
    `${pct(Math.abs(hll.out - n) / n)} (${hll.ms.toFixed(0)} ms)`.padStart(30),
    `${pct(Math.abs(uniq.out - n) / n)} (${uniq.ms.toFixed(0)} ms)`.padStart(30),
  );
}
console.log("bounds: HyperLogLog++ standard error 1.04/sqrt(2^15) = 0.575 %; ApproximateUnique about 2/sqrt(10000) = 2 %");

console.log("\napproximateQuantiles(101) of a permutation of 0..n-1: largest rank error / n (time), 4 shards merged");
for (const n of [10_000, 1_000_000]) {
  const values = Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const q = run(approximateQuantiles.combineFn<number>(101), values, 4);
  let worst = 0;
  q.out.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (i * (n - 1)) / 100))));
  console.log(String(n).padStart(9), `${pct(worst / n)} (${q.ms.toFixed(0)} ms)`.padStart(30), "  bound 1/101 =", pct(1 / 101));
}
