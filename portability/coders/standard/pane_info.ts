/**
 * Beam's pane info wire form: one tag byte, then zero, one or two varint
 * indices. Not a coder URN in Beam; windowed values and timers embed it.
 *
 * Tag byte: `(encoding << 4) | (timing << 2) | (isLast << 1) | isFirst`.
 * Encoding 0 carries no index, 1 one index (the on-time index is implied),
 * 2 both indices.
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { NO_FIRING, type PaneInfo, type PaneTiming } from "../../../model/pane";

const TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];
const TIMING_CODE: Readonly<Record<PaneTiming, number>> = { EARLY: 0, ON_TIME: 1, LATE: 2, UNKNOWN: 3 };

// Index-free panes are shared, so decoding the common case allocates nothing.
const FIRST_PANES: PaneInfo[] = [];
for (let tag = 0; tag < 16; tag++) {
  FIRST_PANES.push(
    tag === 0x0f
      ? NO_FIRING
      : Object.freeze({
          isFirst: (tag & 1) !== 0,
          isLast: (tag & 2) !== 0,
          timing: TIMINGS[tag >> 2],
          index: 0,
          onTimeIndex: 0,
        }),
  );
}

/** True when `x` has the fields of a {@link PaneInfo}. */
export function isPaneInfo(x: unknown): x is PaneInfo {
  if (typeof x !== "object" || x === null) return false;
  const p = x as PaneInfo;
  return (
    typeof p.isFirst === "boolean" &&
    typeof p.isLast === "boolean" &&
    TIMING_CODE[p.timing] !== undefined &&
    Number.isSafeInteger(p.index) &&
    Number.isSafeInteger(p.onTimeIndex)
  );
}

/**
 * Writes a pane, choosing the shortest encoding the way Beam's SDKs do (so
 * the bytes match theirs): unknown timing and first panes carry no index;
 * an early pane or one whose two indices agree carries one.
 */
export function writePane(writer: ByteWriter, pane: PaneInfo): void {
  const base = (TIMING_CODE[pane.timing] << 2) | (pane.isLast ? 2 : 0) | (pane.isFirst ? 1 : 0);
  if ((pane.index === 0 && pane.onTimeIndex === 0) || pane.timing === "UNKNOWN") {
    writer.writeByte(base);
  } else if (pane.index === pane.onTimeIndex || pane.timing === "EARLY") {
    writer.writeByte(0x10 | base);
    writer.writeVarint(pane.index);
  } else {
    writer.writeByte(0x20 | base);
    writer.writeVarint(pane.index);
    writer.writeVarint(pane.onTimeIndex);
  }
}

/**
 * Reads a pane. Java and Python use -1 as the on-time index of early panes;
 * millrace uses 0, so negative on-time indices of early panes become 0.
 */
export function readPane(reader: ByteReader): PaneInfo {
  const offset = reader.position;
  const tag = reader.readByte();
  const encoding = tag >> 4;
  if (encoding === 0) return FIRST_PANES[tag];
  const isFirst = (tag & 1) !== 0;
  const isLast = (tag & 2) !== 0;
  const timing = TIMINGS[(tag >> 2) & 3];
  if (encoding === 1) {
    const index = reader.readVarint();
    return { isFirst, isLast, timing, index, onTimeIndex: timing === "EARLY" ? 0 : index };
  }
  if (encoding === 2) {
    const index = reader.readVarint();
    let onTimeIndex = reader.readVarint();
    if (timing === "EARLY" && onTimeIndex < 0) onTimeIndex = 0;
    return { isFirst, isLast, timing, index, onTimeIndex };
  }
  throw new Error(`bad pane encoding ${encoding} in tag byte 0x${tag.toString(16)} at offset ${offset}`);
}
