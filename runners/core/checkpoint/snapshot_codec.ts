/**
 * Binary building blocks shared by the checkpoint formats of the
 * ReduceFnRunner, the KeyedStateStore and the TimerService.
 *
 * Why a hand-written format rather than JSON: the state holds user values
 * (written with their own coders, as bytes), times that may be `±Infinity`
 * (the watermark before any input, "no timer"), and must round-trip exactly.
 * Times are therefore IEEE-754 doubles (lossless for every JS number,
 * including `-0`, `±Infinity` and `NaN`); counts are varints; user values are
 * written with their coder in the nested context, so they are self-delimiting.
 *
 * Every top-level blob starts with a one-byte format tag (see the `*_FORMAT`
 * constants) so that a future layout can be told apart and rejected loudly
 * instead of being misread.
 */
import { ByteReader } from "../../../portability/coders/byte_reader";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import type { Coder } from "../../../portability/coders/coder";
import { GLOBAL_WINDOW, isGlobalWindow, type BoundedWindow } from "../../../model/windows";
import type { PaneInfo, PaneTiming } from "../../../model/pane";
import type { TriggerState } from "../windowing/triggers/trigger_state_machine";

/** Format tag of one key's ReduceFnRunner state. */
export const REDUCE_KEY_FORMAT = 0x52; // "R"
/** Format tag of a ReduceFnRunner's runner-level header (watermarks, clocks). */
export const REDUCE_HEADER_FORMAT = 0x48; // "H"
/** Format tag of one key's state in the single-pane (windowed aggregation fast path) ReduceFnRunner, layout version 1. */
export const SINGLE_PANE_KEY_FORMAT = 0x50; // "P"
/** Format tag of one key's open sessions in the session-window fast path ReduceFnRunner, layout version 1. */
export const SESSION_KEY_FORMAT = 0x4d; // "M" (merging)
/** Format tag of one namespace's KeyedStateStore cells. */
export const STATE_NAMESPACE_FORMAT = 0x53; // "S"
/** Format tag of one namespace's TimerService timers and expiry. */
export const TIMER_NAMESPACE_FORMAT = 0x54; // "T"

/** Thrown when checkpoint bytes cannot be read back (wrong tag, truncated, trailing bytes). */
export class CheckpointFormatError extends Error {
  /** @param message what is wrong, naming the blob or file. */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointFormatError";
  }
}

/** A fresh writer whose first byte is `tag`. */
export function startBlob(tag: number): ByteWriter {
  const w = new ByteWriter(256);
  w.writeByte(tag);
  return w;
}

/** A reader over `bytes` after checking the format tag; `what` names the blob in errors. */
export function openBlob(bytes: Uint8Array, tag: number, what: string): ByteReader {
  if (bytes.length === 0 || bytes[0] !== tag) {
    throw new CheckpointFormatError(`${what}: not a checkpoint blob of this kind (format tag ${bytes[0] ?? "missing"}, expected ${tag})`);
  }
  const r = new ByteReader(bytes);
  r.readByte();
  return r;
}

/** Fails when a blob has bytes left over: they would mean a layout mismatch that silently lost data. */
export function closeBlob(r: ByteReader, what: string): void {
  if (!r.atEnd) throw new CheckpointFormatError(`${what}: ${r.remaining} trailing bytes; the blob was written by another layout`);
}

/** A time (any JS number, `±Infinity` included) as a big-endian double. */
export function writeTime(w: ByteWriter, t: number): void {
  w.writeDoubleBE(t);
}

/** Reads a {@link writeTime}. */
export function readTime(r: ByteReader): number {
  return r.readDoubleBE();
}

/** An optional time: a presence byte, then the double. */
export function writeOptionalTime(w: ByteWriter, t: number | undefined): void {
  if (t === undefined) w.writeByte(0);
  else {
    w.writeByte(1);
    w.writeDoubleBE(t);
  }
}

/** Reads a {@link writeOptionalTime}. */
export function readOptionalTime(r: ByteReader): number | undefined {
  return r.readByte() === 0 ? undefined : r.readDoubleBE();
}

/**
 * A window: with `coder` when the runner was given one (custom window
 * types), else the built-in form for the two window kinds of the SDK: tag 0
 * for the global window, tag 1 then start and end as doubles (exact for any
 * bound, unlike the int64 wire form near Beam's limits).
 */
export function writeWindow(w: ByteWriter, window: BoundedWindow, coder: Coder<BoundedWindow> | undefined): void {
  if (coder) {
    coder.encode(window, w, "nested");
    return;
  }
  if (isGlobalWindow(window)) w.writeByte(0);
  else {
    w.writeByte(1);
    w.writeDoubleBE(window.start);
    w.writeDoubleBE(window.end);
  }
}

/** Reads a {@link writeWindow}; the global window comes back as the shared `GLOBAL_WINDOW`. */
export function readWindow(r: ByteReader, coder: Coder<BoundedWindow> | undefined): BoundedWindow {
  if (coder) {
    const w = coder.decode(r, "nested");
    // Runners compare the global window by identity in places: give back the shared instance.
    return isGlobalWindow(w) ? GLOBAL_WINDOW : w;
  }
  const tag = r.readByte();
  if (tag === 0) return GLOBAL_WINDOW;
  if (tag !== 1) throw new CheckpointFormatError(`unknown window tag ${tag}`);
  const start = r.readDoubleBE();
  const end = r.readDoubleBE();
  return { start, end };
}

const TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];

/**
 * A pane info, every field explicit: unlike Beam's wire form (which implies
 * indices) this keeps millrace's `onTimeIndex` of early panes as it was.
 */
export function writePaneInfo(w: ByteWriter, p: PaneInfo): void {
  w.writeByte((p.isFirst ? 1 : 0) | (p.isLast ? 2 : 0) | (TIMINGS.indexOf(p.timing) << 2));
  w.writeDoubleBE(p.index);
  w.writeDoubleBE(p.onTimeIndex);
}

/** Reads a {@link writePaneInfo}. */
export function readPaneInfo(r: ByteReader): PaneInfo {
  const b = r.readByte();
  const timing = TIMINGS[(b >> 2) & 3]!;
  const index = r.readDoubleBE();
  const onTimeIndex = r.readDoubleBE();
  return { isFirst: (b & 1) !== 0, isLast: (b & 2) !== 0, timing, index, onTimeIndex };
}

/**
 * A trigger state tree. It is plain data (finished bit, count, processing-time
 * deadline, children); written in binary rather than JSON because
 * `delayedUntil` may be `undefined` and deadlines may be non-finite.
 */
export function writeTriggerState(w: ByteWriter, s: TriggerState): void {
  w.writeByte((s.finished ? 1 : 0) | (s.delayedUntil !== undefined ? 2 : 0));
  w.writeDoubleBE(s.count);
  if (s.delayedUntil !== undefined) w.writeDoubleBE(s.delayedUntil);
  w.writeVarint(s.children.length);
  for (const c of s.children) writeTriggerState(w, c);
}

/** Reads a {@link writeTriggerState}. */
export function readTriggerState(r: ByteReader): TriggerState {
  const flags = r.readByte();
  const count = r.readDoubleBE();
  const delayedUntil = (flags & 2) !== 0 ? r.readDoubleBE() : undefined;
  const n = r.readVarint();
  const children: TriggerState[] = [];
  for (let i = 0; i < n; i++) children.push(readTriggerState(r));
  return { finished: (flags & 1) !== 0, count, delayedUntil, children };
}

/** Checks that a restored trigger tree has the shape of the runner's trigger (same spec), since a mismatch would crash later far from the cause. */
export function sameTriggerShape(a: TriggerState, b: TriggerState): boolean {
  return a.children.length === b.children.length && a.children.every((c, i) => sameTriggerShape(c, b.children[i]!));
}

/** Applies a delta (`null` = removed) over a full map of per-key blobs, in place; returns the map. Runners use it to rebuild the state to restore from a snapshot and its deltas. */
export function applyDelta<V>(base: Map<string, V>, delta: ReadonlyMap<string, V | null>): Map<string, V> {
  for (const [k, v] of delta) {
    if (v === null) base.delete(k);
    else base.set(k, v);
  }
  return base;
}

/**
 * A map of named blobs (per-key or per-namespace snapshots) as one buffer:
 * far cheaper to keep, send and write than a structured clone of a Map of
 * many small arrays.
 */
export function encodeBlobMap(map: ReadonlyMap<string, Uint8Array>): Uint8Array {
  let size = 16;
  for (const [k, v] of map) size += k.length * 3 + v.length + 10;
  const w = new ByteWriter(size);
  w.writeVarint(map.size);
  for (const [k, v] of map) {
    w.writeUtf8Nested(k);
    w.writeBytesNested(v);
  }
  return w.finish();
}

/** Reads an {@link encodeBlobMap} buffer. */
export function decodeBlobMap(bytes: Uint8Array): Map<string, Uint8Array> {
  const r = new ByteReader(bytes);
  const n = r.readVarint();
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const k = r.readUtf8Nested();
    out.set(k, r.readBytesNested());
  }
  closeBlob(r, "blob map");
  return out;
}
