/**
 * State declarations for stateful DoFns: what kind of cell each named state
 * is. Values live per key and window; a runner keeps them between elements
 * and clears them when the window expires.
 */
import type { CombineFn } from "../transforms/combine_fn";
import type { Coder } from "../../portability/coders/coder";

/** A declared state cell. */
export type StateSpec =
  | { readonly kind: "value"; readonly coder?: Coder<unknown> }
  | { readonly kind: "bag"; readonly coder?: Coder<unknown> }
  | { readonly kind: "combining"; readonly combineFn: CombineFn<unknown, unknown, unknown>; readonly accumulatorCoder?: Coder<unknown> }
  | { readonly kind: "map"; readonly keyCoder?: Coder<unknown>; readonly valueCoder?: Coder<unknown> }
  | { readonly kind: "set"; readonly coder?: Coder<unknown> }
  | { readonly kind: "orderedList"; readonly coder?: Coder<unknown> };

/** A single value: `read()` (undefined when unset), `write(v)`, `clear()`. */
export interface ValueState<T> {
  read(): T | undefined;
  write(value: T): void;
  clear(): void;
}

/** An unordered collection: `add(v)`, `read()` all, `isEmpty()`, `clear()`. */
export interface BagState<T> {
  add(value: T): void;
  read(): T[];
  isEmpty(): boolean;
  clear(): void;
}

/** A CombineFn's accumulator: `add(input)`, `read()` the output, `clear()`. */
export interface CombiningState<In, Out> {
  add(value: In): void;
  read(): Out;
  isEmpty(): boolean;
  clear(): void;
}

/** A map (keys compared by value): `get`, `put`, `remove`, `entries`, `keys`, `clear`. */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  entries(): [K, V][];
  keys(): K[];
  isEmpty(): boolean;
  clear(): void;
}

/** A set (members compared by value): `add`, `has`, `remove`, `read`, `clear`. */
export interface SetState<T> {
  add(value: T): void;
  has(value: T): boolean;
  remove(value: T): void;
  read(): T[];
  isEmpty(): boolean;
  clear(): void;
}

/** A value with a timestamp, as kept by {@link OrderedListState}. */
export interface TimestampedElement<T> {
  value: T;
  timestamp: number;
}

/** Values sorted by timestamp: `add({ value, timestamp })`, `read()`, `readRange(from, to)`, `clearRange(from, to)`, `clear()`. */
export interface OrderedListState<T> {
  add(element: TimestampedElement<T>): void;
  /** Every element, in timestamp order (ties in insertion order). */
  read(): TimestampedElement<T>[];
  /** Elements with `from <= timestamp < to`, in timestamp order. */
  readRange(from: number, to: number): TimestampedElement<T>[];
  /** Removes elements with `from <= timestamp < to`. */
  clearRange(from: number, to: number): void;
  isEmpty(): boolean;
  clear(): void;
}

/**
 * The state kinds, to declare in a DoFn's `state` field.
 *
 * @example
 * ```ts
 * lines.apply(mr.parDo({
 *   state: { count: mr.state.value<number>() },
 *   process(kv, ctx) {
 *     const n = (ctx.state.count.read() ?? 0) + 1;
 *     ctx.state.count.write(n);
 *     ctx.output(mr.kv(kv.key, n));
 *   },
 * }));
 * ```
 */
export const state = {
  /** One value per key and window: {@link ValueState}. */
  value<T>(options: { coder?: Coder<T> } = {}): StateSpec {
    return { kind: "value", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** Values added one by one: {@link BagState}. */
  bag<T>(options: { coder?: Coder<T> } = {}): StateSpec {
    return { kind: "bag", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** A running combination with any CombineFn: {@link CombiningState}. */
  combining<In, Acc, Out>(combineFn: CombineFn<In, Acc, Out>, options: { accumulatorCoder?: Coder<Acc> } = {}): StateSpec {
    if (!combineFn || typeof combineFn.createAccumulator !== "function") {
      throw new TypeError("state.combining expects a CombineFn ({ createAccumulator, addInput, mergeAccumulators, extractOutput })");
    }
    return {
      kind: "combining",
      combineFn: combineFn as CombineFn<unknown, unknown, unknown>,
      ...(options.accumulatorCoder ? { accumulatorCoder: options.accumulatorCoder as Coder<unknown> } : {}),
    };
  },
  /** A map: {@link MapState}. */
  map<K, V>(options: { keyCoder?: Coder<K>; valueCoder?: Coder<V> } = {}): StateSpec {
    return {
      kind: "map",
      ...(options.keyCoder ? { keyCoder: options.keyCoder as Coder<unknown> } : {}),
      ...(options.valueCoder ? { valueCoder: options.valueCoder as Coder<unknown> } : {}),
    };
  },
  /** A set: {@link SetState}. */
  set<T>(options: { coder?: Coder<T> } = {}): StateSpec {
    return { kind: "set", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** Values kept sorted by timestamp: {@link OrderedListState}. */
  orderedList<T>(options: { coder?: Coder<T> } = {}): StateSpec {
    return { kind: "orderedList", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
};
