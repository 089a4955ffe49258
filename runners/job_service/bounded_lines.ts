/**
 * A job's stdout or stderr, split into lines with limits, because a job is
 * untrusted: a line that never ends (640 MB printed without a newline) must
 * not be gathered into one string (V8 throws "Invalid string length" past
 * ~512 MB, and the service would die with all its jobs), and a job that
 * prints without end must not fill the service's memory or log. A line
 * longer than the limit is cut, with a note of how much was cut; past the
 * total limit the rest of the stream is read and dropped, with one note.
 * Bytes are counted, not characters, so a limit is a memory bound.
 */
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";

/** The default limit on one line, bytes. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** The default limit on everything read from one stream of a job, bytes. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Limits on what is read from a job's stream. */
export interface OutputLimits {
  /** The longest line kept, bytes; the rest of a longer line is dropped. */
  readonly maxLineBytes?: number;
  /** The most bytes of the stream turned into lines; the rest is dropped. */
  readonly maxTotalBytes?: number;
}

/**
 * Calls `onLine` with each line of `input` (without its newline; a last line
 * without one too), within `limits`, and resolves when the stream has ended
 * and every line was delivered. Never throws; a stream error ends it.
 */
export function readBoundedLines(input: Readable, onLine: (line: string) => void, limits: OutputLimits = {}): Promise<void> {
  const maxLine = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const maxTotal = limits.maxTotalBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const decoder = new StringDecoder("utf8");
  let kept: Buffer[] = [];
  let keptBytes = 0;
  let cutBytes = 0;
  let total = 0;
  let exhausted = false;

  const emit = (): void => {
    let line = decoder.write(Buffer.concat(kept, keptBytes)) + decoder.end();
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (cutBytes > 0) line += ` [... ${cutBytes} more bytes of this line cut: lines are limited to ${maxLine} bytes]`;
    kept = [];
    keptBytes = 0;
    cutBytes = 0;
    onLine(line);
  };
  const take = (piece: Buffer): void => {
    const room = maxLine - keptBytes;
    if (piece.length <= room) {
      kept.push(piece);
      keptBytes += piece.length;
    } else {
      if (room > 0) kept.push(piece.subarray(0, room));
      keptBytes += Math.max(0, room);
      cutBytes += piece.length - Math.max(0, room);
    }
  };
  const onChunk = (chunk: Buffer): void => {
    if (exhausted) return;
    let data = chunk;
    if (total + data.length > maxTotal) {
      data = data.subarray(0, maxTotal - total);
      exhausted = true;
    }
    total += data.length;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      take(data.subarray(start, nl));
      emit();
      start = nl + 1;
    }
    if (start < data.length) take(data.subarray(start));
    if (exhausted) {
      if (keptBytes > 0 || cutBytes > 0) emit();
      onLine(`[output beyond ${maxTotal} bytes dropped: a job's output is limited to ${maxTotal} bytes per stream]`);
    }
  };
  return new Promise((resolve) => {
    const finish = (): void => {
      input.off("data", guarded);
      if (!exhausted && (keptBytes > 0 || cutBytes > 0)) emit();
      resolve();
    };
    // A listener that throws would be an uncaught exception in the service: a bad line is reported, never thrown.
    const guarded = (chunk: Buffer | string): void => {
      try {
        onChunk(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      } catch (e) {
        exhausted = true;
        try {
          onLine(`[output dropped after an error reading it: ${e instanceof Error ? e.message : String(e)}]`);
        } catch {
          // Nothing more can be said.
        }
      }
    };
    input.on("data", guarded);
    input.once("end", finish);
    input.once("close", finish);
    input.once("error", finish);
  });
}
