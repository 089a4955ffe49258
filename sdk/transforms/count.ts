import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { kv, type KV } from "../../model/kv";
import { combinePerKey, combineGlobally } from "./combine";
import { combiners } from "./combiners";
import { map } from "./element_wise";

/**
 * How many times each distinct element occurs: `T -> KV<T, number>`.
 *
 * @example
 * ```ts
 * words.apply(mr.countPerElement());   // KV<string, number>
 * ```
 */
export function countPerElement<T>(): PTransform<PCollection<T>, PCollection<KV<T, number>>> {
  return ptransform("CountPerElement", (input: PCollection<T>) =>
    input
      .apply(
        "PairWithNull",
        map((e: T) => kv(e, null)),
      )
      .apply("Count", combinePerKey<T, null, number>(combiners.count())),
  );
}

/**
 * How many values each key has: `KV<K, V> -> KV<K, number>`.
 *
 * @example
 * ```ts
 * const ordersPerCustomer = orders
 *   .apply(mr.withKeys((o: Order) => o.customer))
 *   .apply(mr.countPerKey());   // KV<string, number>
 * ```
 */
export function countPerKey<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, number>>> {
  return ptransform("CountPerKey", (input: PCollection<KV<K, V>>) => input.apply("Count", combinePerKey<K, V, number>(combiners.count())));
}

/**
 * How many elements there are (0 for an empty collection in the global window).
 *
 * @example
 * ```ts
 * const lineCount = p.apply(mr.io.readText("data/*.txt")).apply(mr.countGlobally());   // one number
 * ```
 */
export function countGlobally<T>(): PTransform<PCollection<T>, PCollection<number>> {
  return ptransform("CountGlobally", (input: PCollection<T>) => input.apply("Count", combineGlobally<T, number>(combiners.count())));
}

/**
 * The distinct elements (by value, not identity).
 *
 * @example
 * ```ts
 * const visitors = visits.map((v: Visit) => v.userId).apply(mr.distinct());
 * p.apply(mr.create([{ a: 1 }, { a: 1 }, [1, 2], [1, 2]])).apply(mr.distinct());   // { a: 1 } and [1, 2], once each
 * ```
 */
export function distinct<T>(): PTransform<PCollection<T>, PCollection<T>> {
  return ptransform("Distinct", (input: PCollection<T>) =>
    input
      .apply(
        "PairWithNull",
        map((e: T) => kv(e, null)),
      )
      .apply(
        "Combine",
        combinePerKey<T, null, null>({
          createAccumulator: () => null,
          addInput: () => null,
          mergeAccumulators: () => null,
          extractOutput: () => null,
        }),
      )
      .apply(
        "Keys",
        map((e: KV<T, null>) => e.key),
      ),
  );
}
