/**
 * A schema: the named, typed fields of rows. It is written into the
 * pipeline's proto as the payload of Beam's row coder (`beam:coder:row:v1`,
 * whose payload is Beam's `Schema` proto), so Beam's tooling reads it and
 * the rows cross every runner in Beam's row encoding.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { PCollection } from "../pcollection";
import { RowCoder } from "../../portability/coders/standard/row";
import { LogicalTypeUrns } from "../../portability/coders/standard/row/field_codecs";
import { AtomicType, type FieldProto, type FieldTypeProto, type SchemaProto } from "../../portability/proto/schema_root";

/** A row: field name to value (`null` for a null field). */
export type Row = Record<string, unknown>;

/**
 * The atomic field types, by name. `int64` values are numbers (bigints
 * beyond 2^53); `timestamp` is Beam's `millis_instant` logical type
 * (milliseconds since the epoch); `decimal` Beam's decimal logical type
 * (a decimal string).
 */
export type AtomicTypeName =
  "byte" | "int16" | "int32" | "int64" | "float" | "double" | "string" | "boolean" | "bytes" | "timestamp" | "decimal";

/** A field's type: atomic, an array, a map, a nested row, or another logical type. */
export type FieldType =
  | AtomicTypeName
  | {
      /** The elements' type. */
      readonly array: FieldType;
      /** Whether elements may be null (default false). */
      readonly elementsNullable?: boolean;
    }
  | {
      /** The keys' and values' types. */
      readonly map: {
        /** The keys' type. */
        readonly key: FieldType;
        /** The values' type. */
        readonly value: FieldType;
      };
    }
  | {
      /** The nested row's schema. */
      readonly row: Schema;
    }
  | {
      /** A logical type's URN, kept as it came (e.g. from another SDK's schema). */
      readonly logicalType: string;
      /** The type its values are coded as. */
      readonly representation: FieldType;
    };

/** One field of a schema. */
export interface Field {
  /** Its name, unique in the schema. */
  readonly name: string;
  /** Its type. */
  readonly type: FieldType;
  /** Whether the value may be null (or absent). */
  readonly nullable: boolean;
}

/** The fields of rows, in order. */
export interface Schema {
  /** The fields, in schema order. */
  readonly fields: readonly Field[];
}

/** A field as {@link schemaFromFields} takes it: `nullable` defaults to false. */
export interface FieldDeclaration {
  /** Its name. */
  readonly name: string;
  /** Its type. */
  readonly type: FieldType;
  /** Whether the value may be null (default false). */
  readonly nullable?: boolean;
}

const ATOMIC: Readonly<Record<string, number>> = {
  byte: AtomicType.BYTE,
  int16: AtomicType.INT16,
  int32: AtomicType.INT32,
  int64: AtomicType.INT64,
  float: AtomicType.FLOAT,
  double: AtomicType.DOUBLE,
  string: AtomicType.STRING,
  boolean: AtomicType.BOOLEAN,
  bytes: AtomicType.BYTES,
};
const ATOMIC_NAMES = new Map(Object.entries(ATOMIC).map(([name, n]) => [n, name as AtomicTypeName]));

/**
 * A schema from its fields: an array of `{ name, type, nullable? }` (in
 * order), or an object of name to type (all fields non-null). This is the
 * function the file formats use to turn an Avro, Parquet or CSV header
 * schema into a row schema.
 *
 * @example
 * ```ts
 * const schema = mr.schemaFromFields([
 *   { name: "user", type: "string" },
 *   { name: "score", type: "int64", nullable: true },
 *   { name: "tags", type: { array: "string" } },
 * ]);
 * mr.schemaFromFields({ word: "string", count: "int64" });
 * ```
 * @throws Error for a repeated or empty name, or an unknown type.
 */
export function schemaFromFields(fields: readonly FieldDeclaration[] | Readonly<Record<string, FieldType>>): Schema {
  const list: FieldDeclaration[] = Array.isArray(fields)
    ? [...(fields as readonly FieldDeclaration[])]
    : Object.entries(fields as Record<string, FieldType>).map(([name, type]) => ({ name, type }));
  const seen = new Set<string>();
  const out: Field[] = [];
  for (const f of list) {
    if (!f || typeof f.name !== "string" || f.name === "")
      throw new Error(`schema: every field needs a non-empty name, got ${JSON.stringify(f)}`);
    if (seen.has(f.name)) throw new Error(`schema: field ${JSON.stringify(f.name)} appears twice`);
    seen.add(f.name);
    checkType(f.type, f.name);
    out.push({ name: f.name, type: f.type, nullable: f.nullable === true });
  }
  return { fields: out };
}

function checkType(type: FieldType, path: string): void {
  if (typeof type === "string") {
    if (!(type in ATOMIC) && type !== "timestamp" && type !== "decimal") {
      throw new Error(
        `schema: field ${JSON.stringify(path)} has unknown type ${JSON.stringify(type)} (known: ${[...Object.keys(ATOMIC), "timestamp", "decimal"].join(", ")})`,
      );
    }
    return;
  }
  if (type && typeof type === "object") {
    if ("array" in type) return checkType(type.array, `${path}[]`);
    if ("map" in type) {
      checkType(type.map.key, `${path}.key`);
      return checkType(type.map.value, `${path}.value`);
    }
    if ("row" in type) {
      for (const f of type.row.fields) checkType(f.type, `${path}.${f.name}`);
      return;
    }
    if ("logicalType" in type) return checkType(type.representation, path);
  }
  throw new Error(`schema: field ${JSON.stringify(path)} has no valid type: ${JSON.stringify(type)}`);
}

/** The field of a schema with that name, or undefined. */
export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields.find((f) => f.name === name);
}

/** The schema as Beam's `Schema` proto (its id is derived from the fields, so the same schema always gives the same bytes). */
export function toSchemaProto(schema: Schema): Partial<SchemaProto> {
  const fields = schema.fields.map((f) => ({ name: f.name, type: typeProto(f.type, f.nullable) }));
  return { id: schemaId(fields), fields: fields as FieldProto[] };
}

function typeProto(type: FieldType, nullable: boolean): FieldTypeProto {
  const n = nullable ? { nullable: true } : {};
  if (typeof type === "string") {
    if (type === "timestamp")
      return {
        ...n,
        logicalType: { urn: LogicalTypeUrns.MILLIS_INSTANT, representation: { atomicType: AtomicType.INT64 } },
      } as FieldTypeProto;
    if (type === "decimal")
      return { ...n, logicalType: { urn: LogicalTypeUrns.DECIMAL, representation: { atomicType: AtomicType.BYTES } } } as FieldTypeProto;
    return { ...n, atomicType: ATOMIC[type] } as FieldTypeProto;
  }
  if ("array" in type) return { ...n, arrayType: { elementType: typeProto(type.array, type.elementsNullable === true) } } as FieldTypeProto;
  if ("map" in type)
    return { ...n, mapType: { keyType: typeProto(type.map.key, false), valueType: typeProto(type.map.value, false) } } as FieldTypeProto;
  if ("row" in type) return { ...n, rowType: { schema: toSchemaProto(type.row) } } as FieldTypeProto;
  return { ...n, logicalType: { urn: type.logicalType, representation: typeProto(type.representation, false) } } as FieldTypeProto;
}

/** A name-based (version 5 style) UUID of the fields, so building a pipeline twice gives the same proto. */
function schemaId(fields: unknown): string {
  const h = createHash("sha1").update(JSON.stringify(fields)).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A schema read back from Beam's `Schema` proto (e.g. a row coder's payload). */
export function fromSchemaProto(proto: SchemaProto): Schema {
  return {
    fields: (proto.fields ?? []).map((f) => ({ name: f.name, type: typeFrom(f.type, f.name), nullable: f.type?.nullable === true })),
  };
}

function typeFrom(t: FieldTypeProto | undefined, path: string): FieldType {
  if (!t) throw new Error(`schema: field ${JSON.stringify(path)} has no type`);
  if (t.atomicType !== undefined && t.atomicType !== 0 && (t.typeInfo === undefined || t.typeInfo === "atomicType")) {
    const name = ATOMIC_NAMES.get(t.atomicType);
    if (!name) throw new Error(`schema: field ${JSON.stringify(path)} has unknown atomic type ${t.atomicType}`);
    return name;
  }
  if (t.arrayType)
    return { array: typeFrom(t.arrayType.elementType, `${path}[]`), elementsNullable: t.arrayType.elementType?.nullable === true };
  if (t.iterableType)
    return { array: typeFrom(t.iterableType.elementType, `${path}[]`), elementsNullable: t.iterableType.elementType?.nullable === true };
  if (t.mapType) return { map: { key: typeFrom(t.mapType.keyType, `${path}.key`), value: typeFrom(t.mapType.valueType, `${path}.value`) } };
  if (t.rowType) return { row: fromSchemaProto(t.rowType.schema ?? ({ fields: [] } as unknown as SchemaProto)) };
  if (t.logicalType) {
    if (t.logicalType.urn === LogicalTypeUrns.MILLIS_INSTANT) return "timestamp";
    if (t.logicalType.urn === LogicalTypeUrns.DECIMAL) return "decimal";
    return { logicalType: t.logicalType.urn, representation: typeFrom(t.logicalType.representation, path) };
  }
  throw new Error(`schema: field ${JSON.stringify(path)} has no type`);
}

/** The row coder of a schema: Beam's `beam:coder:row:v1` with the schema as its payload. */
export function rowCoderOf(schema: Schema): RowCoder {
  return RowCoder.fromSchema(toSchemaProto(schema));
}

/** The schema of a collection whose coder is a row coder; undefined otherwise. */
export function schemaOf(pcoll: PCollection<unknown>): Schema | undefined {
  const coder = pcoll.coder;
  return coder instanceof RowCoder ? fromSchemaProto(coder.schema) : undefined;
}

/** The schema of a collection, or an error naming the transform that needs it. */
export function requireSchema(pcoll: PCollection<unknown>, transform: string): Schema {
  const schema = schemaOf(pcoll);
  if (!schema) {
    throw new Error(
      `${transform}: the input collection ${pcoll.id} has no schema (its coder is ${pcoll.coder.urn}); ` +
        `give it one with mr.withSchema(schema) or create it with mr.createRows(rows)`,
    );
  }
  return schema;
}

/** Checks that the named fields exist, or throws naming the transform and the fields there are. */
export function requireFields(schema: Schema, names: readonly string[], transform: string): Field[] {
  if (names.length === 0) throw new Error(`${transform}: name at least one field`);
  return names.map((name) => {
    const f = fieldOf(schema, name);
    if (!f)
      throw new Error(
        `${transform}: no field ${JSON.stringify(name)} in the schema (fields: ${schema.fields.map((x) => x.name).join(", ")})`,
      );
    return f;
  });
}
