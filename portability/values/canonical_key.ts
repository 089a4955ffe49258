import { encodeToBytes } from "../coders/coder";
import { coders } from "../coders";

const valueCoder = coders.jsValue();

/**
 * A string equal for values that are equal by value (same deterministic
 * encoding), e.g. `{a: 1, b: 2}` and `{b: 2, a: 1}`. Strings and numbers map
 * to themselves-with-a-prefix on the fast path.
 */
export function canonicalKey(value: unknown): string {
  if (typeof value === "string") return "s" + value;
  if (typeof value === "number" && !Object.is(value, -0)) return "n" + value;
  return "b" + Buffer.from(encodeToBytes(valueCoder, value)).toString("latin1");
}
