import type { CombineFn } from "./combine_fn";

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
    return {
      createAccumulator: () => 0,
      addInput: (acc, x) => acc + x,
      mergeAccumulators: (accs) => {
        let s = 0;
        for (const a of accs) s += a;
        return s;
      },
      extractOutput: (acc) => acc,
    };
  },
  /** The number of elements. */
  count(): CombineFn<unknown, number, number> {
    return {
      createAccumulator: () => 0,
      addInput: (acc) => acc + 1,
      mergeAccumulators: (accs) => {
        let s = 0;
        for (const a of accs) s += a;
        return s;
      },
      extractOutput: (acc) => acc,
    };
  },
  /** The smallest element (by `compare`, default natural order); undefined for none. */
  min<T>(compare: Comparator<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
    return extremum(compare, -1);
  },
  /** The largest element (by `compare`, default natural order); undefined for none. */
  max<T>(compare: Comparator<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
    return extremum(compare, 1);
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
    return {
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
    };
  },
  /** The `n` largest elements by `compare` (default natural order), largest first. */
  top<T>(n: number, compare: Comparator<T> = naturalOrder): CombineFn<T, T[], T[]> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`top(n) needs a whole number n >= 0, got ${n}`);
    const keepTop = (xs: T[]): T[] => xs.sort((a, b) => compare(b, a)).slice(0, n);
    return {
      createAccumulator: () => [],
      addInput: (acc, x) => {
        acc.push(x);
        return acc.length > 2 * n + 16 ? keepTop(acc) : acc;
      },
      mergeAccumulators: (accs) => keepTop(accs.flat()),
      extractOutput: (acc) => keepTop(acc.slice()),
      compact: (acc) => keepTop(acc),
    };
  },
  /** All elements, as an array (in no particular order). */
  toList<T>(): CombineFn<T, T[], T[]> {
    return {
      createAccumulator: () => [],
      addInput: (acc, x) => {
        acc.push(x);
        return acc;
      },
      mergeAccumulators: (accs) => accs.flat() as T[],
      extractOutput: (acc) => acc,
    };
  },
};

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
