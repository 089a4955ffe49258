/**
 * Beam's `Select.fieldNames`: keep some fields of each row.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { ParDoTransform } from "../transforms/pardo";
import { requireFields, requireSchema, rowCoderOf, type Row } from "./schema";

/**
 * Keeps the named fields of each row, in the order named; the output's
 * schema is those fields of the input's. The input must have a schema.
 *
 * @example
 * ```ts
 * const names = people.apply(mr.select("name", "age"));   // rows { name, age }
 * ```
 */
export function select<R extends object = Row, K extends keyof R & string = keyof R & string>(
  ...fields: K[]
): PTransform<PCollection<R>, PCollection<Pick<R, K>>> {
  const name = `Select(${fields.join(", ")})`;
  return ptransform(name, (input: PCollection<R>) => {
    const picked = requireFields(requireSchema(input as PCollection<unknown>, name), fields, name);
    const names = picked.map((f) => f.name);
    return input.apply(
      "Pick",
      new ParDoTransform<R, Pick<R, K>>("Pick", {
        fn: (row: R) => {
          const out: Row = {};
          for (const n of names) out[n] = (row as Row)[n] ?? null;
          return out as Pick<R, K>;
        },
        shape: "map",
        mainCoder: rowCoderOf({ fields: picked }) as never,
      }),
    );
  });
}
