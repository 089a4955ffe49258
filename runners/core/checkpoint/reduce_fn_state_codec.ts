/**
 * The bytes of a ReduceFnRunner's checkpoint: one blob per key and a
 * runner-level header (see snapshot_codec.ts for the primitives). The runner
 * decides what to snapshot and installs what is restored; this file only
 * writes and reads.
 *
 * One key's blob: u8 REDUCE_KEY_FORMAT, key (key coder, nested), varint
 * #slots, then per slot in the key's window order (which merging iterates,
 * so it is kept): window, u8 flags (1 closed, 2 hasAcc), varint
 * newElements, optional element hold, optional extra hold, u8 hasLastPane
 * [pane], double lastNonSpeculative, buffer mode: varint #values + values
 * (value coder, nested) / combine mode: [accumulator (accumulator coder,
 * nested)], trigger state tree, varint #event timers + (double time, double
 * seq), varint #processing timers + (double time, double seq).
 *
 * The header: u8 REDUCE_HEADER_FORMAT, doubles input watermark, output
 * watermark, processing time, timer counter, dropped-closed count.
 */
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import { decodeFromBytes, type Coder } from "../../../portability/coders/coder";
import type { ByteReader } from "../../../portability/coders/byte_reader";
import type { TriggerState } from "../windowing/triggers/trigger_state_machine";
import type { KeyState } from "../windowing/reduce_fn_state";
import {
  CheckpointFormatError,
  REDUCE_HEADER_FORMAT,
  REDUCE_KEY_FORMAT,
  closeBlob,
  openBlob,
  readOptionalTime,
  readPaneInfo,
  readTime,
  readTriggerState,
  readWindow,
  sameTriggerShape,
  startBlob,
  writeOptionalTime,
  writePaneInfo,
  writeTime,
  writeTriggerState,
  writeWindow,
} from "./snapshot_codec";

/** How a runner's keys, windows and buffered values or accumulators are coded. */
export interface ReduceStateCoders {
  readonly keyCoder: Coder<unknown>;
  readonly windowCoder: Coder<BoundedWindow> | undefined;
  /** The value coder (buffer mode) or the accumulator coder (combine mode). */
  readonly stateCoder: Coder<unknown>;
  /** Combine mode: slots hold an accumulator rather than values. */
  readonly combining: boolean;
}

/** A slot as read from a checkpoint, before the runner installs it. */
export interface RestoredSlot {
  readonly window: BoundedWindow;
  readonly closed: boolean;
  readonly hasAcc: boolean;
  readonly newElements: number;
  readonly elementHold: number | undefined;
  readonly extraHold: number | undefined;
  readonly lastPane: PaneInfo | undefined;
  readonly lastNonSpeculative: number;
  readonly acc: unknown;
  readonly values: unknown[];
  readonly trigger: TriggerState;
  /** [time, order set] of each pending timer. */
  readonly eventTimers: readonly (readonly [number, number])[];
  readonly processingTimers: readonly (readonly [number, number])[];
}

/** The runner-level part of a checkpoint. */
export interface ReduceRunnerHeader {
  readonly inputWatermark: number;
  readonly outputWatermark: number;
  readonly processingTime: number;
  readonly timerSeq: number;
  readonly droppedDueToClosedWindow: number;
}

/** The key a key identity (`identityOf`) stands for: a string key's own text, or the key decoded from its nested encoding. */
export function keyOfIdentity(identity: string, keyCoder: Coder<unknown>, transform: string): unknown {
  if (identity.startsWith("s")) return identity.slice(1);
  if (identity.startsWith("b")) return decodeFromBytes(keyCoder, Buffer.from(identity.slice(1), "latin1"), "nested");
  throw new Error(`ReduceFnRunner '${transform}': '${identity.slice(0, 40)}' is not a key identity`);
}

/** One key's blob. */
export function encodeKeyState(ks: KeyState, coders: ReduceStateCoders): Uint8Array {
  const w = startBlob(REDUCE_KEY_FORMAT);
  coders.keyCoder.encode(ks.key, w, "nested");
  w.writeVarint(ks.windows.size);
  for (const slot of ks.windows.values()) {
    writeWindow(w, slot.window, coders.windowCoder);
    w.writeByte((slot.closed ? 1 : 0) | (slot.hasAcc ? 2 : 0));
    w.writeVarint(slot.newElements);
    writeOptionalTime(w, slot.elementHold);
    writeOptionalTime(w, slot.extraHold);
    w.writeByte(slot.lastPane ? 1 : 0);
    if (slot.lastPane) writePaneInfo(w, slot.lastPane);
    writeTime(w, slot.lastNonSpeculative);
    if (coders.combining) {
      if (slot.hasAcc) coders.stateCoder.encode(slot.acc, w, "nested");
    } else {
      w.writeVarint(slot.values.length);
      for (const v of slot.values) coders.stateCoder.encode(v, w, "nested");
    }
    writeTriggerState(w, slot.trigger);
    for (const [timers, seqs] of [
      [slot.eventTimers, slot.eventSeq],
      [slot.processingTimers, slot.processingSeq],
    ] as const) {
      w.writeVarint(timers.size);
      for (const t of timers) {
        writeTime(w, t);
        writeTime(w, seqs.get(t) ?? 0);
      }
    }
  }
  return w.finish();
}

/**
 * Reads one key's blob. `onKey` sees the key before its slots are read (so
 * that a blob stored under the wrong identity is refused first); each slot's
 * trigger state must have the shape of `emptyTrigger`.
 *
 * @throws CheckpointFormatError on bytes of another layout or a different trigger shape.
 */
export function decodeKeyState(
  bytes: Uint8Array,
  coders: ReduceStateCoders,
  what: string,
  emptyTrigger: TriggerState,
  onKey: (key: unknown) => void,
): RestoredSlot[] {
  const r = openBlob(bytes, REDUCE_KEY_FORMAT, what);
  onKey(coders.keyCoder.decode(r, "nested"));
  const n = r.readVarint();
  const slots: RestoredSlot[] = [];
  for (let i = 0; i < n; i++) slots.push(decodeSlot(r, coders, what, emptyTrigger));
  closeBlob(r, what);
  return slots;
}

function decodeSlot(r: ByteReader, coders: ReduceStateCoders, what: string, emptyTrigger: TriggerState): RestoredSlot {
  const window = readWindow(r, coders.windowCoder);
  const flags = r.readByte();
  const hasAcc = (flags & 2) !== 0;
  const newElements = r.readVarint();
  const elementHold = readOptionalTime(r);
  const extraHold = readOptionalTime(r);
  const lastPane = r.readByte() === 1 ? readPaneInfo(r) : undefined;
  const lastNonSpeculative = readTime(r);
  let acc: unknown;
  const values: unknown[] = [];
  if (coders.combining) {
    if (hasAcc) acc = coders.stateCoder.decode(r, "nested");
  } else {
    const n = r.readVarint();
    for (let i = 0; i < n; i++) values.push(coders.stateCoder.decode(r, "nested"));
  }
  const trigger = readTriggerState(r);
  if (!sameTriggerShape(trigger, emptyTrigger))
    throw new CheckpointFormatError(`${what}: the trigger state does not fit this runner's trigger (different windowing strategy?)`);
  const readTimers = (): [number, number][] => {
    const n = r.readVarint();
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) out.push([readTime(r), readTime(r)]);
    return out;
  };
  const eventTimers = readTimers();
  const processingTimers = readTimers();
  return {
    window,
    closed: (flags & 1) !== 0,
    hasAcc,
    newElements,
    elementHold,
    extraHold,
    lastPane,
    lastNonSpeculative,
    acc,
    values,
    trigger,
    eventTimers,
    processingTimers,
  };
}

/** The header blob. */
export function encodeRunnerHeader(h: ReduceRunnerHeader): Uint8Array {
  const w = startBlob(REDUCE_HEADER_FORMAT);
  writeTime(w, h.inputWatermark);
  writeTime(w, h.outputWatermark);
  writeTime(w, h.processingTime);
  writeTime(w, h.timerSeq);
  writeTime(w, h.droppedDueToClosedWindow);
  return w.finish();
}

/** Reads a header blob. @throws CheckpointFormatError on bytes of another layout. */
export function decodeRunnerHeader(bytes: Uint8Array, what: string): ReduceRunnerHeader {
  const r = openBlob(bytes, REDUCE_HEADER_FORMAT, what);
  const h: ReduceRunnerHeader = {
    inputWatermark: readTime(r),
    outputWatermark: readTime(r),
    processingTime: readTime(r),
    timerSeq: readTime(r),
    droppedDueToClosedWindow: readTime(r),
  };
  closeBlob(r, what);
  return h;
}
