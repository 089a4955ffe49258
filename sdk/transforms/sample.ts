/**
 * Beam's `Sample`: a uniform random sample of fixed size, of the whole
 * collection or per key.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { KV } from "../../model/kv";
import { ptransform } from "../ptransform";
import type { CombineFn } from "./combine_fn";
import { withResultType } from "./combine_fn_result_type";
import { combineGlobally, combinePerKey } from "./combine";

/** The accumulator: up to `n` elements, each with the random priority it was drawn with. */
type Reservoir<T> = { priority: number; value: T }[];

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample: the sample size must be a whole number >= 0, got ${n}`);
}

/**
 * Beam's `Sample.FixedSizedSampleFn`: each element draws a random priority
 * and the `n` of highest priority are kept, so merging two samples is
 * keeping the top `n` of their union and every element is equally likely
 * to be chosen.
 */
function fixedSizeSampleFn<T>(n: number): CombineFn<T, Reservoir<T>, T[]> {
  checkSize(n);
  const keepTop = (r: Reservoir<T>): Reservoir<T> => r.sort((a, b) => b.priority - a.priority).slice(0, n);
  return withResultType(
    {
      createAccumulator: () => [],
      addInput: (acc, value) => {
        acc.push({ priority: Math.random(), value });
        return acc.length > 2 * n + 16 ? keepTop(acc) : acc;
      },
      mergeAccumulators: (accs) => keepTop(accs.flat()),
      extractOutput: (acc) => keepTop(acc.slice()).map((e) => e.value),
      compact: (acc) => keepTop(acc),
    },
    "arrayOfInput",
  );
}

/**
 * Uniform random samples of fixed size. `fixedSize(n)` gives one array of
 * `min(n, count)` elements (an empty array for an empty collection in the
 * global window); `fixedSizePerKey(n)` one per key.
 *
 * @example
 * ```ts
 * const tenUsers = users.apply(mr.sample.fixedSize(10));              // PCollection<User[]>
 * const perCountry = byCountry.apply(mr.sample.fixedSizePerKey(3));   // KV<string, User[]>
 * ```
 */
export const sample = {
  /** Beam's `Sample.fixedSizeGlobally(n)`: one array of at most `n` elements, chosen uniformly. */
  fixedSize<T>(n: number): PTransform<PCollection<T>, PCollection<T[]>> {
    const fn = fixedSizeSampleFn<T>(n);
    return ptransform(`Sample.FixedSize(${n})`, (input: PCollection<T>) => input.apply("Combine", combineGlobally<T, T[]>(fn)));
  },
  /** Beam's `Sample.fixedSizePerKey(n)`: per key, an array of at most `n` of its values, chosen uniformly. */
  fixedSizePerKey<K, V>(n: number): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
    const fn = fixedSizeSampleFn<V>(n);
    return ptransform(`Sample.FixedSizePerKey(${n})`, (input: PCollection<KV<K, V>>) =>
      input.apply("Combine", combinePerKey<K, V, V[]>(fn)),
    );
  },
  /** The CombineFn behind both, for `combinePerKey`, state or schema aggregations. */
  fixedSizeFn<T>(n: number): CombineFn<T, unknown, T[]> {
    return fixedSizeSampleFn<T>(n);
  },
};
