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
const ARRAY_PROTOTYPE = Array.prototype;

/** A copy of `value` equal to `decode(encode(value))`, or {@link NOT_FAITHFUL}, or {@link UNKNOWN}. */
export function faithfulCopy(coder: Coder<unknown>, value: unknown): Result {
  return copyFor(coder, value, false);
}

/**
 * As {@link faithfulCopy}, for a copy no user code sees (an immutability
 * snapshot): plain objects and arrays are cloned whole, which is faster and
 * keeps their shape, so comparing them with the original is faster too; the
 * clone keeps symbol-keyed fields, which the coder drops but no comparison
 * looks at (they compare string keys, as the coder encodes).
 */
export function faithfulSnapshot(coder: Coder<unknown>, value: unknown): Result {
  return copyFor(coder, value, true);
}

function copyFor(coder: Coder<unknown>, value: unknown, clone: boolean): Result {
  switch (coder.urn) {
    case JS_VALUE:
      return copyJsValue(value, 0, clone);
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
      const key = components[0]!.urn === JS_VALUE ? copyJsValue(kv.key, 0, clone) : copyFor(components[0]!, kv.key, clone);
      if (key === NOT_FAITHFUL || key === UNKNOWN) return key;
      const val = components[1]!.urn === JS_VALUE ? copyJsValue(kv.value, 0, clone) : copyFor(components[1]!, kv.value, clone);
      if (val === NOT_FAITHFUL || val === UNKNOWN) return val;
      return { key, value: val };
    }
    case ITERABLE: {
      if (!Array.isArray(value)) return UNKNOWN;
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const c = copyFor(coder.components[0]!, value[i], clone);
        if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
        out[i] = c;
      }
      return out;
    }
    case NULLABLE:
      return value === null ? null : copyFor(coder.components[0]!, value, clone);
    default:
      return UNKNOWN;
  }
}

function copyJsValue(value: unknown, depth: number, clone: boolean): Result {
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
      const proto = Object.getPrototypeOf(value);
      if (clone && proto === ARRAY_PROTOTYPE) return cloneNested((value as unknown[]).slice(), depth);
      if (clone && proto === OBJECT_PROTOTYPE) return cloneNested({ ...(value as object) } as Record<string, unknown>, depth);
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const c = copyJsValue(value[i], depth + 1, clone);
          if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
          out[i] = c;
        }
        return out;
      }
      if (proto !== OBJECT_PROTOTYPE && proto !== null) return UNKNOWN;
      const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
      const obj = value as Record<string, unknown>;
      for (const k in obj) {
        if (!hasOwn.call(obj, k)) continue;
        const c = copyJsValue(obj[k], depth + 1, clone);
        if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
        out[k] = c;
      }
      return out;
    }
    default:
      return UNKNOWN;
  }
}

/**
 * Completes a shallow clone (V8 copies a plain object or array whole, with
 * its shape) into a snapshot: each field or item is checked, and those
 * holding objects replaced by their snapshots.
 */
function cloneNested(clone: Record<string, unknown> | unknown[], depth: number): Result {
  if (Array.isArray(clone)) {
    for (let i = 0; i < clone.length; i++) {
      const v = clone[i];
      const c = copyJsValue(v, depth + 1, true);
      if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
      if (c !== v) clone[i] = c;
    }
    return clone;
  }
  for (const k in clone) {
    if (!hasOwn.call(clone, k)) continue;
    const v = clone[k];
    const c = copyJsValue(v, depth + 1, true);
    if (c === NOT_FAITHFUL || c === UNKNOWN) return c;
    if (c !== v) clone[k] = c;
  }
  return clone;
}
