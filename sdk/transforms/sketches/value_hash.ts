/**
 * A 64-bit hash of any element, for the distinct-count sketches. Elements are
 * first written with the deterministic JS value coder, so two elements that
 * are equal by value (`{a: 1, b: 2}` and `{b: 2, a: 1}`) hash the same, as
 * they group the same; the bytes are then hashed with MD5 from Node's crypto
 * (native, well spread; only its first 64 bits are used).
 */
import { hash } from "node:crypto";
import { encodeToBytes } from "../../../portability/coders/coder";
import { JS_VALUE_CODER } from "../../../portability/coders/js_value_coder";

/** A 64-bit hash as two unsigned 32-bit halves (numbers, so no bigint on the hot path). */
export interface Hash64 {
  /** The high 32 bits. */
  readonly hi: number;
  /** The low 32 bits. */
  readonly lo: number;
}

/** The 64-bit hash of `value` (by value, through its deterministic encoding). */
export function hashValue(value: unknown): Hash64 {
  const digest = hash("md5", encodeToBytes(JS_VALUE_CODER, value as never), "buffer");
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}
