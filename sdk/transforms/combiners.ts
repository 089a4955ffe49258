import type { CombineFn } from "./combine_fn";
import { withResultType } from "./combine_fn_result_type";
import { encodeToBytes } from "../../portability/coders/coder";
import { JS_VALUE_CODER } from "../../portability/coders/js_value_coder";

/** Compares two values like `Array.prototype.sort`'s comparator. */
export type Comparator<T> = (a: T, b: T) => number;

const naturalOrder = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The standard CombineFns.
 *
 * @example
 * ```ts
 * scores.apply(mr.combinePerKey(mr.combiners.sum()));
 * ```
 */
export const combiners = {
  /** The sum of numbers (0 for none). */
  sum(): CombineFn<number, number, number> {
    return withResultType(
      {
        createAccumulator: () => 0,
        addInput: (acc, x) => acc + x,
        mergeAccumulators: (accs) => {
          let s = 0;
          for (const a of accs) s += a;
          return s;
        },
        extractOutput: (acc) => acc,
      },
      "sameAsInput",
    );
  },
  /** The number of elements. */
  count(): CombineFn<unknown, number, number> {
    return withResultType(
      {
        createAccumulator: () => 0,
        addInput: (acc) => acc + 1,
        mergeAccumulators: (accs) => {
          let s = 0;
          for (const a of accs) s += a;
          return s;
        },
        extractOutput: (acc) => acc,
      },
      "int64",
    );
  },
  /** The smallest element (by `compare`, default natural order); undefined for none. */
  min<T>(compare: Comparator<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
    return withResultType(extremum(compare, -1), "sameAsInput");
  },
  /** The largest element (by `compare`, default natural order); undefined for none. */
  max<T>(compare: Comparator<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
    return withResultType(extremum(compare, 1), "sameAsInput");
  },
  /** The arithmetic mean of numbers; NaN for none. */
  mean(): CombineFn<
    number,
    {
      /** Total of the inputs so far. */
      sum: number;
      /** How many inputs so far. */
      count: number;
    },
    number
  > {
    return withResultType(
      {
        createAccumulator: () => ({ sum: 0, count: 0 }),
        addInput: (acc, x) => {
          acc.sum += x;
          acc.count += 1;
          return acc;
        },
        mergeAccumulators: (accs) => {
          const m = { sum: 0, count: 0 };
          for (const a of accs) {
            m.sum += a.sum;
            m.count += a.count;
          }
          return m;
        },
        extractOutput: (acc) => (acc.count === 0 ? NaN : acc.sum / acc.count),
      },
      "double",
    );
  },
  /** The `n` largest elements by `compare` (default natural order), largest first. */
  top<T>(n: number, compare: Comparator<T> = naturalOrder): CombineFn<T, T[], T[]> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`top(n) needs a whole number n >= 0, got ${n}`);
    const keepTop = (xs: T[]): T[] => xs.sort((a, b) => compare(b, a)).slice(0, n);
    return withResultType(
      {
        createAccumulator: () => [],
        addInput: (acc, x) => {
          acc.push(x);
          return acc.length > 2 * n + 16 ? keepTop(acc) : acc;
        },
        mergeAccumulators: (accs) => keepTop(accs.flat()),
        extractOutput: (acc) => keepTop(acc.slice()),
        compact: (acc) => keepTop(acc),
      },
      "arrayOfInput",
    );
  },
  /** All elements, as an array (in no particular order). */
  toList<T>(): CombineFn<T, T[], T[]> {
    return withResultType(
      {
        createAccumulator: () => [],
        addInput: (acc, x) => {
          acc.push(x);
          return acc;
        },
        mergeAccumulators: (accs) => accs.flat() as T[],
        extractOutput: (acc) => acc,
      },
      "arrayOfInput",
    );
  },
  /**
   * True when `predicate` (default: truthiness) holds for some element;
   * false for none (Beam Python's `AnyCombineFn`).
   */
  any<T>(predicate: (element: T) => boolean = Boolean): CombineFn<T, boolean, boolean> {
    return withResultType(booleanFold(predicate, false), "boolean");
  },
  /**
   * True when `predicate` (default: truthiness) holds for every element;
   * true for none (Beam Python's `AllCombineFn`).
   */
  all<T>(predicate: (element: T) => boolean = Boolean): CombineFn<T, boolean, boolean> {
    return withResultType(booleanFold(predicate, true), "boolean");
  },
  /**
   * The exact number of distinct elements (by value, as keys group: `{a: 1, b: 2}`
   * equals `{b: 2, a: 1}`). Its accumulator holds every distinct element's
   * encoding; for large counts use `mr.approximateCountDistinct`.
   */
  countDistinct<T>(): CombineFn<T, Record<string, true>, number> {
    return withResultType(
      {
        createAccumulator: () => ({}),
        addInput: (acc, x) => {
          acc[distinctKey(x)] = true;
          return acc;
        },
        mergeAccumulators: (accs) => Object.assign({}, ...accs) as Record<string, true>,
        extractOutput: (acc) => Object.keys(acc).length,
      },
      "int64",
    );
  },
};

/** Any (`unit` false) or all (`unit` true) of the elements satisfy the predicate. */
function booleanFold<T>(predicate: (element: T) => boolean, unit: boolean): CombineFn<T, boolean, boolean> {
  if (typeof predicate !== "function")
    throw new TypeError(`combiners.${unit ? "all" : "any"} expects a predicate function, got ${typeof predicate}`);
  return {
    createAccumulator: () => unit,
    addInput: (acc, x) => (unit ? acc && Boolean(predicate(x)) : acc || Boolean(predicate(x))),
    mergeAccumulators: (accs) => (unit ? accs.every(Boolean) : accs.some(Boolean)),
    extractOutput: (acc) => acc,
  };
}

/** A property name for an element's deterministic encoding (prefixed, so it is never `__proto__`). */
function distinctKey(x: unknown): string {
  return "k" + Buffer.from(encodeToBytes(JS_VALUE_CODER, x as never)).toString("latin1");
}

function extremum<T>(compare: Comparator<T>, sign: 1 | -1): CombineFn<T, T | undefined, T | undefined> {
  const better = (a: T | undefined, b: T | undefined): T | undefined => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return sign * compare(b, a) > 0 ? b : a;
  };
  return {
    createAccumulator: () => undefined,
    addInput: (acc, x) => better(acc, x),
    mergeAccumulators: (accs) => accs.reduce<T | undefined>((m, a) => better(m, a), undefined),
    extractOutput: (acc) => acc,
  };
}
