/**
 * Sequential reader over encoded bytes.
 *
 * Every read checks the remaining length first, so truncated or corrupt input
 * fails with an `Error` that says where, instead of yielding `undefined`-based
 * garbage further down the pipeline.
 */

/**
 * Reads coder primitives from a `Uint8Array`, advancing a position.
 *
 * Varints come in three flavours so callers state what they expect:
 * {@link ByteReader.readVarint} (a safe-integer `number`, for lengths, counts
 * and indices), {@link ByteReader.readVarintBig} (always a `bigint`), and
 * {@link ByteReader.readVarintNumberOrBig} (a `number` when exactly
 * representable, else a `bigint`: what the varint coder returns).
 *
 * @example
 * ```ts
 * const r = new ByteReader(bytes);
 * const count = r.readVarint();
 * const name = r.readUtf8Nested();
 * if (!r.atEnd) throw new Error("trailing bytes");
 * ```
 */
export class ByteReader {
  private readonly bytes: Uint8Array;
  // Created on first use: most readers only see varints and strings.
  private dataView: DataView | undefined;
  private readonly end: number;
  private pos: number;

  /**
   * A reader over `bytes[start, end)`, positioned at `start`.
   *
   * @param bytes the input; not copied, so do not mutate it while reading.
   * @param start first offset to read.
   * @param end offset just past the last byte to read (defaults to the array's length).
   */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** Current offset into the underlying array. */
  get position(): number {
    return this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when every byte has been read. */
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private get view(): DataView {
    return (this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  private need(n: number): void {
    if (this.end - this.pos < n) {
      throw new Error(`truncated input: needed ${n} bytes at offset ${this.pos}, only ${Math.max(0, this.end - this.pos)} left`);
    }
  }

  /** Reads one unsigned byte. */
  readByte(): number {
    if (this.pos >= this.end) this.need(1);
    return this.bytes[this.pos++];
  }

  /** Reads `n` bytes as a view into the input (no copy); copy it if you keep it past the input's lifetime. */
  readBytes(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * A reader over the next `n` bytes, which this reader skips: for
   * length-prefixed sections whose content must be consumed exactly.
   */
  subReader(n: number): ByteReader {
    this.need(n);
    const r = new ByteReader(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /**
   * Reads a varint as a `bigint`, interpreting the 64 bits as two's
   * complement (so `ff` x9 `01` is `-1n`).
   */
  readVarintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    const start = this.pos;
    for (;;) {
      if (shift >= 70n) {
        throw new Error(`malformed varint at offset ${start}: more than 10 bytes`);
      }
      const b = this.readByte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) break;
    }
    return BigInt.asIntN(64, result);
  }

  /**
   * Reads a varint as a `number` when the int64 value is a safe integer,
   * otherwise as a `bigint`.
   */
  readVarintNumberOrBig(): number | bigint {
    const bytes = this.bytes;
    let p = this.pos;
    // Up to four bytes (28 bits) fit int32 arithmetic: the common case.
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= this.end) this.need(p - this.pos + 1);
      const b = bytes[p++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return result;
      }
    }
    const big = this.readVarintBig();
    const asNumber = Number(big);
    return Number.isSafeInteger(asNumber) ? asNumber : big;
  }

  /**
   * Reads a varint that must be a safe integer (lengths, counts, indices).
   * @throws Error if the value does not fit a safe integer; use
   * {@link readVarintBig} for arbitrary int64 values.
   */
  readVarint(): number {
    const start = this.pos;
    const v = this.readVarintNumberOrBig();
    if (typeof v === "bigint") {
      throw new Error(`varint at offset ${start} is ${v}, outside the safe integer range`);
    }
    return v;
  }

  /** Reads a varint length and checks that that many bytes remain. */
  readLength(): number {
    const start = this.pos;
    const n = this.readVarint();
    if (n < 0) throw new Error(`negative length ${n} at offset ${start}`);
    this.need(n);
    return n;
  }

  /** Reads a signed 32-bit big-endian integer. */
  readInt32BE(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a signed 64-bit big-endian integer. */
  readInt64BE(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads an IEEE-754 big-endian double. */
  readDoubleBE(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads an IEEE-754 big-endian single. */
  readFloatBE(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads `n` bytes of UTF-8 as a string (invalid sequences become U+FFFD). */
  readUtf8(n: number): string {
    this.need(n);
    const bytes = this.bytes;
    const start = this.pos;
    if (n < 24) {
      // For short ASCII a char-code loop beats crossing into Buffer#toString.
      let s = "";
      let i = start;
      const stop = start + n;
      for (; i < stop; i++) {
        const c = bytes[i];
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === stop) {
        this.pos = stop;
        return s;
      }
    }
    this.pos = start + n;
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, n).toString("utf8");
  }

  /** Reads a varint length then that many bytes of UTF-8. */
  readUtf8Nested(): string {
    return this.readUtf8(this.readLength());
  }

  /**
   * As {@link readUtf8Nested}, but returns `expected` itself when the bytes
   * spell it (ASCII only): a decoder that can guess the string (an object key
   * of the shape it read last) gets the same string object again instead of
   * building a new one, which V8 then also finds at once as a property name.
   */
  readUtf8NestedExpecting(expected: string | undefined): string {
    const n = this.readLength();
    if (expected !== undefined && expected.length === n) {
      this.need(n);
      const bytes = this.bytes;
      const start = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = bytes[start + i]!;
        // A byte of 0x80 or more is part of a multi-byte sequence: it spells another string than the char code.
        if (c >= 0x80 || c !== expected.charCodeAt(i)) break;
      }
      if (i === n) {
        this.pos = start + n;
        return expected;
      }
    }
    return this.readUtf8(n);
  }

  /** Reads a varint length then that many bytes (a view, not a copy). */
  readBytesNested(): Uint8Array {
    return this.readBytes(this.readLength());
  }
}
