/**
 * Beam's schema `Filter` (`Filter.create().whereFieldName(field, predicate)`):
 * keep rows by predicates on named fields.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { ParDoTransform } from "../transforms/pardo";
import { requireFields, requireSchema, type Row } from "./schema";

/** Predicates on fields of rows of type `R`, by field name. */
export type FieldPredicates<R extends object> = { readonly [F in keyof R]?: (value: R[F]) => boolean };

/**
 * Keeps the rows for which every predicate holds on its field's value. The
 * input must have a schema, and every named field must be in it; the
 * output keeps the input's schema.
 *
 * @example
 * ```ts
 * const adultsInParis = people.apply(mr.filterFields({ age: (a: number) => a >= 18, city: (c: string) => c === "Paris" }));
 * ```
 */
export function filterFields<R extends object = Row>(predicates: FieldPredicates<R>): PTransform<PCollection<R>, PCollection<R>> {
  const entries = Object.entries(predicates ?? {}) as [string, (v: unknown) => boolean][];
  for (const [field, pred] of entries) {
    if (typeof pred !== "function") throw new TypeError(`filterFields: the predicate of field ${JSON.stringify(field)} is not a function`);
  }
  const name = `FilterFields(${entries.map(([f]) => f).join(", ")})`;
  return ptransform(name, (input: PCollection<R>) => {
    requireFields(
      requireSchema(input as PCollection<unknown>, name),
      entries.map(([f]) => f),
      name,
    );
    return input.apply(
      "Where",
      new ParDoTransform<R, R>("Where", {
        fn: (row: R) => entries.every(([f, pred]) => pred((row as Row)[f] ?? null)),
        shape: "filter",
        keepsInputCoder: true,
      }),
    );
  });
}
