/**
 * The row coder's per-type encodings, built once from a Beam `FieldType`.
 *
 * A row's own fields handle null through the row's null bitmap; values nested
 * inside arrays, iterables, maps and logical-type representations carry a
 * nullable marker byte instead (0x00 null, 0x01 then the value) when their
 * type is nullable, as Java's and Python's row coders do. Every value is
 * written in the nested context.
 */
import type { ByteReader } from "../../byte_reader";
import type { ByteWriter } from "../../byte_writer";
import { CoderError } from "../../coder";
import { coderUrns } from "../../urns";
import { readTimestampExact, writeTimestamp, writeTimestampInt64 } from "../timestamp";
import { AtomicType, type FieldTypeProto, type SchemaProto } from "../../../proto/schema_root";
import { formatDecimal, parseDecimal, readDecimal, writeDecimal, type DecimalParts } from "./decimal";

const URN = coderUrns.ROW;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Logical type URNs with an encoding of their own (not their representation's). */
export const LogicalTypeUrns = Object.freeze({
  /** Millisecond instant: Beam's 8-byte timestamp form, despite its INT64 representation. */
  MILLIS_INSTANT: "beam:logical_type:millis_instant:v1",
  /** Decimal: Java's `BigDecimalCoder` form, despite its BYTES representation. */
  DECIMAL: "beam:logical_type:decimal:v1",
} as const);

/** Encodes and decodes one (non-null) value of a field type. */
export interface FieldCodec {
  /** Writes a non-null value, nested. `path` names the field in error messages. */
  encode(value: unknown, writer: ByteWriter, path: string): void;
  /** Reads a value. */
  decode(reader: ByteReader): unknown;
  /** True when equal values always give equal bytes. */
  readonly deterministic: boolean;
}

function fail(path: string, message: string, value: unknown): never {
  throw new CoderError(URN, `field ${JSON.stringify(path)}: ${message}`, value);
}

function checkInt(value: unknown, path: string, min: number, max: number, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `expected ${what}`, value);
  }
  return value;
}

const BYTE_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    writer.writeByte(checkInt(value, path, -128, 127, "an integer in [-128, 127] (BYTE)"));
  },
  decode: (reader) => (reader.readByte() << 24) >> 24,
};

const INT16_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    const v = checkInt(value, path, -32768, 32767, "an integer in [-32768, 32767] (INT16)");
    writer.writeByte(v >> 8);
    writer.writeByte(v);
  },
  decode(reader) {
    const hi = reader.readByte();
    return (((hi << 8) | reader.readByte()) << 16) >> 16;
  },
};

const INT32_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    const v = checkInt(value, path, -0x80000000, 0x7fffffff, "an int32 (INT32)");
    // Java's VarIntCoder: the int's 32 bits, unsigned (negatives take 5 bytes).
    writer.writeVarint(v >>> 0);
  },
  decode(reader) {
    // Accepts Java's 5-byte negatives and the 10-byte (int64) form alike.
    const v = reader.readVarintNumberOrBig();
    return typeof v === "number" ? v | 0 : Number(BigInt.asIntN(32, v));
  },
};

const INT64_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < -0x8000000000000000 || value >= 0x8000000000000000) {
        fail(path, "expected an integer in the int64 range (INT64)", value);
      }
    } else if (typeof value === "bigint") {
      if (value < INT64_MIN || value > INT64_MAX) fail(path, "expected an integer in the int64 range (INT64)", value);
    } else {
      fail(path, "expected a number or bigint (INT64)", value);
    }
    writer.writeVarint(value);
  },
  decode: (reader) => reader.readVarintNumberOrBig(),
};

const FLOAT_CODEC: FieldCodec = {
  deterministic: false,
  encode(value, writer, path) {
    if (typeof value !== "number") fail(path, "expected a number (FLOAT)", value);
    writer.writeFloatBE(value);
  },
  decode: (reader) => reader.readFloatBE(),
};

const DOUBLE_CODEC: FieldCodec = {
  deterministic: false,
  encode(value, writer, path) {
    if (typeof value !== "number") fail(path, "expected a number (DOUBLE)", value);
    writer.writeDoubleBE(value);
  },
  decode: (reader) => reader.readDoubleBE(),
};

const STRING_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    if (typeof value !== "string") fail(path, "expected a string (STRING)", value);
    writer.writeUtf8Nested(value);
  },
  decode: (reader) => reader.readUtf8Nested(),
};

const BOOLEAN_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    if (typeof value !== "boolean") fail(path, "expected a boolean (BOOLEAN)", value);
    writer.writeByte(value ? 1 : 0);
  },
  decode(reader) {
    const offset = reader.position;
    const b = reader.readByte();
    if (b > 1) throw new CoderError(URN, `byte 0x${b.toString(16)} at offset ${offset} is not a boolean`);
    return b === 1;
  },
};

const BYTES_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    if (!(value instanceof Uint8Array)) fail(path, "expected a Uint8Array (BYTES)", value);
    writer.writeBytesNested(value);
  },
  // A copy: the value must not alias the input buffer.
  decode: (reader) => reader.readBytesNested().slice(),
};

const MILLIS_INSTANT_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    if (typeof value === "number" && Number.isSafeInteger(value)) writeTimestamp(writer, value);
    else if (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX) writeTimestampInt64(writer, value);
    else fail(path, "expected integer milliseconds since the epoch (millis_instant)", value);
  },
  decode: (reader) => readTimestampExact(reader),
};

const DECIMAL_CODEC: FieldCodec = {
  deterministic: true,
  encode(value, writer, path) {
    let parts: DecimalParts;
    if (typeof value === "string") {
      try {
        parts = parseDecimal(value);
      } catch (e) {
        fail(path, (e as Error).message, value);
      }
    } else if (typeof value === "bigint") {
      parts = { unscaled: value, scale: 0 };
    } else if (typeof value === "number" && Number.isFinite(value)) {
      parts = parseDecimal(String(value));
    } else {
      fail(path, "expected a decimal string, a bigint or a finite number (decimal)", value);
    }
    writeDecimal(writer, parts);
  },
  decode: (reader) => formatDecimal(readDecimal(reader)),
};

/** Wraps a codec for a nullable value nested in a collection or logical type. */
function nullableMarked(codec: FieldCodec): FieldCodec {
  return {
    deterministic: codec.deterministic,
    encode(value, writer, path) {
      if (value === null || value === undefined) {
        writer.writeByte(0);
      } else {
        writer.writeByte(1);
        codec.encode(value, writer, path);
      }
    },
    decode(reader) {
      const offset = reader.position;
      const marker = reader.readByte();
      if (marker === 0) return null;
      if (marker !== 1) throw new CoderError(URN, `bad null marker 0x${marker.toString(16)} at offset ${offset}`);
      return codec.decode(reader);
    },
  };
}

/** Reads an iterable's elements: int32 count, or -1 then varint-counted blocks ending in 0. */
function decodeElements(codec: FieldCodec, reader: ByteReader): unknown[] {
  const offset = reader.position;
  const count = reader.readInt32BE();
  const out: unknown[] = [];
  if (count >= 0) {
    for (let i = 0; i < count; i++) out.push(codec.decode(reader));
    return out;
  }
  if (count !== -1) throw new CoderError(URN, `bad element count ${count} at offset ${offset}`);
  for (;;) {
    const blockOffset = reader.position;
    const n = reader.readVarint();
    if (n === 0) return out;
    if (n < 0) throw new CoderError(URN, `bad block count ${n} at offset ${blockOffset}`);
    for (let i = 0; i < n; i++) out.push(codec.decode(reader));
  }
}

function collectionCodec(element: FieldCodec, what: string): FieldCodec {
  return {
    deterministic: element.deterministic,
    encode(value, writer, path) {
      if (!Array.isArray(value)) fail(path, `expected an array (${what})`, value);
      writer.writeInt32BE(value.length);
      for (let i = 0; i < value.length; i++) element.encode(value[i], writer, `${path}[${i}]`);
    },
    decode: (reader) => decodeElements(element, reader),
  };
}

function mapCodec(key: FieldCodec, value: FieldCodec): FieldCodec {
  return {
    // Java's MapCoder is not deterministic: entry order is the map's.
    deterministic: false,
    encode(map, writer, path) {
      if (!(map instanceof Map)) fail(path, "expected a Map (MAP)", map);
      if (map.size > 0x7fffffff) fail(path, "map too large", map);
      writer.writeInt32BE(map.size);
      for (const [k, v] of map) {
        key.encode(k, writer, `${path}.<key>`);
        value.encode(v, writer, `${path}[${typeof k === "string" ? JSON.stringify(k) : String(k)}]`);
      }
    },
    decode(reader) {
      const offset = reader.position;
      const n = reader.readInt32BE();
      if (n < 0) throw new CoderError(URN, `bad map size ${n} at offset ${offset}`);
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = key.decode(reader);
        out.set(k, value.decode(reader));
      }
      return out;
    },
  };
}

/** Builds the codec for a nested row from its schema; supplied by the row module. */
export type RowCodecFactory = (schema: SchemaProto, path: string) => FieldCodec;

/** The codec for a value nested in a collection or logical type: marked when nullable. */
function nestedValueCodec(type: FieldTypeProto | undefined, path: string, rowCodec: RowCodecFactory): FieldCodec {
  if (!type) throw new Error(`row coder: ${path} has no type`);
  const codec = fieldCodec(type, path, rowCodec);
  return type.nullable ? nullableMarked(codec) : codec;
}

/**
 * The codec for a non-null value of `type` (the row handles the field's own
 * nullability).
 *
 * @param type the field's type.
 * @param path the field's name (dotted for nested rows), for error messages.
 * @param rowCodec builds codecs for nested rows.
 * @throws Error for a type the row coder cannot code (unset or UNSPECIFIED
 *   atomic type, a logical type without representation).
 */
export function fieldCodec(type: FieldTypeProto, path: string, rowCodec: RowCodecFactory): FieldCodec {
  switch (type.typeInfo) {
    case "atomicType":
      switch (type.atomicType) {
        case AtomicType.BYTE:
          return BYTE_CODEC;
        case AtomicType.INT16:
          return INT16_CODEC;
        case AtomicType.INT32:
          return INT32_CODEC;
        case AtomicType.INT64:
          return INT64_CODEC;
        case AtomicType.FLOAT:
          return FLOAT_CODEC;
        case AtomicType.DOUBLE:
          return DOUBLE_CODEC;
        case AtomicType.STRING:
          return STRING_CODEC;
        case AtomicType.BOOLEAN:
          return BOOLEAN_CODEC;
        case AtomicType.BYTES:
          return BYTES_CODEC;
        default:
          throw new Error(`row coder: field ${JSON.stringify(path)} has unsupported atomic type ${String(type.atomicType)}`);
      }
    case "arrayType":
      return collectionCodec(nestedValueCodec(type.arrayType?.elementType, `${path}[]`, rowCodec), "ARRAY");
    case "iterableType":
      return collectionCodec(nestedValueCodec(type.iterableType?.elementType, `${path}[]`, rowCodec), "ITERABLE");
    case "mapType":
      return mapCodec(
        nestedValueCodec(type.mapType?.keyType, `${path}.<key>`, rowCodec),
        nestedValueCodec(type.mapType?.valueType, `${path}.<value>`, rowCodec),
      );
    case "rowType": {
      const schema = type.rowType?.schema;
      if (!schema) throw new Error(`row coder: field ${JSON.stringify(path)} is a row without a schema`);
      return rowCodec(schema, path);
    }
    case "logicalType": {
      const logical = type.logicalType!;
      if (logical.urn === LogicalTypeUrns.MILLIS_INSTANT) return MILLIS_INSTANT_CODEC;
      if (logical.urn === LogicalTypeUrns.DECIMAL) return DECIMAL_CODEC;
      if (!logical.representation) {
        throw new Error(`row coder: logical type ${JSON.stringify(logical.urn)} of field ${JSON.stringify(path)} has no representation`);
      }
      return nestedValueCodec(logical.representation, path, rowCodec);
    }
    default:
      throw new Error(`row coder: field ${JSON.stringify(path)} has no type`);
  }
}
