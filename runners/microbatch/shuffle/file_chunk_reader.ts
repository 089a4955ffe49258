/**
 * Reads a file front to back through one fixed buffer with synchronous fd
 * reads, so a reduce task merging many run files holds one buffer per file,
 * not the files. Synchronous because the merge is a generator consumed by a
 * synchronous task loop. Bytes handed out are copies: the buffer is refilled
 * under them.
 */
import * as fs from "node:fs";
import { CorruptSegmentError } from "./record_format";

/** A sequential, chunked reader of one file. */
export class FileChunkReader {
  private fd: number | undefined;
  private readonly buf: Uint8Array;
  private pos = 0;
  private end = 0;
  private filePos = 0;

  /**
   * Opens `path`.
   *
   * @param bufferBytes size of the read buffer; a file smaller than it gets a
   *   buffer of its own size, since many small runs are the common case.
   * @param fileBytes the file's size if known, to size the buffer.
   */
  constructor(
    readonly path: string,
    bufferBytes: number,
    fileBytes = Infinity,
  ) {
    this.buf = new Uint8Array(Math.max(1, Math.min(bufferBytes, fileBytes)));
    this.fd = fs.openSync(path, "r");
  }

  /** The next byte; throws at end of file. */
  byte(): number {
    if (this.pos === this.end) this.fill();
    return this.buf[this.pos++]!;
  }

  /** Whether every byte of the file has been consumed. */
  atEnd(): boolean {
    if (this.pos < this.end) return false;
    if (this.fd === undefined) return true;
    this.end = fs.readSync(this.fd, this.buf, 0, this.buf.length, this.filePos);
    this.filePos += this.end;
    this.pos = 0;
    return this.end === 0;
  }

  /**
   * The next `n` bytes, as a new array. Bytes beyond the buffer are read
   * straight into the result, so a value larger than the buffer costs no
   * more than its own size.
   */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let got = Math.min(n, this.end - this.pos);
    out.set(this.buf.subarray(this.pos, this.pos + got));
    this.pos += got;
    while (got < n) {
      if (n - got >= this.buf.length) {
        const read = fs.readSync(this.openFd(), out, got, n - got, this.filePos);
        if (read === 0) throw this.truncated();
        this.filePos += read;
        got += read;
      } else {
        this.fill();
        const take = Math.min(n - got, this.end);
        out.set(this.buf.subarray(0, take), got);
        this.pos = take;
        got += take;
      }
    }
    return out;
  }

  /** Closes the file; idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private fill(): void {
    this.end = fs.readSync(this.openFd(), this.buf, 0, this.buf.length, this.filePos);
    this.filePos += this.end;
    this.pos = 0;
    if (this.end === 0) throw this.truncated();
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`run file ${this.path} is closed`);
    return this.fd;
  }

  private truncated(): CorruptSegmentError {
    return new CorruptSegmentError(`run file ${this.path} ends in the middle of a record`);
  }
}
