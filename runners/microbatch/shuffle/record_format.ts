/**
 * The byte layout of shuffle records, shared by in-memory segments and run
 * files so one decoder reads both: each record is
 * `varint(key length) key varint(value length) value`, records back to back,
 * with no header (a segment's record count travels beside it).
 *
 * Varints are unsigned LEB128 limited to 32 bits: a single key or value must
 * be smaller than 4 GiB, far above what one shuffled element should be.
 */

/** The largest encoded size of a length prefix. */
export const MAX_VARINT_BYTES = 5;

/** The largest key or value length a record can carry. */
export const MAX_FIELD_BYTES = 0xffffffff;

/** How many bytes `varint(n)` takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes `varint(n)` into `buf` at `pos`, returning the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Throws if a key or value is too long to encode. */
export function checkFieldLength(what: string, length: number): void {
  if (length > MAX_FIELD_BYTES) throw new RangeError(`shuffle ${what} of ${length} bytes exceeds the 4 GiB record limit`);
}

/** Raised when segment bytes do not decode as records: a truncated or foreign file. */
export class CorruptSegmentError extends Error {
  override readonly name = "CorruptSegmentError";
}
