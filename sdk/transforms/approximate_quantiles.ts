/**
 * Beam's `ApproximateQuantiles`.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { KV } from "../../model/kv";
import { ptransform } from "../ptransform";
import type { CombineFn } from "./combine_fn";
import type { Comparator as Compare } from "./combiners";
import { withResultType } from "./combine_fn_result_type";
import { combineGlobally, combinePerKey } from "./combine";
import {
  addToQuantiles,
  emptyQuantileState,
  extractQuantiles,
  mergeQuantileStates,
  quantileSizes,
  type QuantileState,
} from "./sketches/quantile_buffers";

const naturalOrder = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

function quantilesFn<T>(numQuantiles: number, compare: Compare<T>): CombineFn<T, QuantileState<T>, T[]> {
  const sizes = quantileSizes(numQuantiles);
  if (typeof compare !== "function") throw new TypeError(`approximateQuantiles: compare must be a function, got ${typeof compare}`);
  return withResultType(
    {
      createAccumulator: () => emptyQuantileState<T>(),
      addInput: (acc, x) => addToQuantiles(acc, x, sizes, compare),
      mergeAccumulators: (accs) => mergeQuantileStates(accs, sizes, compare),
      extractOutput: (acc) => extractQuantiles(acc, sizes, compare),
    },
    "arrayOfInput",
  );
}

/**
 * Approximate quantiles with Beam's algorithm
 * (`ApproximateQuantilesCombineFn`: Munro-Paterson buffers, error at most
 * `1 / numQuantiles` of the rank for up to 1e9 elements). The output is an
 * array of `numQuantiles` elements: the minimum, the evenly spaced
 * quantiles between, and the maximum (so `numQuantiles = 5` gives min,
 * quartiles, max); an empty array for no input.
 *
 * @example
 * ```ts
 * const quartiles = latencies.apply(mr.approximateQuantiles.globally(5));   // [min, q1, median, q3, max]
 * const perRoute = byRoute.apply(mr.approximateQuantiles.perKey(3));       // KV<route, [min, median, max]>
 * words.apply(mr.approximateQuantiles.globally(3, (a: string, b: string) => a.length - b.length));
 * ```
 */
export const approximateQuantiles = {
  /** One array of quantiles per window. */
  globally<T>(numQuantiles: number, compare: Compare<T> = naturalOrder): PTransform<PCollection<T>, PCollection<T[]>> {
    const fn = quantilesFn(numQuantiles, compare);
    return ptransform(`ApproximateQuantiles.Globally(${numQuantiles})`, (input: PCollection<T>) =>
      input.apply("Combine", combineGlobally<T, T[]>(fn)),
    );
  },
  /** One array of quantiles per key (and window). */
  perKey<K, V>(numQuantiles: number, compare: Compare<V> = naturalOrder): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
    const fn = quantilesFn(numQuantiles, compare);
    return ptransform(`ApproximateQuantiles.PerKey(${numQuantiles})`, (input: PCollection<KV<K, V>>) =>
      input.apply("Combine", combinePerKey<K, V, V[]>(fn)),
    );
  },
  /** The CombineFn behind both. */
  combineFn<T>(numQuantiles: number, compare: Compare<T> = naturalOrder): CombineFn<T, unknown, T[]> {
    return quantilesFn(numQuantiles, compare);
  },
};
