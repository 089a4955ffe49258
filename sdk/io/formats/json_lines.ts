/**
 * JSON lines (https://jsonlines.org): one JSON value per line, UTF-8.
 * `JSON.parse`/`JSON.stringify` do all the work; what is here is the
 * framing and the errors that name the file and line.
 */
import type { FileDecoder, RecordEncoder } from "./file_format";
import { forEachLine, lineEncoder } from "./text_format";

/** The text of a record as one JSON line; a value JSON cannot hold (undefined, a function, a BigInt, a cycle) is refused. */
function toJsonLine(record: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(record);
  } catch (e) {
    throw new TypeError(`writeJson: the element cannot be written as JSON: ${(e as Error).message}`, { cause: e });
  }
  if (text === undefined) throw new TypeError(`writeJson: the element cannot be written as JSON (it is ${typeof record})`);
  return text;
}

/** The encoder of `writeJson`. */
export function jsonLinesEncoder(): RecordEncoder {
  return lineEncoder(toJsonLine);
}

/**
 * The decoder of `readJson`: each non-blank line parsed as JSON. A line that
 * is not JSON is a bad record (file, line, text and the parser's message).
 */
export const decodeJsonLines: FileDecoder = (bytes, file, out) => {
  forEachLine(bytes, (line, lineNumber) => {
    if (line.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      out.bad({ file, line: lineNumber, text: line, error: (e as Error).message });
      return;
    }
    out.record(value);
  });
};
