/**
 * Deep equality over the values coders produce, used to check that an
 * element survives a round trip through its coder.
 */

/**
 * True when `a` and `b` are structurally equal: numbers by `Object.is` (so
 * `NaN` equals `NaN`, and `0` differs from `-0`, as their encodings do),
 * `Uint8Array`s (and `Buffer`s) by bytes, arrays element-wise, and other
 * objects by their own enumerable string keys regardless of key order or
 * prototype. `Map`s are equal when every entry of one has a structurally
 * equal key in the other with a structurally equal value (order ignored).
 * Functions and symbols compare by identity.
 */
export function valuesEqualStructurally(a: unknown, b: unknown): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || a === null || b === null) return false;
  const x = a as object;
  const y = b as object;
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    if (!(x instanceof Uint8Array && y instanceof Uint8Array) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (x instanceof Map || y instanceof Map) {
    return x instanceof Map && y instanceof Map && mapsEqualStructurally(x, y);
  }
  const xArray = Array.isArray(x);
  if (xArray !== Array.isArray(y)) return false;
  if (xArray) {
    const xs = x as unknown[];
    const ys = y as unknown[];
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) if (!valuesEqualStructurally(xs[i], ys[i])) return false;
    return true;
  }
  // Count and compare own enumerable keys without allocating key arrays: this
  // runs for every element the direct runner checks.
  const xr = x as Record<string, unknown>;
  const yr = y as Record<string, unknown>;
  const hasOwn = Object.prototype.hasOwnProperty;
  let xCount = 0;
  for (const k in xr) {
    if (!hasOwn.call(xr, k)) continue;
    xCount++;
    if (!hasOwn.call(yr, k) || !valuesEqualStructurally(xr[k], yr[k])) return false;
  }
  let yCount = 0;
  for (const k in yr) if (hasOwn.call(yr, k)) yCount++;
  if (xCount !== yCount) return false;
  return true;
}

function mapsEqualStructurally(x: Map<unknown, unknown>, y: Map<unknown, unknown>): boolean {
  if (x.size !== y.size) return false;
  let unmatched: [unknown, unknown][] | undefined;
  for (const [k, v] of x) {
    // Primitive keys (and identical objects) are found directly; a Map does
    // not tell 0 from -0, which differ structurally, so zeros are paired below.
    if (k !== 0 && y.has(k)) {
      if (!valuesEqualStructurally(v, y.get(k))) return false;
    } else {
      (unmatched ??= []).push([k, v]);
    }
  }
  if (!unmatched) return true;
  // Keys compared by structure (byte arrays, objects, zeros): pair them up.
  const candidates = [...y].filter(([k]) => k === 0 || !x.has(k));
  for (const [k, v] of unmatched) {
    const i = candidates.findIndex(([ck, cv]) => valuesEqualStructurally(k, ck) && valuesEqualStructurally(v, cv));
    if (i < 0) return false;
    candidates.splice(i, 1);
  }
  return true;
}
