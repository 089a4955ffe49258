/**
 * Beam's `beam:coder:row:v1`: rows of a Beam schema, byte-compatible with
 * Java's `RowCoder` (RowCoderGenerator) and Python's `RowCoderImpl`.
 *
 * The payload is a serialized Beam `Schema` proto. A row is written as: a
 * varint field count; a null bitmap (varint byte length, then bytes; bit `i`
 * set when the `i`-th encoded field is null; trailing zero bytes dropped, so
 * no nulls is a zero length); then each non-null field in encoding order, in
 * the nested context. Encoding order is schema order, or ascending
 * `encoding_position` when the schema's `encoding_positions_set` is true.
 *
 * JS values: a row is a plain object keyed by field name; a null field is
 * `null` (an absent or `undefined` property encodes as null too). Per type:
 *
 * | Beam type | JS value |
 * | --- | --- |
 * | BYTE, INT16, INT32 | `number` (BYTE is signed, -128..127) |
 * | INT64 | `number` when a safe integer, else `bigint` (either is accepted) |
 * | FLOAT, DOUBLE | `number` (FLOAT rounds to float32) |
 * | STRING | `string` |
 * | BOOLEAN | `boolean` |
 * | BYTES | `Uint8Array` |
 * | ARRAY, ITERABLE | array |
 * | MAP | `Map` (entries written in the Map's order) |
 * | ROW | plain object |
 * | logical `millis_instant` | milliseconds since the epoch, `number` (`bigint` beyond 2^53) |
 * | logical `decimal` | decimal string, scale kept (`"1.0"`); bigints and numbers accepted |
 * | other logical types | the value of their representation type (e.g. `micros_instant` is `{seconds, micros}`) |
 *
 * @module
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";
import { decodeSchemaProto, encodeSchemaProto, type SchemaProto } from "../../proto/schema_root";
import { fieldCodec, type FieldCodec } from "./row/field_codecs";

/** A row value: field name to value (`null` for a null field). */
export type RowValue = Record<string, unknown>;

interface FieldLayout {
  readonly name: string;
  readonly nullable: boolean;
  readonly codec: FieldCodec;
}

const URN = coderUrns.ROW;

function setField(out: RowValue, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/**
 * One schema's row layout: the fields in encoding order, plus the schema
 * order used for the decoded object's keys.
 */
class RowLayout implements FieldCodec {
  /** Fields in encoding order. */
  private readonly encoded: readonly FieldLayout[];
  /** Field names in schema order. */
  private readonly names: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly hasNullable: boolean;
  readonly deterministic: boolean;

  constructor(schema: SchemaProto, path: string) {
    const fields = schema.fields ?? [];
    const prefix = path === "" ? "" : `${path}.`;
    const layouts = fields.map((f): FieldLayout & { position: number } => {
      if (!f.type) throw new Error(`row coder: field ${JSON.stringify(prefix + f.name)} has no type`);
      return {
        name: f.name,
        nullable: f.type.nullable,
        codec: fieldCodec(f.type, prefix + f.name, (s, p) => new RowLayout(s, p)),
        position: f.encodingPosition ?? 0,
      };
    });
    this.names = fields.map((f) => f.name);
    this.known = new Set(this.names);
    if (this.known.size !== this.names.length) throw new Error(`row coder: schema ${JSON.stringify(schema.id)} repeats a field name`);
    if (schema.encodingPositionsSet) {
      if (new Set(layouts.map((l) => l.position)).size !== layouts.length) {
        throw new Error(`row coder: schema ${JSON.stringify(schema.id)} repeats an encoding position`);
      }
      layouts.sort((a, b) => a.position - b.position);
    }
    this.encoded = layouts.map(({ name, nullable, codec }) => ({ name, nullable, codec }));
    this.hasNullable = this.encoded.some((f) => f.nullable);
    this.deterministic = this.encoded.every((f) => f.codec.deterministic);
  }

  encode(value: unknown, writer: ByteWriter, path: string): void {
    if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Map) {
      throw new CoderError(
        URN,
        `${path === "" ? "row" : `field ${JSON.stringify(path)}`}: expected a plain object keyed by field name`,
        value,
      );
    }
    const row = value as RowValue;
    for (const key in row) {
      if (Object.prototype.hasOwnProperty.call(row, key) && !this.known.has(key)) {
        throw new CoderError(
          URN,
          `${path === "" ? "row" : `field ${JSON.stringify(path)}`} has no field ${JSON.stringify(key)} in its schema`,
          value,
        );
      }
    }
    const fields = this.encoded;
    const n = fields.length;
    writer.writeVarint(n);
    // The null bitmap, by encoding position, without trailing zero bytes.
    let bitmap: Uint8Array | undefined;
    let bitmapLength = 0;
    if (this.hasNullable) {
      for (let i = 0; i < n; i++) {
        const v = row[fields[i].name];
        if (v === null || v === undefined) {
          bitmap ??= new Uint8Array((n + 7) >> 3);
          bitmap[i >> 3] |= 1 << (i & 7);
          bitmapLength = (i >> 3) + 1;
        }
      }
    }
    writer.writeVarint(bitmapLength);
    if (bitmap) writer.writeBytes(bitmap.subarray(0, bitmapLength));
    const prefix = path === "" ? "" : `${path}.`;
    for (let i = 0; i < n; i++) {
      const f = fields[i];
      const v = row[f.name];
      if (v === null || v === undefined) {
        if (!f.nullable) throw new CoderError(URN, `field ${JSON.stringify(prefix + f.name)} is not nullable but is ${String(v)}`);
        continue;
      }
      f.codec.encode(v, writer, prefix + f.name);
    }
  }

  decode(reader: ByteReader): RowValue {
    return this.decodeRow(reader, false);
  }

  /**
   * Reads a row. Fields missing from the encoding (an older, shorter schema)
   * are null. Fields beyond this schema (a newer, longer one) cannot be
   * decoded: they are skipped when `outer` (they are the rest of the input)
   * or when all null, and are an error otherwise.
   */
  decodeRow(reader: ByteReader, outer: boolean): RowValue {
    const offset = reader.position;
    const count = reader.readVarint();
    if (count < 0) throw new CoderError(URN, `bad field count ${count} at offset ${offset}`);
    const bitmap = reader.readBytesNested();
    const out: RowValue = {};
    for (const name of this.names) setField(out, name, null);
    const fields = this.encoded;
    const m = Math.min(count, fields.length);
    for (let i = 0; i < m; i++) {
      const isNull = i >> 3 < bitmap.length && (bitmap[i >> 3] & (1 << (i & 7))) !== 0;
      if (!isNull) setField(out, fields[i].name, fields[i].codec.decode(reader));
    }
    if (count > fields.length) {
      let extraNonNull = false;
      for (let i = fields.length; i < count && !extraNonNull; i++) {
        extraNonNull = !(i >> 3 < bitmap.length && (bitmap[i >> 3] & (1 << (i & 7))) !== 0);
      }
      if (extraNonNull) {
        if (!outer) {
          throw new CoderError(
            URN,
            `row at offset ${offset} has ${count} fields, more than the schema's ${fields.length}; the extra fields cannot be skipped in the nested context`,
          );
        }
        reader.readBytes(reader.remaining);
      }
    }
    return out;
  }
}

/**
 * Codes rows of one Beam schema (see the module documentation for the JS
 * value of each field type). Deterministic unless the schema holds a FLOAT,
 * DOUBLE or MAP anywhere, as in Java.
 *
 * @example
 * ```ts
 * const coder = RowCoder.fromSchema({
 *   id: "5d1f5bcd-3f28-4c35-9e4d-1d9a9f0b2f51",
 *   fields: [
 *     { name: "word", type: { atomicType: 7 } },
 *     { name: "count", type: { atomicType: 4, nullable: true } },
 *   ],
 * });
 * encodeToBytes(coder, { word: "hi", count: 3 });
 * ```
 */
export class RowCoder implements Coder<RowValue> {
  /** {@inheritDoc Coder.urn} */
  readonly urn: string = URN;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** The serialized Beam `Schema`. */
  readonly payload: Uint8Array;
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;
  /** The schema, parsed from the payload. */
  readonly schema: SchemaProto;
  private readonly layout: RowLayout;

  /**
   * A row coder for the schema serialized in `payload`.
   *
   * @param payload a serialized Beam `Schema` proto (the coder's payload).
   * @throws Error if the payload does not parse, or the schema has a type the
   *   row coder cannot code.
   */
  constructor(payload: Uint8Array) {
    this.payload = payload;
    this.schema = decodeSchemaProto(payload);
    this.layout = new RowLayout(this.schema, "");
    this.deterministic = this.layout.deterministic;
  }

  /**
   * A row coder for a schema given as a plain object in the shape of the
   * `Schema` proto (camelCase names; unset members take proto defaults).
   */
  static fromSchema(schema: Partial<SchemaProto> | Record<string, unknown>): RowCoder {
    return new RowCoder(encodeSchemaProto(schema));
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: RowValue, writer: ByteWriter): void {
    this.layout.encode(value, writer, "");
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: "nested" | "outer" = "nested"): RowValue {
    return this.layout.decodeRow(reader, context === "outer");
  }
}
