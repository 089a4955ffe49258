/**
 * Infers a schema from example rows: the union of their fields, each typed
 * by the JS values it holds, nullable when some row has it null or absent.
 *
 * @module
 */
import type { Field, FieldType, Row, Schema } from "./schema";

/**
 * The schema of `rows`: strings are `string`, booleans `boolean`, integers
 * (and bigints) `int64`, other numbers `double` (a field with both is
 * `double`), `Uint8Array` `bytes`, arrays `array` of
 * their elements' type, plain objects nested `row`s. A field missing or null
 * in some row is nullable. Fields are in order of first appearance.
 *
 * @example
 * ```ts
 * mr.inferSchema([{ user: "ann", score: 3 }, { user: "bob", score: null }]);
 * // { fields: [{ name: "user", type: "string", nullable: false }, { name: "score", type: "int64", nullable: true }] }
 * ```
 * @throws Error when a field holds values of incompatible types, or a row is not a plain object.
 */
export function inferSchema(rows: readonly Row[]): Schema {
  return inferRows(rows, "");
}

function inferRows(rows: readonly unknown[], path: string): Schema {
  const names: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row) || row instanceof Uint8Array) {
      throw new Error(`inferSchema: ${path === "" ? `row ${i}` : `field ${JSON.stringify(path)}`} is not an object: ${describe(row)}`);
    }
    for (const k of Object.keys(row)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  });
  const fields: Field[] = names.map((name) => {
    const values = rows.map((r) => (r as Row)[name]);
    const present = values.filter((v) => v !== null && v !== undefined);
    const fieldPath = path === "" ? name : `${path}.${name}`;
    if (present.length === 0)
      throw new Error(`inferSchema: field ${JSON.stringify(fieldPath)} is null in every row, so its type is unknown: declare the schema`);
    return { name, type: inferType(present, fieldPath), nullable: present.length < values.length };
  });
  return { fields };
}

function kindOf(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "bigint") return "int64";
  if (typeof v === "number") return Number.isSafeInteger(v) ? "int64" : "double";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object" && v !== null) return "row";
  return typeof v;
}

function inferType(values: readonly unknown[], path: string): FieldType {
  const kinds = new Set(values.map(kindOf));
  // Whole numbers and fractions in one field: a double, as a JSON number would be.
  if (kinds.size === 2 && kinds.has("int64") && kinds.has("double")) return "double";
  if (kinds.size !== 1) {
    throw new Error(
      `inferSchema: field ${JSON.stringify(path)} holds values of different types (${[...kinds].join(", ")}), e.g. ${values.slice(0, 3).map(describe).join(", ")}`,
    );
  }
  const kind = [...kinds][0]!;
  switch (kind) {
    case "string":
    case "boolean":
    case "int64":
    case "double":
    case "bytes":
      return kind;
    case "array": {
      const elements = (values as unknown[][]).flat();
      const present = elements.filter((v) => v !== null && v !== undefined);
      if (present.length === 0)
        throw new Error(
          `inferSchema: field ${JSON.stringify(path)} has only empty arrays, so its element type is unknown: declare the schema`,
        );
      return { array: inferType(present, `${path}[]`), elementsNullable: present.length < elements.length };
    }
    case "row":
      return { row: inferRows(values, path) };
    default:
      throw new Error(`inferSchema: field ${JSON.stringify(path)} holds a ${kind}, which no schema type holds: ${describe(values[0])}`);
  }
}

function describe(v: unknown): string {
  try {
    return typeof v === "bigint" ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}
