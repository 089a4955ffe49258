/**
 * A CombineFn: an associative, commutative aggregation in four steps, so
 * that runners can combine partially before a shuffle ("combiner lifting")
 * and merge the partial results after it.
 *
 * @example
 * ```ts
 * const mean: mr.CombineFn<number, { sum: number; n: number }, number> = {
 *   createAccumulator: () => ({ sum: 0, n: 0 }),
 *   addInput: (a, x) => ({ sum: a.sum + x, n: a.n + 1 }),
 *   mergeAccumulators: (accs) => { const m = { sum: 0, n: 0 }; for (const a of accs) { m.sum += a.sum; m.n += a.n; } return m; },
 *   extractOutput: (a) => (a.n === 0 ? NaN : a.sum / a.n),
 * };
 * ```
 */
export interface CombineFn<In, Acc, Out> {
  /** A new, empty accumulator. */
  createAccumulator(): Acc;
  /** Adds one input; may mutate and return `acc`, or return a new one. */
  addInput(acc: Acc, input: In): Acc;
  /** Merges accumulators; may mutate and return the first. */
  mergeAccumulators(accumulators: Acc[]): Acc;
  /** The result for an accumulator. */
  extractOutput(acc: Acc): Out;
  /** Optionally shrinks an accumulator before it is shuffled. */
  compact?(acc: Acc): Acc;
}

/** @internal Is `x` a CombineFn? */
export function isCombineFn(x: unknown): x is CombineFn<unknown, unknown, unknown> {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as CombineFn<unknown, unknown, unknown>).createAccumulator === "function" &&
    typeof (x as CombineFn<unknown, unknown, unknown>).addInput === "function" &&
    typeof (x as CombineFn<unknown, unknown, unknown>).mergeAccumulators === "function" &&
    typeof (x as CombineFn<unknown, unknown, unknown>).extractOutput === "function"
  );
}

/**
 * A CombineFn from a function of all values: its accumulator is the list of
 * values, so nothing is combined before the shuffle (the function need not
 * be associative). Prefer a real CombineFn for large groups.
 */
export function combineFnFromFunction<In, Out>(fn: (values: In[]) => Out): CombineFn<In, In[], Out> {
  return {
    createAccumulator: () => [],
    addInput: (acc, x) => {
      acc.push(x);
      return acc;
    },
    mergeAccumulators: (accs) => {
      const out: In[] = [];
      for (const a of accs) for (const x of a) out.push(x);
      return out;
    },
    extractOutput: (acc) => fn(acc),
  };
}

/** @internal A CombineFn from either accepted form, or a clear error. */
export function toCombineFn<In, Out>(fnOrCombineFn: unknown, where: string): CombineFn<In, unknown, Out> {
  if (isCombineFn(fnOrCombineFn)) return fnOrCombineFn as CombineFn<In, unknown, Out>;
  if (typeof fnOrCombineFn === "function") return combineFnFromFunction(fnOrCombineFn as (v: In[]) => Out) as CombineFn<In, unknown, Out>;
  throw new TypeError(
    `${where} expects a CombineFn ({ createAccumulator, addInput, mergeAccumulators, extractOutput }) or a function of all values`,
  );
}
