/**
 * The lines of a text file that start in a byte range: how `readText` reads
 * a file, or the part of it a restriction holds. A line belongs to the range
 * its first byte is in, so ranges that split a file read each line once.
 * Lines are split on `\n` (a byte that never occurs inside a multi-byte
 * UTF-8 character), a trailing `\r` is removed, a final newline gives no
 * extra empty line, and a UTF-8 byte order mark at the start of the file is
 * skipped. Invalid UTF-8 is replaced by U+FFFD, or refused with
 * `onInvalidUtf8: "fail"`, naming the file and the line.
 */
import * as fs from "node:fs";

/** Options of `readText` (and `readTextFiles`). */
export interface ReadTextOptions {
  /**
   * What to do with bytes that are not valid UTF-8: `"replace"` (the default)
   * reads each as U+FFFD (`\uFFFD`, the replacement character), as Node and
   * browsers decode text; `"fail"` fails the run with an error naming the
   * file and the line.
   */
  readonly onInvalidUtf8?: "replace" | "fail";
  /**
   * Files are read in parts of about this many bytes, which runners may read
   * in parallel (Beam's desired bundle size; default 64 MiB).
   */
  readonly desiredBundleSizeBytes?: number;
}

/** Bytes read from a file at a time. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Where reading a range stopped. */
export interface RangeReadEnd {
  /** The offset of the first line not read (the end of the file when every line was read). */
  readonly next: number;
  /** True when `claim` refused a line: the rest belongs to another range. */
  readonly refused: boolean;
}

function readFailure(file: string, e: unknown): Error {
  return new Error(`readText: cannot read '${file}': ${(e as Error).message}`, { cause: e });
}

/**
 * Emits the lines of `file` that start at an offset in `[from, ...)`, each
 * after `claim(offset)` returned true; stops at the first refused claim
 * (the range's end) or at the end of the file.
 */
export function readLinesFrom(
  file: string,
  from: number,
  claim: (lineStart: number) => boolean,
  emit: (line: string) => void,
  options: ReadTextOptions = {},
): RangeReadEnd {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw readFailure(file, e);
  }
  const strict = options.onInvalidUtf8 === "fail" ? new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }) : undefined;
  const decode = (bytes: Buffer, lineStart: number): string => {
    if (!strict) return bytes.toString("utf8");
    try {
      return strict.decode(bytes);
    } catch (e) {
      // The line's number counts from the start of the file, whichever part of it this read holds.
      throw new Error(
        `readText: '${file}' is not valid UTF-8 (in line ${linesBefore(fd, lineStart) + 1}); ` +
          `read it with { onInvalidUtf8: "replace" } to get U+FFFD for bad bytes`,
        { cause: e },
      );
    }
  };
  try {
    let position = from;
    const read = (): Buffer => {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let n: number;
      try {
        n = fs.readSync(fd, chunk, 0, CHUNK_BYTES, position);
      } catch (e) {
        throw readFailure(file, e);
      }
      position += n;
      return chunk.subarray(0, n);
    };
    let lineStart = from;
    let chunk: Buffer;
    let start = 0;
    if (from > 0) {
      // The line that starts at `from` is ours only if the byte before it ends a line: skip the rest of the line before.
      position = from - 1;
      for (;;) {
        chunk = read();
        if (chunk.length === 0) return { next: position, refused: false };
        const nl = chunk.indexOf(NEWLINE);
        if (nl >= 0) {
          lineStart = position - chunk.length + nl + 1;
          start = nl + 1;
          break;
        }
      }
    } else {
      chunk = read();
    }
    let pending: Buffer[] = [];
    const emitLine = (bytes: Buffer): boolean => {
      if (!claim(lineStart)) return false;
      let line = bytes;
      if (lineStart === 0 && line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
      if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      emit(decode(line, lineStart));
      lineStart += bytes.length + 1;
      return true;
    };
    while (chunk.length > 0) {
      let nl: number;
      while ((nl = chunk.indexOf(NEWLINE, start)) >= 0) {
        const bytes = pending.length > 0 ? Buffer.concat([...pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
        pending = [];
        if (!emitLine(bytes)) return { next: lineStart, refused: true };
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
      chunk = read();
      start = 0;
    }
    const last = Buffer.concat(pending);
    // A last line without a newline (a file that is only a byte order mark has none).
    if (last.length > 0 && !(lineStart === 0 && last.equals(BOM))) {
      if (!emitLine(last)) return { next: lineStart, refused: true };
      lineStart--; // no newline followed it
    }
    return { next: lineStart, refused: false };
  } finally {
    fs.closeSync(fd);
  }
}

/** How many lines end before byte `offset` of the open file `fd` (only on the error path: it reads the file up to there). */
function linesBefore(fd: number, offset: number): number {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let lines = 0;
  for (let position = 0; position < offset;) {
    const n = fs.readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, offset - position), position);
    if (n === 0) break;
    for (let i = chunk.indexOf(NEWLINE); i >= 0 && i < n; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
    position += n;
  }
  return lines;
}

/**
 * @internal Calls `emit` with each line of `file` (see the module comment).
 */
export function readLines(file: string, emit: (line: string) => void, options: ReadTextOptions = {}): void {
  readLinesFrom(file, 0, () => true, emit, options);
}
