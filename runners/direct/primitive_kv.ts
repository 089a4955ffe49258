/**
 * The commonest element of all, a KV of two primitives (`{ key: "word",
 * value: 1 }`) under a KV coder of JS values, checked without a copy: its
 * key and value are the snapshot, and it is unchanged while it still holds
 * exactly them (compared as their encodings would, `Object.is`).
 */
import { coderUrns } from "../../portability/coders";
import type { Coder } from "../../portability/coders/coder";

const KV = coderUrns.KV;
const JS_VALUE = coderUrns.JS_VALUE;
const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTOTYPE = Object.prototype;

/** Whether `coder` is a KV of two JS values, whose primitive KVs this module checks. */
export function isKvOfJsValues(coder: Coder<unknown>): boolean {
  return coder.urn === KV && coder.components[0]!.urn === JS_VALUE && coder.components[1]!.urn === JS_VALUE;
}

/** A primitive the JS value coder keeps exactly (a lone surrogate in a string does not survive UTF-8). */
function keptExactly(v: unknown): boolean {
  switch (typeof v) {
    case "string":
      return v.isWellFormed();
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return true;
    default:
      return v === null;
  }
}

/** True when `v` is a plain `{ key, value }` (no other own keys) of two primitives the JS value coder keeps exactly. */
export function isPrimitiveKv(v: object): boolean {
  if (Object.getPrototypeOf(v) !== OBJECT_PROTOTYPE) return false;
  const kv = v as { key?: unknown; value?: unknown };
  return keptExactly(kv.key) && keptExactly(kv.value) && ownKeyCount(kv) === 2 && hasOwn.call(kv, "key") && hasOwn.call(kv, "value");
}

/** True when `kv` still holds exactly `key` and `value`, and nothing else. */
export function holdsExactly(kv: object, key: unknown, value: unknown): boolean {
  const o = kv as { key?: unknown; value?: unknown };
  return (
    Object.is(o.key, key) &&
    Object.is(o.value, value) &&
    Object.getPrototypeOf(kv) === OBJECT_PROTOTYPE &&
    ownKeyCount(o) === 2 &&
    hasOwn.call(o, "key") &&
    hasOwn.call(o, "value")
  );
}

function ownKeyCount(o: object): number {
  let n = 0;
  for (const k in o) if (hasOwn.call(o, k)) n++;
  return n;
}
