/**
 * Approximate distinct counts, as Beam names them: `approximateUnique`
 * (Beam's `ApproximateUnique`, a sample of the largest hashes) and
 * `approximateCountDistinct` (Beam's `ApproximateCountDistinct`,
 * HyperLogLog++ with `HllCount`'s default precisions 15 and 20).
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
import { hashValue } from "./sketches/value_hash";
import {
  addToLargestUnique,
  checkSampleSize,
  emptyLargestUnique,
  estimateUnique,
  mergeLargestUnique,
  sampleSizeFromEstimationError,
  type LargestUnique,
} from "./sketches/largest_unique";
import {
  addHash,
  DEFAULT_PRECISION,
  DEFAULT_SPARSE_PRECISION,
  emptySketch,
  estimate,
  mergeSketches,
  type HllSketch,
} from "./sketches/hyper_log_log_plus";

/** Options of {@link approximateUnique}: a sample size, or the error it should give (not both). */
export interface ApproximateUniqueOptions {
  /** How many of the largest hashes to keep (>= 16); the standard error is about `2 / sqrt(sampleSize)`. */
  readonly sampleSize?: number;
  /** The error wanted, in [0.01, 0.5]; the sample size is `ceil(4 / e^2)`. Default 0.02 (Beam requires one of the two). */
  readonly maximumEstimationError?: number;
}

/** Options of {@link approximateCountDistinct}. */
export interface ApproximateCountDistinctOptions {
  /** HyperLogLog++ precision p in [10, 24] (2^p registers, standard error 1.04 / sqrt(2^p)); default 15, as Beam. */
  readonly precision?: number;
  /** Sparse precision in [p, 25]; default 20, as Beam. */
  readonly sparsePrecision?: number;
}

const DEFAULT_ESTIMATION_ERROR = 0.02;

function sampleSizeOf(options: ApproximateUniqueOptions): number {
  if (options.sampleSize !== undefined && options.maximumEstimationError !== undefined) {
    throw new Error("approximateUnique: give sampleSize or maximumEstimationError, not both");
  }
  if (options.sampleSize !== undefined) return checkSampleSize(options.sampleSize);
  return sampleSizeFromEstimationError(options.maximumEstimationError ?? DEFAULT_ESTIMATION_ERROR);
}

function largestUniqueFn<T>(sampleSize: number): CombineFn<T, LargestUnique, number> {
  return withResultType(
    {
      createAccumulator: () => emptyLargestUnique(),
      addInput: (acc, x) => addToLargestUnique(acc, hashValue(x), sampleSize),
      mergeAccumulators: (accs) => mergeLargestUnique(accs, sampleSize),
      extractOutput: (acc) => estimateUnique(acc, sampleSize),
      compact: (acc) => mergeLargestUnique([acc], sampleSize),
    },
    "int64",
  );
}

function hllFn<T>(options: ApproximateCountDistinctOptions): CombineFn<T, HllSketch, number> {
  const p = options.precision ?? DEFAULT_PRECISION;
  const sp = options.sparsePrecision ?? Math.max(DEFAULT_SPARSE_PRECISION, p);
  emptySketch(p, sp); // checks the precisions now, at construction
  return withResultType(
    {
      createAccumulator: () => emptySketch(p, sp),
      addInput: (acc, x) => addHash(acc, hashValue(x)),
      mergeAccumulators: (accs) => mergeSketches(accs, p, sp),
      extractOutput: (acc) => estimate(acc),
    },
    "int64",
  );
}

/**
 * Beam's `ApproximateUnique`: the approximate number of distinct elements
 * (by value), from a sample of the largest hashes. Exact below the sample
 * size; above, the standard error is about `2 / sqrt(sampleSize)`.
 *
 * @example
 * ```ts
 * const visitors = visits.map((v: Visit) => v.userId).apply(mr.approximateUnique.globally());   // about 2 % error
 * const perPage = byPage.apply(mr.approximateUnique.perKey({ sampleSize: 1000 }));                // KV<page, number>
 * ```
 */
export const approximateUnique = {
  /** One estimate per window. */
  globally<T>(options: ApproximateUniqueOptions = {}): PTransform<PCollection<T>, PCollection<number>> {
    const fn = largestUniqueFn<T>(sampleSizeOf(options));
    return ptransform("ApproximateUnique.Globally", (input: PCollection<T>) => input.apply("Combine", combineGlobally<T, number>(fn)));
  },
  /** One estimate per key (and window), of the distinct values of the key. */
  perKey<K, V>(options: ApproximateUniqueOptions = {}): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, number>>> {
    const fn = largestUniqueFn<V>(sampleSizeOf(options));
    return ptransform("ApproximateUnique.PerKey", (input: PCollection<KV<K, V>>) =>
      input.apply("Combine", combinePerKey<K, V, number>(fn)),
    );
  },
  /** The CombineFn behind both. */
  combineFn<T>(options: ApproximateUniqueOptions = {}): CombineFn<T, unknown, number> {
    return largestUniqueFn<T>(sampleSizeOf(options));
  },
};

/**
 * Beam's `ApproximateCountDistinct`: the approximate number of distinct
 * elements (by value) with a HyperLogLog++ sketch, Beam's default precision
 * 15 (standard error about 0.57 %) and sparse precision 20 (nearly exact
 * for small counts).
 *
 * @example
 * ```ts
 * const users = events.map((e: Event) => e.userId).apply(mr.approximateCountDistinct.globally());
 * const perDay = byDay.apply(mr.approximateCountDistinct.perKey({ precision: 12 }));
 * ```
 */
export const approximateCountDistinct = {
  /** One estimate per window. */
  globally<T>(options: ApproximateCountDistinctOptions = {}): PTransform<PCollection<T>, PCollection<number>> {
    const fn = hllFn<T>(options);
    return ptransform("ApproximateCountDistinct.Globally", (input: PCollection<T>) =>
      input.apply("Combine", combineGlobally<T, number>(fn)),
    );
  },
  /** One estimate per key (and window). */
  perKey<K, V>(options: ApproximateCountDistinctOptions = {}): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, number>>> {
    const fn = hllFn<V>(options);
    return ptransform("ApproximateCountDistinct.PerKey", (input: PCollection<KV<K, V>>) =>
      input.apply("Combine", combinePerKey<K, V, number>(fn)),
    );
  },
  /** The CombineFn behind both. */
  combineFn<T>(options: ApproximateCountDistinctOptions = {}): CombineFn<T, unknown, number> {
    return hllFn<T>(options);
  },
};
