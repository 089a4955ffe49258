/**
 * A growable output buffer for coders.
 *
 * Backed by a Node `Buffer` so that UTF-8 strings can be written straight into
 * the buffer with `Buffer.write`, without an intermediate `Uint8Array` from
 * `TextEncoder`. One writer is meant to be reused across many elements (see
 * {@link ByteWriter.reset}), so growth happens a few times and then stops.
 */

const TWO_POW_63 = 1n << 63n;
const INT64_MIN = -TWO_POW_63;
const INT64_MAX = TWO_POW_63 - 1n;

/**
 * An append-only byte buffer that doubles its capacity on demand.
 *
 * @example
 * ```ts
 * const w = new ByteWriter();
 * w.writeVarint(300);
 * w.writeUtf8Nested("hi");
 * const bytes = w.finish(); // copy; the writer can be reset and reused
 * ```
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  /**
   * An empty writer.
   *
   * @param initialCapacity starting size in bytes; the buffer doubles when full.
   */
  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity | 0));
  }

  /** Number of bytes written since construction or the last {@link reset}. */
  get length(): number {
    return this.pos;
  }

  /** Current size of the backing buffer in bytes. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < needed) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Appends one byte (the low 8 bits of `b`). */
  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
  }

  /** Appends the given bytes verbatim. */
  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    // A loop beats `set` for the tiny arrays coders mostly deal with.
    if (n < 16) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = bytes[i];
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += n;
  }

  /**
   * Appends a varint: unsigned LEB128 of the value's int64 two's complement,
   * so `-1` takes ten bytes (`ff` x9 `01`), as Beam's `VarLongCoder` writes it.
   *
   * @param value an integer in the int64 range, as a number or a bigint.
   * @throws RangeError if the value is not an integer or is outside int64.
   */
  writeVarint(value: number | bigint): void {
    if (typeof value === "number") {
      // Fast path: the overwhelmingly common small non-negative int.
      if (value >= 0 && value < 0x80000000 && (value | 0) === value) {
        this.ensure(5);
        const buf = this.buf;
        let p = this.pos;
        let v = value;
        while (v >= 0x80) {
          buf[p++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        buf[p++] = v;
        this.pos = p;
        return;
      }
      if (!Number.isInteger(value)) {
        throw new RangeError(`varint: ${value} is not an integer`);
      }
      if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
        // Division stays exact below 2^53, so no bigint is needed.
        this.ensure(8);
        const buf = this.buf;
        let p = this.pos;
        let v = value;
        while (v >= 0x80) {
          buf[p++] = (v % 0x80) | 0x80;
          v = Math.floor(v / 0x80);
        }
        buf[p++] = v;
        this.pos = p;
        return;
      }
      value = BigInt(value);
    }
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(`varint: ${value} is outside the int64 range`);
    }
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (v >= 0x80n) {
      buf[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[p++] = Number(v);
    this.pos = p;
  }

  /** Appends a 32-bit big-endian integer (signed or unsigned input, low 32 bits kept). */
  writeInt32BE(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = (value >>> 24) & 0xff;
    buf[p + 1] = (value >>> 16) & 0xff;
    buf[p + 2] = (value >>> 8) & 0xff;
    buf[p + 3] = value & 0xff;
    this.pos = p + 4;
  }

  /**
   * Appends a 64-bit big-endian two's complement integer.
   * @throws RangeError outside the int64 range.
   */
  writeInt64BE(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(`int64: ${value} is outside the int64 range`);
    }
    this.ensure(8);
    this.buf.writeBigInt64BE(value, this.pos);
    this.pos += 8;
  }

  /** Appends an IEEE-754 double, big-endian. */
  writeDoubleBE(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  /** Appends an IEEE-754 single, big-endian. */
  writeFloatBE(value: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(value, this.pos);
    this.pos += 4;
  }

  /** Appends the UTF-8 bytes of `s` with no length (the outer-context form). */
  writeUtf8(s: string): void {
    const n = s.length;
    // Worst case is 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
    this.ensure(n * 3);
    if (n < 32) {
      const p = this.asciiInto(s, this.pos);
      if (p >= 0) {
        this.pos = p;
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  /** Appends varint(UTF-8 byte length) then the UTF-8 bytes (the nested-context form). */
  writeUtf8Nested(s: string): void {
    const n = s.length;
    if (n < 128) {
      // The length fits one varint byte whenever the string is ASCII: write it
      // optimistically, and fall back if a non-ASCII char shows up.
      this.ensure(1 + n * 3);
      const start = this.pos;
      const p = this.asciiInto(s, start + 1);
      if (p >= 0) {
        this.buf[start] = n;
        this.pos = p;
        return;
      }
    }
    const byteLen = Buffer.byteLength(s, "utf8");
    this.writeVarint(byteLen);
    this.ensure(byteLen);
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  /** Copies `s` at `p` if it is all ASCII; returns the end offset, or -1 (buffer left partly written) if not. */
  private asciiInto(s: string, p: number): number {
    const buf = this.buf;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return -1;
      buf[p++] = c;
    }
    return p;
  }

  /** Appends varint(length) then the bytes (the nested-context form of bytes). */
  writeBytesNested(bytes: Uint8Array): void {
    this.writeVarint(bytes.length);
    this.writeBytes(bytes);
  }

  /**
   * The bytes written so far, as a fresh copy: safe to keep after the writer
   * is reset or written to again.
   */
  finish(): Uint8Array {
    // Copy through a plain Uint8Array view: the result is then a plain
    // Uint8Array (not a Buffer), and this is far cheaper than ArrayBuffer#slice.
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos).slice();
  }

  /**
   * A view of the bytes written so far, without copying. Only valid until the
   * next write or {@link reset}: use it to hand bytes straight to a consumer.
   */
  view(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }

  /** Forgets the content and keeps the capacity, so the writer can be reused. */
  reset(): void {
    this.pos = 0;
  }

  /** Forgets everything written after the first `length` bytes. */
  truncate(length: number): void {
    if (length < 0 || length > this.pos) throw new RangeError(`cannot truncate ${this.pos} bytes to ${length}`);
    this.pos = length;
  }

  /**
   * The backing buffer itself (valid until the next write that grows it): for
   * readers over a range of a writer used as an arena, without a copy.
   */
  get backing(): Uint8Array {
    return this.buf;
  }

  /** True when bytes `[start, end)` of this writer equal everything written to `other`. */
  rangeEquals(start: number, end: number, other: ByteWriter): boolean {
    const n = end - start;
    if (n !== other.pos) return false;
    const a = this.buf;
    const b = other.buf;
    for (let i = 0; i < n; i++) if (a[start + i] !== b[i]) return false;
    return true;
  }
}
