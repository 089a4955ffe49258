/**
 * The one order every shuffle component agrees on: keys compare as unsigned
 * bytes, lexicographically (memcmp order), a shorter key before any longer key
 * it is a prefix of. The writer sorts by it and the reader merges by it, so
 * both must use this same function.
 */

/**
 * Compares two byte strings in unsigned lexicographic order.
 *
 * @returns a negative number, zero or a positive number as `a` sorts before,
 *   equal to or after `b`.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  // Buffer.compare is a native memcmp; it accepts any Uint8Array, so no copy.
  return Buffer.compare(a, b);
}

/** Whether two byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * Compares `buf[aStart, aEnd)` with `buf[bStart, bEnd)` in the same order as
 * {@link compareBytes}, without creating views: the writer sorts thousands of
 * records living in one arena, and a view per comparison would be garbage.
 */
export function compareRanges(buf: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const d = buf[aStart + i]! - buf[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}
