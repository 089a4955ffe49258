/**
 * Beam's `beam:coder:interval_window:v1`: the end (exclusive) as a timestamp,
 * then varint(end - start). End first so encoded windows sort by end.
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";
import type { IntervalWindow } from "../../../model/windows";
import { int64ToTimestamp, timestampToInt64 } from "../../../model/time";
import { readTimestampExact, writeTimestamp } from "./timestamp";

/** True when `x` has numeric `start` and `end`. */
export function isIntervalWindow(x: unknown): x is IntervalWindow {
  return (
    typeof x === "object" && x !== null && typeof (x as IntervalWindow).start === "number" && typeof (x as IntervalWindow).end === "number"
  );
}

/** Codes {@link IntervalWindow}s. */
export class IntervalWindowCoder implements Coder<IntervalWindow> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.INTERVAL_WINDOW;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: IntervalWindow, writer: ByteWriter): void {
    if (!isIntervalWindow(value) || !(value.end >= value.start)) {
      throw new CoderError(this.urn, "expected an interval window {start, end} with start <= end", value);
    }
    const { start, end } = value;
    writeTimestamp(writer, end);
    const span = end - start;
    if (Number.isSafeInteger(span) && Number.isSafeInteger(end)) {
      writer.writeVarint(span);
    } else {
      // Near Beam's bounds doubles are not exact; take the span of the exact int64 bounds.
      writer.writeVarint(timestampToInt64(end) - timestampToInt64(start));
    }
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): IntervalWindow {
    const offset = reader.position;
    const end = readTimestampExact(reader);
    const span = reader.readVarintNumberOrBig();
    if (span < 0) throw new CoderError(this.urn, `negative window span ${span} at offset ${offset}`);
    if (typeof end === "number" && typeof span === "number") {
      const start = end - span;
      if (Number.isSafeInteger(start)) return { start, end };
    }
    // Near Beam's bounds, do the arithmetic exactly in int64 before rounding.
    const endBig = BigInt(end);
    return { start: int64ToTimestamp(endBig - BigInt(span)), end: int64ToTimestamp(endBig) };
  }
}
