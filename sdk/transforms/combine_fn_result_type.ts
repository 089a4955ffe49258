/**
 * What field type a standard CombineFn's output has, relative to the type of
 * its input, so that a schema aggregation (`groupBy(...).aggregate(...)`)
 * can write its output schema without being told. Only the SDK's own
 * CombineFns are marked; a user's CombineFn says its output type itself.
 *
 * @module
 */
import type { CombineFn } from "./combine_fn";

/** The output type of a CombineFn as a function of its input's: the same, a fixed atomic type, or an array of the input's. */
export type CombineResultType = "sameAsInput" | "int64" | "double" | "boolean" | "arrayOfInput";

const resultTypes = new WeakMap<object, CombineResultType>();

/** Marks a CombineFn with the type of its output; returns it. */
export function withResultType<F extends CombineFn<any, any, any>>(fn: F, type: CombineResultType): F {
  resultTypes.set(fn, type);
  return fn;
}

/** The marked output type of a CombineFn, if it is one of the SDK's. */
export function resultTypeOf(fn: CombineFn<any, any, any>): CombineResultType | undefined {
  return resultTypes.get(fn);
}
