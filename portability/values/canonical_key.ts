import type { Coder } from "../coders/coder";
import { encodeToBytes } from "../coders/coder";
import { coders, coderUrns } from "../coders";

const valueCoder = coders.jsValue();
const STRINGS_MAP_TO_THEMSELVES = new Set<string>([coderUrns.JS_VALUE, coderUrns.STRING_UTF8]);

/**
 * A string equal for values that are equal by their encoding with `coder`,
 * as the Beam model compares keys: `{a: 1, b: 2}` and `{b: 2, a: 1}` are one
 * value under the JS value coder. Strings take a fast path under coders that
 * encode distinct strings distinctly.
 */
export function identityOf(coder: Coder<unknown>, value: unknown): string {
  if (typeof value === "string" && STRINGS_MAP_TO_THEMSELVES.has(coder.urn)) return "s" + value;
  return "b" + Buffer.from(encodeToBytes(coder, value, "nested")).toString("latin1");
}

/** {@link identityOf} under the default JS value coder. */
export function canonicalKey(value: unknown): string {
  if (typeof value === "number" && !Object.is(value, -0)) return "n" + value;
  return identityOf(valueCoder, value);
}
