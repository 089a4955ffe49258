/**
 * Beam's portable `Schema` proto (`schema.proto`), the payload of the row
 * coder `beam:coder:row:v1`: loaded with protobufjs from the same folder as
 * the Runner API files (found with {@link findProtoDir}), into its own root so
 * the shared Runner API root is left as it is.
 *
 * @module
 */
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { BEAM_PROTO_PACKAGE, findProtoDir } from "./proto_root";

/** The file this module loads, next to the Runner API `.proto` files. */
export const SCHEMA_PROTO_FILE = "schema.proto";

/**
 * Values of Beam's `AtomicType` enum: the primitive field types of a schema.
 * @enum
 */
export const AtomicType = Object.freeze({
  UNSPECIFIED: 0,
  BYTE: 1,
  INT16: 2,
  INT32: 3,
  INT64: 4,
  FLOAT: 5,
  DOUBLE: 6,
  STRING: 7,
  BOOLEAN: 8,
  BYTES: 9,
} as const);

/** A `Schema` message as a plain object (camelCase names, enums as numbers). */
export interface SchemaProto {
  /** The fields, in schema order. */
  fields: FieldProto[];
  /** The schema's UUID. */
  id: string;
  /** Schema options (kept as protobufjs plain objects, not interpreted). */
  options: unknown[];
  /** When true, every field's `encodingPosition` gives its place on the wire. */
  encodingPositionsSet: boolean;
}

/** A `Field` message as a plain object. */
export interface FieldProto {
  /** Field name, unique within its schema. */
  name: string;
  /** Human-readable description. */
  description: string;
  /** The field's type (required in practice). */
  type?: FieldTypeProto;
  /** Field id. */
  id: number;
  /** Position on the wire when the schema's `encodingPositionsSet` is true. */
  encodingPosition: number;
  /** Field options (not interpreted). */
  options: unknown[];
}

/** A `FieldType` message as a plain object: exactly one of the type members is set. */
export interface FieldTypeProto {
  /** True when the value may be null. */
  nullable: boolean;
  /** Which member of the `type_info` oneof is set. */
  typeInfo?: "atomicType" | "arrayType" | "iterableType" | "mapType" | "rowType" | "logicalType";
  /** An {@link AtomicType} value. */
  atomicType?: number;
  /** Array element type. */
  arrayType?: {
    /** The type of the elements. */
    elementType?: FieldTypeProto;
  };
  /** Iterable element type. */
  iterableType?: {
    /** The type of the elements. */
    elementType?: FieldTypeProto;
  };
  /** Map key and value types. */
  mapType?: {
    /** The type of the keys. */
    keyType?: FieldTypeProto;
    /** The type of the values. */
    valueType?: FieldTypeProto;
  };
  /** Nested row schema. */
  rowType?: {
    /** The nested row's schema. */
    schema?: SchemaProto;
  };
  /** Logical type. */
  logicalType?: LogicalTypeProto;
}

/** A `LogicalType` message as a plain object. */
export interface LogicalTypeProto {
  /** The logical type's URN, e.g. `"beam:logical_type:decimal:v1"`. */
  urn: string;
  /** SDK-specific payload. */
  payload: Uint8Array;
  /** The type the value is coded as. */
  representation?: FieldTypeProto;
  /** Type of the argument, if the logical type takes one. */
  argumentType?: FieldTypeProto;
  /** The argument (a `FieldValue`, as a protobufjs plain object; int64s as strings). */
  argument?: unknown;
}

/** Loads a fresh, resolved root holding `schema.proto`. */
export function loadSchemaProtoRoot(protoDir: string = findProtoDir()): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(path.join(protoDir, SCHEMA_PROTO_FILE), { keepCase: false });
  root.resolveAll();
  return root;
}

let schemaType: protobuf.Type | undefined;

/**
 * The `Schema` message type, from a root loaded on first use: parsing the
 * `.proto` file is a good part of this package's loading time, which every
 * worker thread pays, and only row coders need it.
 */
export function schemaMessageType(): protobuf.Type {
  return (schemaType ??= loadSchemaProtoRoot().lookupType(`${BEAM_PROTO_PACKAGE}.Schema`));
}

const TO_OBJECT: protobuf.IConversionOptions = {
  defaults: true,
  arrays: true,
  oneofs: true,
  longs: String,
  enums: Number,
};

/** Parses a serialized `Schema` (e.g. a row coder's payload) into a plain object. */
export function decodeSchemaProto(bytes: Uint8Array): SchemaProto {
  const type = schemaMessageType();
  return type.toObject(type.decode(bytes), TO_OBJECT) as SchemaProto;
}

/**
 * Serializes a schema given as a plain object in the shape of
 * {@link SchemaProto} (members may be omitted; unset means the proto default).
 */
export function encodeSchemaProto(schema: Partial<SchemaProto> | Record<string, unknown>): Uint8Array {
  const type = schemaMessageType();
  const err = type.verify(schema);
  if (err) throw new Error(`invalid Beam Schema: ${err}`);
  return type.encode(type.fromObject(schema)).finish();
}
