/**
 * Whether a value still equals a faithful copy of it (or a faithful copy
 * still equals its original): the comparison behind every immutability check
 * on values the standard coders represent exactly.
 *
 * It agrees with `valuesEqualStructurally` on such values but walks the
 * pristine side, whose shape `faithfulCopy` guarantees (primitives, byte
 * arrays, arrays, objects with `Object.prototype` or no prototype), so it
 * skips the general comparison's tests for Maps and other classes (anything
 * else is left to it); it runs once or twice for every checked element.
 */

import { valuesEqualStructurally } from "../../portability/coders";

const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTOTYPE = Object.prototype;

/**
 * True when `current` is structurally equal to `pristine`, where `pristine`
 * is a faithful copy of `current` or `current`'s original (see
 * `faithful_copy.ts`). Numbers compare by `Object.is`, as their encodings do.
 */
export function equalsPristine(current: unknown, pristine: unknown): boolean {
  if (current === pristine) return current !== 0 || Object.is(current, pristine);
  if (typeof pristine !== "object" || pristine === null) {
    // Distinct primitives: only NaN equals itself without ===.
    return typeof pristine === "number" && typeof current === "number" && Number.isNaN(pristine) && Number.isNaN(current);
  }
  if (typeof current !== "object" || current === null) return false;
  if (Array.isArray(pristine)) {
    if (!Array.isArray(current) || current.length !== pristine.length) return false;
    for (let i = 0; i < pristine.length; i++) if (!equalsPristine(current[i], pristine[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(pristine);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) {
    if (!(pristine instanceof Uint8Array)) return valuesEqualStructurally(current, pristine);
    if (!(current instanceof Uint8Array) || current.length !== pristine.length) return false;
    for (let i = 0; i < pristine.length; i++) if (current[i] !== pristine[i]) return false;
    return true;
  }
  // A plain object: `current` must be one too (a faithful copy keeps the prototype), with the same own keys.
  if (Object.getPrototypeOf(current) !== proto) return false;
  const p = pristine as Record<string, unknown>;
  const c = current as Record<string, unknown>;
  let keys = 0;
  for (const k in p) {
    if (!hasOwn.call(p, k)) continue;
    keys++;
    const v = c[k];
    // An absent key reads as undefined: only then is it worth asking whether it is there.
    if ((v === undefined && !hasOwn.call(c, k)) || !equalsPristine(v, p[k])) return false;
  }
  // No key added.
  for (const k in c) if (hasOwn.call(c, k) && --keys < 0) return false;
  return keys === 0;
}
