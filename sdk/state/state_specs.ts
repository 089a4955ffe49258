/**
 * State declarations for stateful DoFns: what kind of cell each named state
 * is. Values live per key and window; a runner keeps them between elements
 * and clears them when the window expires.
 */
import type { CombineFn } from "../transforms/combine_fn";
import type { Coder } from "../../portability/coders/coder";

/**
 * @internal Type marker carried by a state declaration: the cell `ctx.state.<name>`
 * gives for it. Never set at run time.
 */
export interface DeclaresCell<Cell> {
  /** @internal Type marker, never set. */
  readonly _cell?: Cell;
}

/** A declared {@link ValueState}: one value of type `T`. */
export interface ValueStateSpec<T = unknown> extends DeclaresCell<ValueState<T>> {
  /** One value. */
  readonly kind: "value";
  /** Coder of the value. */
  readonly coder?: Coder<unknown>;
}

/** A declared {@link BagState} of `T`s. */
export interface BagStateSpec<T = unknown> extends DeclaresCell<BagState<T>> {
  /** A bag of values. */
  readonly kind: "bag";
  /** Coder of the values. */
  readonly coder?: Coder<unknown>;
}

/** A declared {@link CombiningState}: adds `In`s, reads `Out`. */
export interface CombiningStateSpec<In = unknown, Out = unknown> extends DeclaresCell<CombiningState<In, Out>> {
  /** A CombineFn's accumulator. */
  readonly kind: "combining";
  /** How inputs combine. */
  readonly combineFn: CombineFn<unknown, unknown, unknown>;
  /** Coder of the accumulator. */
  readonly accumulatorCoder?: Coder<unknown>;
}

/** A declared {@link MapState} from `K` to `V`. */
export interface MapStateSpec<K = unknown, V = unknown> extends DeclaresCell<MapState<K, V>> {
  /** A map. */
  readonly kind: "map";
  /** Coder of the keys (they compare by encoding). */
  readonly keyCoder?: Coder<unknown>;
  /** Coder of the values. */
  readonly valueCoder?: Coder<unknown>;
}

/** A declared {@link SetState} of `T`s. */
export interface SetStateSpec<T = unknown> extends DeclaresCell<SetState<T>> {
  /** A set. */
  readonly kind: "set";
  /** Coder of the members (they compare by encoding). */
  readonly coder?: Coder<unknown>;
}

/** A declared {@link OrderedListState} of `T`s. */
export interface OrderedListStateSpec<T = unknown> extends DeclaresCell<OrderedListState<T>> {
  /** Values sorted by timestamp. */
  readonly kind: "orderedList";
  /** Coder of the values. */
  readonly coder?: Coder<unknown>;
}

/** A declared state cell: its kind, and optionally the coders of what it keeps (the default coder otherwise). */
export type StateSpec = ValueStateSpec | BagStateSpec | CombiningStateSpec | MapStateSpec | SetStateSpec | OrderedListStateSpec;

/** The `state` field of a stateful DoFn: state declarations by name. */
export type StateDeclarations = Readonly<Record<string, StateSpec>>;

/** The cell a state declaration gives at run time, e.g. `ValueState<number>` for `mr.state.value<number>()`. */
export type StateCellOf<Spec> = Spec extends DeclaresCell<infer Cell> ? Cell : never;

/** What `ctx.state` holds for a DoFn's `state` declarations: one typed cell per declared name. */
export type StateCells<Declarations> = { readonly [Name in keyof Declarations]: StateCellOf<Declarations[Name]> };

/** A single value: `read()` (undefined when unset), `write(v)`, `clear()`. */
export interface ValueState<T> {
  /** The value, or undefined when none was written. */
  read(): T | undefined;
  /** Replaces the value. */
  write(value: T): void;
  /** Forgets the value. */
  clear(): void;
}

/** An unordered collection: `add(v)`, `read()` all, `isEmpty()`, `clear()`. */
export interface BagState<T> {
  /** Adds a value. */
  add(value: T): void;
  /** Every value added, in no particular order. */
  read(): T[];
  /** True when nothing was added. */
  isEmpty(): boolean;
  /** Removes every value. */
  clear(): void;
}

/** A CombineFn's accumulator: `add(input)`, `read()` the output, `clear()`. */
export interface CombiningState<In, Out> {
  /** Adds an input to the accumulator. */
  add(value: In): void;
  /** The CombineFn output for the inputs so far (of an empty accumulator when none). */
  read(): Out;
  /** True when nothing was added. */
  isEmpty(): boolean;
  /** Resets the accumulator. */
  clear(): void;
}

/** A map (keys compared by value): `get`, `put`, `remove`, `entries`, `keys`, `clear`. */
export interface MapState<K, V> {
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  /** Sets the value of `key`. */
  put(key: K, value: V): void;
  /** Removes `key`. */
  remove(key: K): void;
  /** Every key with its value. */
  entries(): [K, V][];
  /** Every key. */
  keys(): K[];
  /** True when there are no keys. */
  isEmpty(): boolean;
  /** Removes every key. */
  clear(): void;
}

/** A set (members compared by value): `add`, `has`, `remove`, `read`, `clear`. */
export interface SetState<T> {
  /** Adds a member (no effect when an equal one is there). */
  add(value: T): void;
  /** True when an equal member is there. */
  has(value: T): boolean;
  /** Removes the equal member. */
  remove(value: T): void;
  /** Every member. */
  read(): T[];
  /** True when there are no members. */
  isEmpty(): boolean;
  /** Removes every member. */
  clear(): void;
}

/** A value with a timestamp, as kept by {@link OrderedListState}. */
export interface TimestampedElement<T> {
  /** The value. */
  value: T;
  /** Its timestamp (ms), which orders the list. */
  timestamp: number;
}

/** Values sorted by timestamp: `add({ value, timestamp })`, `read()`, `readRange(from, to)`, `clearRange(from, to)`, `clear()`. */
export interface OrderedListState<T> {
  /** Adds a value at its timestamp. */
  add(element: TimestampedElement<T>): void;
  /** Every element, in timestamp order (ties in insertion order). */
  read(): TimestampedElement<T>[];
  /** Elements with `from <= timestamp < to`, in timestamp order. */
  readRange(from: number, to: number): TimestampedElement<T>[];
  /** Removes elements with `from <= timestamp < to`. */
  clearRange(from: number, to: number): void;
  /** True when there are no elements. */
  isEmpty(): boolean;
  /** Removes every element. */
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
  value<T>(options: { coder?: Coder<T> } = {}): ValueStateSpec<T> {
    return { kind: "value", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** Values added one by one: {@link BagState}. */
  bag<T>(options: { coder?: Coder<T> } = {}): BagStateSpec<T> {
    return { kind: "bag", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** A running combination with any CombineFn: {@link CombiningState}. */
  combining<In, Acc, Out>(
    combineFn: CombineFn<In, Acc, Out>,
    options: { accumulatorCoder?: Coder<Acc> } = {},
  ): CombiningStateSpec<In, Out> {
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
  map<K, V>(options: { keyCoder?: Coder<K>; valueCoder?: Coder<V> } = {}): MapStateSpec<K, V> {
    return {
      kind: "map",
      ...(options.keyCoder ? { keyCoder: options.keyCoder as Coder<unknown> } : {}),
      ...(options.valueCoder ? { valueCoder: options.valueCoder as Coder<unknown> } : {}),
    };
  },
  /** A set: {@link SetState}. */
  set<T>(options: { coder?: Coder<T> } = {}): SetStateSpec<T> {
    return { kind: "set", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
  /** Values kept sorted by timestamp: {@link OrderedListState}. */
  orderedList<T>(options: { coder?: Coder<T> } = {}): OrderedListStateSpec<T> {
    return { kind: "orderedList", ...(options.coder ? { coder: options.coder as Coder<unknown> } : {}) };
  },
};
