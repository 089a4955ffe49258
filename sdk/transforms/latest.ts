/**
 * Beam's `Latest`: the element with the latest timestamp, of the whole
 * collection (per window) or per key.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import { ptransform } from "../ptransform";
import type { CombineFn } from "./combine_fn";
import { combineGlobally, combinePerKey } from "./combine";
import { ParDoTransform } from "./pardo";
import type { ElementContext } from "./transform_context";

/** A value with the event time it had. */
export interface Timestamped<T> {
  /** The value. */
  readonly value: T;
  /** Its event time (ms). */
  readonly timestamp: number;
}

/**
 * Beam's `Latest.LatestFn`: keeps the input of the latest timestamp (the
 * first seen among equal ones); its output is the value, or `null` when
 * there was no input.
 */
function latestFn<T>(): CombineFn<Timestamped<T>, Timestamped<T> | null, T | null> {
  const later = (a: Timestamped<T> | null, b: Timestamped<T> | null) => (a === null ? b : b === null || b.timestamp <= a.timestamp ? a : b);
  return {
    createAccumulator: () => null,
    addInput: (acc, x) => later(acc, x),
    mergeAccumulators: (accs) => accs.reduce<Timestamped<T> | null>((m, a) => later(m, a), null),
    extractOutput: (acc) => (acc === null ? null : acc.value),
  };
}

/**
 * The latest element by event time. `globally()` gives one per window
 * (`null` for an empty collection in the global window, as Beam);
 * `perKey()` the latest value of each key.
 *
 * @example
 * ```ts
 * const lastReading = readings.apply(mr.latest.globally());            // PCollection<Reading | null>
 * const lastPerSensor = bySensor.apply(mr.latest.perKey());            // KV<string, Reading>
 * ```
 */
export const latest = {
  /** Beam's `Latest.globally()`. */
  globally<T>(): PTransform<PCollection<T>, PCollection<T | null>> {
    return ptransform("Latest.Globally", (input: PCollection<T>) =>
      input
        .apply(
          "ReifyTimestamps",
          new ParDoTransform<T, Timestamped<T>>("ReifyTimestamps", {
            fn: (value: T, ctx: ElementContext<unknown>) => ({ value, timestamp: ctx.timestamp }),
            shape: "map",
          }),
        )
        .apply("Combine", combineGlobally<Timestamped<T>, T | null>(latestFn<T>())),
    );
  },
  /** Beam's `Latest.perKey()`. */
  perKey<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V>>> {
    return ptransform(
      "Latest.PerKey",
      (input: PCollection<KV<K, V>>) =>
        input
          .apply(
            "ReifyTimestamps",
            new ParDoTransform<KV<K, V>, KV<K, Timestamped<V>>>("ReifyTimestamps", {
              fn: (e: KV<K, V>, ctx: ElementContext<unknown>) => kv(e.key, { value: e.value, timestamp: ctx.timestamp }),
              shape: "map",
            }),
          )
          .apply("Combine", combinePerKey<K, Timestamped<V>, V | null>(latestFn<V>())) as PCollection<KV<K, V>>,
    );
  },
  /** The CombineFn of `{ value, timestamp }` inputs behind both. */
  combineFn<T>(): CombineFn<Timestamped<T>, unknown, T | null> {
    return latestFn<T>();
  },
};
