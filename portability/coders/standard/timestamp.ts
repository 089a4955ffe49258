/**
 * Beam's timestamp wire form: the int64 millis with the sign bit flipped
 * (millis - Long.MIN_VALUE), big-endian, so that bytes sort like times.
 *
 * Not a coder of its own in Beam; windows, windowed values and timers embed it.
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { int64ToTimestamp, timestampToInt64 } from "../../../model/time";

const TWO_POW_32 = 0x100000000;
const SIGN_FLIP = 1n << 63n;

/** Writes a millisecond timestamp; Beam's bounds are written as their exact int64 values. */
export function writeTimestamp(writer: ByteWriter, ms: number): void {
  if (Number.isSafeInteger(ms)) {
    // Plain arithmetic is exact for safe integers and avoids a bigint per element.
    const hi = Math.floor(ms / TWO_POW_32);
    const lo = ms - hi * TWO_POW_32;
    writer.writeInt32BE((hi ^ 0x80000000) >>> 0);
    writer.writeInt32BE(lo);
    return;
  }
  writeTimestampInt64(writer, timestampToInt64(ms));
}

/** Writes an exact int64 millisecond timestamp. */
export function writeTimestampInt64(writer: ByteWriter, millis: bigint): void {
  writer.writeInt64BE(BigInt.asIntN(64, millis + SIGN_FLIP));
}

/** Reads an exact int64 millisecond timestamp. */
export function readTimestampInt64(reader: ByteReader): bigint {
  return BigInt.asIntN(64, reader.readInt64BE() + SIGN_FLIP);
}

/**
 * Reads a timestamp exactly: a `number` when it is a safe integer (nearly
 * always), else a `bigint`.
 */
export function readTimestampExact(reader: ByteReader): number | bigint {
  const hi = (reader.readInt32BE() ^ 0x80000000) | 0;
  const lo = reader.readInt32BE() >>> 0;
  if (hi >= -0x1fffff && hi < 0x200000) return hi * TWO_POW_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Reads a timestamp as a number of milliseconds (Beam's bounds become the nearest doubles). */
export function readTimestamp(reader: ByteReader): number {
  const t = readTimestampExact(reader);
  return typeof t === "number" ? t : int64ToTimestamp(t);
}
