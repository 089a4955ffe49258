/**
 * Beam's `Group.byFieldNames(...).aggregateField(...)`: group rows by named
 * fields and aggregate other fields with CombineFns, as one lifted combine.
 *
 * @module
 */
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import type { CombineFn } from "../transforms/combine_fn";
import { combinePerKey } from "../transforms/combine";
import { combiners } from "../transforms/combiners";
import { resultTypeOf } from "../transforms/combine_fn_result_type";
import { ParDoTransform } from "../transforms/pardo";
import { requireFields, requireSchema, rowCoderOf, type Field, type FieldType, type Row, type Schema } from "./schema";

/** One aggregation: a CombineFn over one field's values, written to an output field. */
interface Aggregation {
  readonly field: string;
  readonly fn: CombineFn<unknown, unknown, unknown>;
  readonly outputName: string;
  readonly type?: FieldType;
}

/** Options of {@link GroupByFields.aggregate}. */
export interface AggregateOptions {
  /**
   * The output field's type. Needed only for a CombineFn that is not one of
   * `mr.combiners`, the approximate ones or `mr.sample.fixedSizeFn`, whose
   * output types are known.
   */
  readonly type?: FieldType;
}

/**
 * Rows grouped by key fields. Applied as it is, each output row has the key
 * fields and `values`, the group's rows; with `.aggregate(...)`s, the key
 * fields and one field per aggregation.
 */
export class GroupByFields<R extends object, K extends keyof R & string, A extends Row> extends PTransform<
  PCollection<R>,
  PCollection<Pick<R, K> & A>
> {
  /** @internal */
  constructor(
    private readonly keys: readonly K[],
    private readonly aggregations: readonly Aggregation[],
  ) {
    super();
  }

  override defaultName(): string {
    return `GroupBy(${this.keys.join(", ")})`;
  }

  /**
   * Adds an aggregation: `fn` combines the values of `field` in each group
   * (nulls are skipped, as SQL aggregates do) into the output field
   * `outputName` (Beam's `aggregateField`).
   *
   * @example
   * ```ts
   * sales.apply(mr.groupBy("region").aggregate("amount", mr.combiners.sum(), "total").aggregate("amount", mr.combiners.count(), "n"));
   * ```
   */
  aggregate<F extends keyof R & string, O, N extends string>(
    field: F,
    fn: CombineFn<R[F], any, O>,
    outputName: N,
    options: AggregateOptions = {},
  ): GroupByFields<R, K, A & Record<N, O>> {
    if (typeof outputName !== "string" || outputName === "") throw new Error(`groupBy(...).aggregate: the output field needs a name`);
    if ((this.keys as readonly string[]).includes(outputName) || this.aggregations.some((a) => a.outputName === outputName)) {
      throw new Error(`groupBy(...).aggregate: output field ${JSON.stringify(outputName)} is already a key or an aggregation`);
    }
    if (!fn || typeof fn.addInput !== "function")
      throw new TypeError(`groupBy(...).aggregate(${JSON.stringify(field)}): expects a CombineFn`);
    const agg: Aggregation = {
      field,
      fn: fn as CombineFn<unknown, unknown, unknown>,
      outputName,
      ...(options.type ? { type: options.type } : {}),
    };
    return new GroupByFields<R, K, A & Record<N, O>>(this.keys, [...this.aggregations, agg]);
  }

  expand(input: PCollection<R>): PCollection<Pick<R, K> & A> {
    const name = this.defaultName();
    const schema = requireSchema(input as PCollection<unknown>, name);
    const keyFields = requireFields(schema, this.keys, name);
    const aggregations: readonly Aggregation[] =
      this.aggregations.length > 0
        ? this.aggregations
        : [{ field: "", fn: combiners.toList() as CombineFn<unknown, unknown, unknown>, outputName: "values" }];
    const outFields: Field[] = [...keyFields, ...aggregations.map((a) => outputField(a, schema, name))];
    const keyNames = keyFields.map((f) => f.name);
    const fn = rowsCombineFn(aggregations);
    return input
      .apply(
        "KeyByFields",
        new ParDoTransform<R, KV<Row, R>>("KeyByFields", {
          fn: (row: R) => {
            const key: Row = {};
            for (const k of keyNames) key[k] = (row as Row)[k] ?? null;
            return kv(key, row);
          },
          shape: "map",
        }),
      )
      .apply("Aggregate", combinePerKey<Row, R, Row>(fn as unknown as CombineFn<R, unknown[], Row>))
      .apply(
        "ToRows",
        new ParDoTransform<KV<Row, Row>, Pick<R, K> & A>("ToRows", {
          fn: (e: KV<Row, Row>) => ({ ...e.key, ...e.value }) as Pick<R, K> & A,
          shape: "map",
          mainCoder: rowCoderOf({ fields: outFields }) as never,
        }),
      );
  }
}

/** The output field of an aggregation, typed from its CombineFn and the input field. */
function outputField(a: Aggregation, schema: Schema, transform: string): Field {
  if (a.field === "") return { name: a.outputName, type: { array: { row: schema } }, nullable: false };
  const [input] = requireFields(schema, [a.field], transform);
  if (a.type) return { name: a.outputName, type: a.type, nullable: true };
  const result = resultTypeOf(a.fn);
  const of = (t: FieldType): Field => ({ name: a.outputName, type: t, nullable: true });
  switch (result) {
    case "sameAsInput":
      return of(input!.type);
    case "arrayOfInput":
      return of({ array: input!.type });
    case "int64":
    case "double":
    case "boolean":
      return of(result);
    default:
      throw new Error(
        `${transform}: the output type of the CombineFn aggregating ${JSON.stringify(a.field)} into ${JSON.stringify(a.outputName)} is not known; ` +
          `pass it: .aggregate(${JSON.stringify(a.field)}, fn, ${JSON.stringify(a.outputName)}, { type: "double" })`,
      );
  }
}

/** One CombineFn for all the aggregations: an accumulator per aggregation, each fed its field's non-null values. */
function rowsCombineFn(aggregations: readonly Aggregation[]): CombineFn<Row, unknown[], Row> {
  return {
    createAccumulator: () => aggregations.map((a) => a.fn.createAccumulator()),
    addInput: (accs, row) => {
      aggregations.forEach((a, i) => {
        const v = a.field === "" ? row : row[a.field];
        if (v !== null && v !== undefined) accs[i] = a.fn.addInput(accs[i], v);
      });
      return accs;
    },
    mergeAccumulators: (all) => aggregations.map((a, i) => a.fn.mergeAccumulators(all.map((accs) => accs[i]))),
    extractOutput: (accs) => {
      const out: Row = {};
      aggregations.forEach((a, i) => {
        const v = a.fn.extractOutput(accs[i]);
        out[a.outputName] = v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v;
      });
      return out;
    },
    compact: (accs) => aggregations.map((a, i) => (a.fn.compact ? a.fn.compact(accs[i]) : accs[i])),
  };
}

/**
 * Groups rows by the named fields (Beam's `Group.byFieldNames`). Add
 * aggregations with `.aggregate(field, combineFn, outputName)`; without any,
 * each output row has the key fields and `values`, the group's rows. The
 * input must have a schema; the output has one (key fields first).
 *
 * @example
 * ```ts
 * const perRegion = sales.apply(
 *   mr.groupBy("region")
 *     .aggregate("amount", mr.combiners.sum(), "total")
 *     .aggregate("customer", mr.combiners.countDistinct(), "customers"),
 * );   // rows { region, total, customers }
 * ```
 */
export function groupBy<R extends object = Row, K extends keyof R & string = keyof R & string>(...fields: K[]): GroupByFields<R, K, {}> {
  if (fields.length === 0) throw new Error("groupBy needs at least one field name");
  return new GroupByFields<R, K, {}>(fields, []);
}
