/**
 * Writes one run file: records appended through a fixed buffer and flushed
 * with synchronous writes. Synchronous because map and reduce tasks are
 * themselves synchronous loops on their own worker thread; a record larger
 * than the buffer is written straight from its bytes instead of copied.
 */
import * as fs from "node:fs";
import { writeVarint, MAX_VARINT_BYTES, checkFieldLength } from "./record_format";
import type { FileSegment } from "./shuffle_output";

/** An open run file being written; {@link RunFileWriter.close} yields its segment. */
export class RunFileWriter {
  private fd: number | undefined;
  private readonly buf: Uint8Array;
  private used = 0;
  private bytes = 0;
  private records = 0;

  /**
   * Creates (or truncates) `path`.
   *
   * @param buffer the write buffer, or its size (at least 64 bytes). Passing a
   *   buffer lets a writer of many small runs reuse one instead of allocating
   *   one per file; it must not be used elsewhere until {@link close}.
   */
  constructor(
    readonly path: string,
    buffer: number | Uint8Array,
  ) {
    this.buf = typeof buffer === "number" ? new Uint8Array(Math.max(64, buffer)) : buffer;
    if (this.buf.length < 64) throw new RangeError("a run file write buffer needs at least 64 bytes");
    this.fd = fs.openSync(path, "w");
  }

  /** Appends one already encoded record (or several, with `count`). */
  writeEncoded(encoded: Uint8Array, count = 1): void {
    this.append(encoded);
    this.records += count;
  }

  /** Encodes and appends a record. */
  writeRecord(key: Uint8Array, value: Uint8Array): void {
    checkFieldLength("key", key.length);
    checkFieldLength("value", value.length);
    if (this.buf.length - this.used < 2 * MAX_VARINT_BYTES) this.flush();
    this.used = writeVarint(this.buf, this.used, key.length);
    this.append(key);
    if (this.buf.length - this.used < MAX_VARINT_BYTES) this.flush();
    this.used = writeVarint(this.buf, this.used, value.length);
    this.append(value);
    this.records++;
  }

  /** Flushes and closes the file, returning its segment. */
  close(): FileSegment {
    this.flush();
    this.closeFd();
    return { kind: "file", path: this.path, records: this.records, bytes: this.bytes };
  }

  /** Closes the file without flushing and deletes it: for failed writes. */
  abandon(): void {
    this.closeFd();
    fs.rmSync(this.path, { force: true });
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length > this.buf.length - this.used) {
      this.flush();
      if (bytes.length >= this.buf.length) {
        this.writeFully(bytes);
        return;
      }
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeFully(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeFully(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(this.fd!, bytes, off, bytes.length - off);
    this.bytes += bytes.length;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }
}
