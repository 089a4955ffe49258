/**
 * Attaching a schema to a collection: `withSchema` (Beam's `setRowSchema`,
 * checked element by element) and `createRows`.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { ptransform } from "../ptransform";
import { encodeToBytes } from "../../portability/coders/coder";
import { ParDoTransform } from "../transforms/pardo";
import { create } from "../transforms/create";
import { inferSchema } from "./infer_schema";
import { rowCoderOf, schemaFromFields, type FieldDeclaration, type FieldType, type Row, type Schema } from "./schema";

/** A schema, or what {@link schemaFromFields} takes. */
export type SchemaLike = Schema | readonly FieldDeclaration[] | Readonly<Record<string, FieldType>>;

function asSchema(s: SchemaLike): Schema {
  const fields = (s as Schema).fields;
  return Array.isArray(fields)
    ? schemaFromFields(fields as readonly FieldDeclaration[])
    : schemaFromFields(s as readonly FieldDeclaration[]);
}

/**
 * Gives the collection a schema: its elements become rows coded with Beam's
 * row coder, the schema is in the pipeline's proto, and the schema
 * transforms (`select`, `filterFields`, `groupBy`) can name its fields. Each
 * element is checked against the schema here, so a row that does not fit
 * fails the job at this step, naming the field and showing the element.
 * Fields of the element beyond the schema are an error too (they would be
 * lost).
 *
 * @example
 * ```ts
 * const scores = events
 *   .map((e: Event) => ({ user: e.user, score: e.points }))
 *   .apply(mr.withSchema({ user: "string", score: "int64" }));
 * ```
 */
export function withSchema<R extends object>(schema: SchemaLike): PTransform<PCollection<R>, PCollection<R>> {
  const coder = rowCoderOf(asSchema(schema));
  return new ParDoTransform<R, R>("WithSchema", {
    fn: (row: R) => {
      // Encoding is the check: the row coder names the field that does not fit.
      encodeToBytes(coder, row as Row);
      return row;
    },
    shape: "map",
    mainCoder: coder as never,
  });
}

/**
 * Creates a schema-aware collection from rows: with the given schema, or
 * one inferred from the rows ({@link inferSchema}).
 *
 * @example
 * ```ts
 * const people = p.apply(mr.createRows([{ name: "ann", age: 31 }, { name: "bob", age: 17 }]));
 * ```
 */
export function createRows<R extends object>(rows: readonly R[], schema?: SchemaLike): PTransform<PBegin, PCollection<R>> {
  const resolved = schema === undefined ? inferSchema(rows as readonly Row[]) : asSchema(schema);
  return ptransform("CreateRows", (begin: PBegin) =>
    begin.pipeline.apply("Create", create<R>(rows as R[])).apply("WithSchema", withSchema<R>(resolved)),
  );
}
