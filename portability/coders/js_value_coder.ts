/**
 * millrace's default coder for plain JavaScript values
 * (`millrace:coder:js_value:v1`).
 *
 * Every value starts with a one-byte tag, so the encoding is self-delimiting
 * and identical in both contexts. It is deterministic (object keys are
 * written sorted), so encoded bytes can serve as grouping keys: `{a:1,b:2}`
 * and `{b:2,a:1}` group together.
 *
 * Wire format, after the tag:
 * - null, undefined, false, true: nothing;
 * - integer (safe, not -0): zigzag varint; any other number: double, big-endian;
 * - string: varint UTF-8 length, UTF-8;
 * - bigint: varint length, big-endian magnitude bytes (minimal); the sign is in the tag;
 * - bytes: varint length, bytes;
 * - array: varint count, elements; object: varint count, then sorted (key as string form, value) pairs.
 *
 * This coder is on every pipeline's hot path; the string and small-integer
 * cases are written out by hand for that reason.
 */
import type { ByteReader } from "./byte_reader";
import type { ByteWriter } from "./byte_writer";
import { type Coder, CoderError } from "./coder";
import { coderUrns } from "./urns";

/** Values {@link JsValueCoder} can code. */
export type JsValue =
  null | undefined | boolean | number | string | bigint | Uint8Array | readonly JsValue[] | { readonly [key: string]: JsValue };

const enum Tag {
  NULL = 0,
  UNDEFINED = 1,
  FALSE = 2,
  TRUE = 3,
  INT = 4,
  DOUBLE = 5,
  STRING = 6,
  BIGINT_POS = 7,
  BIGINT_NEG = 8,
  BYTES = 9,
  ARRAY = 10,
  OBJECT = 11,
}

/** Nesting deeper than this is treated as a cycle (or as corrupt input when decoding). */
const MAX_DEPTH = 1000;
const URN = coderUrns.JS_VALUE;

/** Carries the path of a bad value up the recursion; only built when something is wrong. */
class BadValue extends Error {
  readonly segments: string[] = [];
}

function describeType(value: unknown): string {
  switch (typeof value) {
    case "function":
      return "function";
    case "symbol":
      return "symbol";
    case "object": {
      const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
      const name = proto?.constructor?.name;
      return name ? name : "object with a custom prototype";
    }
    default:
      return typeof value;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function writeBigint(writer: ByteWriter, value: bigint): void {
  const negative = value < 0n;
  writer.writeByte(negative ? Tag.BIGINT_NEG : Tag.BIGINT_POS);
  let hex = (negative ? -value : value).toString(16);
  if (hex.length & 1) hex = "0" + hex;
  // 0n becomes the empty magnitude, so each bigint has a single encoding.
  writer.writeBytesNested(hex === "00" ? new Uint8Array(0) : Buffer.from(hex, "hex"));
}

function encodeValue(value: unknown, writer: ByteWriter, depth: number): void {
  switch (typeof value) {
    case "string":
      writer.writeByte(Tag.STRING);
      writer.writeUtf8Nested(value);
      return;
    case "number":
      if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) {
        writer.writeByte(Tag.INT);
        if (value >= -0x40000000 && value < 0x40000000) {
          writer.writeVarint(((value << 1) ^ (value >> 31)) >>> 0);
        } else if (value > -0x10000000000000 && value < 0x10000000000000) {
          // Below 2^52 in magnitude the doubled value is still exact.
          writer.writeVarint(value >= 0 ? value * 2 : -value * 2 - 1);
        } else {
          const big = BigInt(value);
          writer.writeVarint(BigInt.asIntN(64, big >= 0n ? big << 1n : (-big << 1n) - 1n));
        }
      } else {
        writer.writeByte(Tag.DOUBLE);
        writer.writeDoubleBE(value);
      }
      return;
    case "boolean":
      writer.writeByte(value ? Tag.TRUE : Tag.FALSE);
      return;
    case "undefined":
      writer.writeByte(Tag.UNDEFINED);
      return;
    case "bigint":
      writeBigint(writer, value);
      return;
    case "object":
      if (value === null) {
        writer.writeByte(Tag.NULL);
        return;
      }
      if (depth >= MAX_DEPTH) {
        throw new BadValue(`nested more than ${MAX_DEPTH} levels deep (is it cyclic?)`);
      }
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) break;
        const n = value.length;
        writer.writeByte(Tag.ARRAY);
        writer.writeVarint(n);
        let i = 0;
        try {
          for (; i < n; i++) encodeValue(value[i], writer, depth + 1);
        } catch (e) {
          if (e instanceof BadValue) e.segments.push(`[${i}]`);
          throw e;
        }
        return;
      }
      if (value instanceof Uint8Array) {
        // Buffer is a Uint8Array subclass and welcome; other typed arrays are not.
        writer.writeByte(Tag.BYTES);
        writer.writeBytesNested(value);
        return;
      }
      if (isPlainObject(value)) {
        const obj = value as Record<string, unknown>;
        const keys = sortedKeysOf(obj);
        writer.writeByte(Tag.OBJECT);
        writer.writeVarint(keys.length);
        let key = "";
        try {
          for (let i = 0; i < keys.length; i++) {
            key = keys[i];
            writer.writeUtf8Nested(key);
            encodeValue(obj[key], writer, depth + 1);
          }
        } catch (e) {
          if (e instanceof BadValue) e.segments.push(keySegment(key));
          throw e;
        }
        return;
      }
      break;
  }
  throw new BadValue(`${describeType(value)} is not a plain value`);
}

/**
 * The key lists of the object shapes encoded last (as `Object.keys` gave
 * them) and their sorted order: the objects of a stream mostly repeat a few
 * shapes, and sorting their keys every time was most of encoding them.
 * Key strings of one shape are the same strings, so a hit costs a few
 * pointer comparisons.
 */
const SHAPES_REMEMBERED = 8;
const shapeKeys: string[][] = [];
const shapeSorted: string[][] = [];
let nextShape = 0;

function sortedKeysOf(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length <= 1) return keys;
  shapes: for (let s = 0; s < shapeKeys.length; s++) {
    const known = shapeKeys[s]!;
    if (known.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (known[i] !== keys[i]) continue shapes;
    return shapeSorted[s]!;
  }
  const sorted = [...keys].sort();
  shapeKeys[nextShape] = keys;
  shapeSorted[nextShape] = sorted;
  nextShape = (nextShape + 1) % SHAPES_REMEMBERED;
  return sorted;
}

function bigintFromMagnitude(bytes: Uint8Array, negative: boolean): bigint {
  if (bytes.length === 0) return 0n;
  const magnitude = BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex"));
  return negative ? -magnitude : magnitude;
}

/**
 * Per nesting depth, the keys of the object decoded last, by position: the
 * objects of a stream mostly repeat a few shapes, so the next object's keys
 * are usually these very strings (see `ByteReader.readUtf8NestedExpecting`).
 */
const KEYS_REMEMBERED_DEPTH = 16;
const keysSeenAtDepth: string[][] = [];

function decodeValue(reader: ByteReader, depth: number): JsValue {
  const offset = reader.position;
  const tag = reader.readByte();
  switch (tag) {
    case Tag.STRING:
      return reader.readUtf8Nested();
    case Tag.INT: {
      const z = reader.readVarintNumberOrBig();
      if (typeof z === "number") {
        if (z < 0x80000000) return (z >>> 1) ^ -(z & 1);
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      // Zigzag of an integer near 2^53: beyond safe numbers, so undo it exactly.
      const big = BigInt.asUintN(64, z);
      return Number(big & 1n ? -(big >> 1n) - 1n : big >> 1n);
    }
    case Tag.DOUBLE:
      return reader.readDoubleBE();
    case Tag.NULL:
      return null;
    case Tag.UNDEFINED:
      return undefined;
    case Tag.FALSE:
      return false;
    case Tag.TRUE:
      return true;
    case Tag.BIGINT_POS:
    case Tag.BIGINT_NEG:
      return bigintFromMagnitude(reader.readBytesNested(), tag === Tag.BIGINT_NEG);
    case Tag.BYTES:
      return new Uint8Array(reader.readBytesNested());
    case Tag.ARRAY: {
      if (depth >= MAX_DEPTH) break;
      const n = reader.readVarint();
      const out: JsValue[] = [];
      for (let i = 0; i < n; i++) out.push(decodeValue(reader, depth + 1));
      return out;
    }
    case Tag.OBJECT: {
      if (depth >= MAX_DEPTH) break;
      const n = reader.readVarint();
      const out: Record<string, JsValue> = {};
      const keysSeen = depth < KEYS_REMEMBERED_DEPTH ? (keysSeenAtDepth[depth] ??= []) : undefined;
      for (let i = 0; i < n; i++) {
        let key: string;
        if (keysSeen !== undefined) {
          key = reader.readUtf8NestedExpecting(keysSeen[i]);
          keysSeen[i] = key;
        } else key = reader.readUtf8Nested();
        const v = decodeValue(reader, depth + 1);
        // A plain assignment to "__proto__" would change the prototype instead.
        if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        else out[key] = v;
      }
      return out;
    }
  }
  throw new CoderError(
    URN,
    depth >= MAX_DEPTH
      ? `input nested more than ${MAX_DEPTH} levels deep at offset ${offset}`
      : `unknown tag 0x${tag.toString(16)} at offset ${offset}`,
  );
}

/**
 * The deterministic, self-delimiting coder for plain JS values: null,
 * undefined, booleans, numbers, strings, bigints, `Uint8Array`s (a `Buffer`
 * decodes as a `Uint8Array`), arrays and plain objects (prototype
 * `Object.prototype` or null; decoded with `Object.prototype`). Only own
 * enumerable string keys are coded.
 *
 * Anything else (functions, symbols, `Map`, `Set`, `Date`, class instances,
 * other typed arrays, cycles) throws a {@link CoderError} that names the type
 * and where it sits, e.g. `value.items[3].when: Date is not a plain value`.
 */
export class JsValueCoder implements Coder<unknown> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = URN;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: unknown, writer: ByteWriter): void {
    // Strings are by far the most common element; skip the generic dispatch.
    if (typeof value === "string") {
      writer.writeByte(Tag.STRING);
      writer.writeUtf8Nested(value);
      return;
    }
    // Null (the value of countPerElement's pairs) and booleans: one byte, no generic dispatch.
    if (value === null) {
      writer.writeByte(Tag.NULL);
      return;
    }
    if (typeof value === "boolean") {
      writer.writeByte(value ? Tag.TRUE : Tag.FALSE);
      return;
    }
    try {
      encodeValue(value, writer, 0);
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      const path = "value" + e.segments.reverse().join("");
      throw new CoderError(URN, `${path}: ${e.message}`);
    }
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): unknown {
    return decodeValue(reader, 0);
  }
}

/** The shared instance: the coder is stateless. */
export const JS_VALUE_CODER: JsValueCoder = new JsValueCoder();
