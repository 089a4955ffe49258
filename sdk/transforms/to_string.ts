/**
 * Beam's `ToString`: elements, KVs and iterables as strings.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { KV } from "../../model/kv";
import { ParDoTransform } from "./pardo";

/**
 * The string of one value: a string as it is; a number, boolean, bigint,
 * null or undefined as `String(v)`; anything else as JSON (bigints in it as
 * their digits), where Java would call `toString()`.
 */
export function stringOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined || typeof value !== "object") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return stringOf(Object.fromEntries(value));
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Array.from(v) : v));
}

/**
 * Elements as strings (Beam's `ToString`).
 *
 * @example
 * ```ts
 * counts.apply(mr.toString.kvs(": "));                  // KV("a", 3) -> "a: 3"
 * p.apply(mr.create([1, 2])).apply(mr.toString.elements());   // "1", "2"
 * rows.apply(mr.toString.iterables("\t"));              // ["x", 1] -> "x\t1"
 * ```
 */
export const toString = {
  /** Each element as a string ({@link stringOf}). */
  elements<T>(): PTransform<PCollection<T>, PCollection<string>> {
    return new ParDoTransform<T, string>("ToString.Elements", { fn: (el: T) => stringOf(el), shape: "map" });
  },
  /** Each KV as its key and value strings joined by `delimiter` (default ","). */
  kvs<K, V>(delimiter = ","): PTransform<PCollection<KV<K, V>>, PCollection<string>> {
    return new ParDoTransform<KV<K, V>, string>("ToString.KVs", {
      fn: (e: KV<K, V>) => `${stringOf(e.key)}${delimiter}${stringOf(e.value)}`,
      shape: "map",
    });
  },
  /** Each iterable as its elements' strings joined by `delimiter` (default ","). */
  iterables<T>(delimiter = ","): PTransform<PCollection<Iterable<T>>, PCollection<string>> {
    return new ParDoTransform<Iterable<T>, string>("ToString.Iterables", {
      fn: (it: Iterable<T>) => {
        if (it === null || typeof (it as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
          throw new TypeError(`toString.iterables expects iterables, got ${stringOf(it)}`);
        }
        return Array.from(it, stringOf).join(delimiter);
      },
      shape: "map",
    });
  },
};
