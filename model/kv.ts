/** A key with a value: the element type that grouping transforms work on. */
export interface KV<K, V> {
  /** What grouping transforms group by. */
  key: K;
  /** The payload that travels with the key. */
  value: V;
}

/**
 * Builds a {@link KV}.
 *
 * @example
 * ```ts
 * words.map((w) => mr.kv(w, 1));
 * ```
 */
export function kv<K, V>(key: K, value: V): KV<K, V> {
  return { key, value };
}

/** True when `x` looks like a {@link KV}: an object with `key` and `value`. */
export function isKV(x: unknown): x is KV<unknown, unknown> {
  return typeof x === "object" && x !== null && "key" in x && "value" in x;
}
