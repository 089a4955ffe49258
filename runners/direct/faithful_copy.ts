/**
 * A shortcut for the encodability check on the standard coders: whether a
 * value survives a round trip through the coder, and a copy equal to what
 * decoding would give, computed by walking the value instead of encoding
 * and decoding it.
 *
 * It answers only where the coder's round trip is fully known:
 * - the JS value coder keeps numbers, booleans, null, undefined, bigints,
 *   byte arrays (as plain Uint8Array), arrays and plain objects (own
 *   enumerable string keys) exactly, and well-formed strings (a lone
 *   surrogate becomes U+FFFD in UTF-8);
 * - KV keeps exactly `{ key, value }`, iterable keeps arrays, nullable keeps
 *   null, UTF-8 strings keep well-formed strings.
 * Anything else (other coders, class instances, Maps...) returns
 * {@link UNKNOWN} and the caller encodes and decodes for real, which also
 * produces the coder's own error message.
 *
 * The copy shares strings and other primitives with the original: they are
 * immutable, so sharing them is unobservable.
 */
import type { Coder } from "../../portability/coders/coder";
import { coderUrns } from "../../portability/coders";

/** The value does not survive its coder. */
export const NOT_FAITHFUL: unique symbol = Symbol("not faithful");
/** Only a real round trip can tell. */
export const UNKNOWN: unique symbol = Symbol("unknown");

type Result = unknown;

// Module constants: reading them through the coders barrel's re-export getters costs a call per element.
const JS_VALUE = coderUrns.JS_VALUE;
const STRING_UTF8 = coderUrns.STRING_UTF8;
const KV = coderUrns.KV;
const ITERABLE = coderUrns.ITERABLE;
const NULLABLE = coderUrns.NULLABLE;
const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTOTYPE = Object.prototype;

/** A copy of `value` equal to `decode(encode(value))`, or {@link NOT_FAITHFUL}, or {@link UNKNOWN}. */
export function faithfulCopy(coder: Coder<unknown>, value: unknown): Result {
  switch (coder.urn) {
    case JS_VALUE:
      return copyJsValue(value, 0);
    case STRING_UTF8:
      return typeof value === "string" ? (value.isWellFormed() ? value : NOT_FAITHFUL) : UNKNOWN;
    case KV: {
      if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== OBJECT_PROTOTYPE) return UNKNOWN;
      const kv = value as Record<string, unknown>;
      let n = 0;
      for (const k in kv) if (hasOwn.call(kv, k)) n++;
      if (n !== 2 || !hasOwn.call(kv, "key") || !hasOwn.call(kv, "value")) return n > 2 ? NOT_FAITHFUL : UNKNOWN;
      const components = coder.components;
      // KV of two JS values is the shape of nearly every grouped element: go straight to the value walk.
      const key = components[0]!.urn === JS_VALUE ? copyJsValue(kv.key, 0) : faithfulCopy(components[0]!, kv.key);
      if (key === NOT_FAITHFUL || key === UNKNOWN) return key;
      const val = components[1]!.urn === JS_VALUE ? copyJsValue(kv.value, 0) : faithfulCopy(components[1]!, kv.value);
      if (val === NOT_FAITHFUL || val === UNKNOWN) return val;
      return { key, value: val };
    }
    case ITERABLE: {
      if (!Array.isArray(value)) return UNKNOWN;
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const c = faithfulCopy(coder.components[0]!, value[i]);
        if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
        out[i] = c;
      }
      return out;
    }
    case NULLABLE:
      return value === null ? null : faithfulCopy(coder.components[0]!, value);
    default:
      return UNKNOWN;
  }
}

function copyJsValue(value: unknown, depth: number): Result {
  switch (typeof value) {
    case "string":
      return value.isWellFormed() ? value : NOT_FAITHFUL;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return value;
    case "object": {
      if (value === null) return null;
      if (depth > 100) return UNKNOWN;
      if (value instanceof Uint8Array) return new Uint8Array(value);
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const c = copyJsValue(value[i], depth + 1);
          if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
          out[i] = c;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== OBJECT_PROTOTYPE && proto !== null) return UNKNOWN;
      const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
      const obj = value as Record<string, unknown>;
      for (const k in obj) {
        if (!hasOwn.call(obj, k)) continue;
        const c = copyJsValue(obj[k], depth + 1);
        if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
        out[k] = c;
      }
      return out;
    }
    default:
      return UNKNOWN;
  }
}
