/**
 * Lines of text as a file format: the encoder behind `writeText` (each
 * element one line followed by `\n`) and the line splitting shared by the
 * line-based formats (JSON lines, CSV rows come from their own parser).
 */
import { asLine, WRITE_CHUNK_CHARS } from "../file_commit";
import type { RecordEncoder } from "./file_format";

/**
 * An encoder of lines: `toLine` turns a record into its text (and throws on
 * a record the format refuses). Bytes are handed out in chunks of about
 * {@link WRITE_CHUNK_CHARS} characters, so a large file is never held whole.
 */
export function lineEncoder(toLine: (record: unknown) => string, header?: string): RecordEncoder {
  let chunk = header ?? "";
  return {
    write(record) {
      chunk += toLine(record) + "\n";
      if (chunk.length < WRITE_CHUNK_CHARS) return undefined;
      const bytes = Buffer.from(chunk, "utf8");
      chunk = "";
      return bytes;
    },
    finish() {
      const bytes = Buffer.from(chunk, "utf8");
      chunk = "";
      return bytes;
    },
  };
}

/** The encoder of `writeText`: every element must be a string, written as one line. */
export function textEncoder(): RecordEncoder {
  return lineEncoder(asLine);
}

/**
 * Calls `emit` with each line of a decoded file and its 1-based number:
 * split on `\n`, a trailing `\r` removed, a UTF-8 byte order mark skipped, no
 * empty line after a final newline.
 */
export function forEachLine(bytes: Buffer, emit: (line: string, lineNumber: number) => void): void {
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let start = 0;
  let n = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    emit(line.endsWith("\r") ? line.slice(0, -1) : line, ++n);
    start = end + 1;
  }
}
