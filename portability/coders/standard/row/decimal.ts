/**
 * Decimals for the row coder's `beam:logical_type:decimal:v1`, coded like
 * Java's `BigDecimalCoder` / Python's `DecimalCoder`: the scale as a varint
 * (of the int32, as Java's `VarIntCoder` writes it), then the unscaled value's
 * minimal big-endian two's complement bytes, length-prefixed.
 *
 * millrace holds a decimal as its string, which keeps the scale exactly
 * (`"1.0"` and `"1.00"` are different values on the wire, as in Java).
 */
import type { ByteReader } from "../../byte_reader";
import type { ByteWriter } from "../../byte_writer";

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal split into unscaled integer and scale: value = unscaled * 10^-scale. */
export interface DecimalParts {
  /** The digits as an integer, with the sign. */
  unscaled: bigint;
  /** Number of digits after the point (negative for trailing zeros before it). */
  scale: number;
}

/**
 * Parses a decimal string (`"-100.123"`, `"0.0"`, `"1.23E+5"`) into its
 * unscaled value and scale, as Java's `new BigDecimal(String)` does.
 * @throws Error if the string is not a decimal or the scale leaves the int32 range.
 */
export function parseDecimal(text: string): DecimalParts {
  const m = DECIMAL_RE.exec(text);
  const intDigits = m?.[2] ?? "";
  const fracDigits = m?.[3] ?? "";
  if (!m || intDigits.length + fracDigits.length === 0) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  const scale = fracDigits.length - exponent;
  if (!Number.isSafeInteger(exponent) || scale < -0x80000000 || scale > 0x7fffffff) {
    throw new Error(`decimal ${JSON.stringify(text)}: scale outside the int32 range`);
  }
  const unscaled = BigInt(`${m[1] === "-" ? "-" : ""}${intDigits}${fracDigits}` || "0");
  return { unscaled, scale };
}

/**
 * Formats an unscaled value and scale like Java's `BigDecimal.toString()`
 * (and Python's `str(Decimal)`): plain notation unless the scale is negative
 * or the adjusted exponent is below -6, then scientific (`"1.23E+5"`).
 */
export function formatDecimal({ unscaled, scale }: DecimalParts): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? "-" : "";
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) return sign + digits;
    const padded = digits.padStart(scale + 1, "0");
    const point = padded.length - scale;
    return `${sign}${padded.slice(0, point)}.${padded.slice(point)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? "+" : ""}${adjusted}`;
}

/** Minimal big-endian two's complement bytes of `v` (Java's `BigInteger.toByteArray`). */
export function bigintToTwosComplement(v: bigint): Uint8Array {
  // Bits needed without the sign bit: those of v, or of ~v (= -v-1) when negative.
  const magnitude = v < 0n ? -v - 1n : v;
  const bitLength = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const n = (bitLength >> 3) + 1;
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(n * 8, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Reads big-endian two's complement bytes as a bigint (an empty array is 0). */
export function twosComplementToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let x = 0n;
  for (let i = 0; i < bytes.length; i++) x = (x << 8n) | BigInt(bytes[i]);
  return BigInt.asIntN(bytes.length * 8, x);
}

/** Writes a decimal given as its parts. */
export function writeDecimal(writer: ByteWriter, parts: DecimalParts): void {
  // Java's VarIntCoder writes an int's 32 bits unsigned (5 bytes when negative).
  writer.writeVarint(parts.scale >>> 0);
  writer.writeBytesNested(bigintToTwosComplement(parts.unscaled));
}

/**
 * Reads a decimal. The scale may be written as an int32 (Java) or as an
 * int64 varint (Python writes negative scales in ten bytes); both are read.
 */
export function readDecimal(reader: ByteReader): DecimalParts {
  const rawScale = reader.readVarintNumberOrBig();
  const scale = typeof rawScale === "number" ? rawScale | 0 : Number(BigInt.asIntN(32, rawScale));
  const unscaled = twosComplementToBigint(reader.readBytesNested());
  return { unscaled, scale };
}
