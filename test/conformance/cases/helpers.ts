/** Pure helpers shared by case modules (safe to load on workers). */
import * as mr from "../../../index";

/** Makes grouped values comparable: sorts each group's values. */
export function sortGroups<K, V>(pc: mr.PCollection<mr.KV<K, V[]>>): mr.PCollection<mr.KV<K, V[]>> {
  return pc.map(function sortGroupValues(e: mr.KV<K, V[]>) {
    return mr.kv(e.key, [...e.value].sort(compareValues));
  });
}

/** A total order on the values the cases use: numbers numerically, everything else by JSON. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = typeof a === "string" ? a : JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
  const sb = typeof b === "string" ? b : JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Throws unless `actual` and `expected` are the same primitive (Object.is). */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected)) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** 0, 1, ..., n - 1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
