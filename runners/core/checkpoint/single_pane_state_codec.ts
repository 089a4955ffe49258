/**
 * The bytes of one key's state in the single-pane ReduceFnRunner
 * (`windowing/single_pane_reduce_runner.ts`), the windowed-aggregation fast
 * path. Its own layout, because the fast path keeps no trigger state, pane
 * history or timers (they are implied by the window); a blob of the general
 * runner's layout is refused with a clear error rather than misread, and the
 * other way round (the tags differ).
 *
 * Layout: u8 SINGLE_PANE_KEY_FORMAT, key (key coder, nested), varint #windows,
 * then per window: window, optional element hold, optional extra (GC) hold,
 * combine mode: u8 hasAcc [accumulator (accumulator coder, nested)] /
 * buffer mode: varint #values + values (value coder, nested).
 * The runner-level header is the general runner's (`reduce_fn_state_codec.ts`).
 */
import type { BoundedWindow } from "../../../model/windows";
import type { ReduceStateCoders } from "./reduce_fn_state_codec";
import {
  SINGLE_PANE_KEY_FORMAT,
  closeBlob,
  openBlob,
  readOptionalTime,
  readWindow,
  startBlob,
  writeOptionalTime,
  writeWindow,
} from "./snapshot_codec";

/** One key's state in one window, as written and read. */
export interface SinglePaneSlotState {
  readonly window: BoundedWindow;
  readonly elementHold: number | undefined;
  readonly extraHold: number | undefined;
  /** Combine mode: whether `state` holds an accumulator. */
  readonly hasAcc: boolean;
  /** Combine mode: the accumulator; buffer mode: the values array. */
  readonly state: unknown;
}

/** One key's blob. */
export function encodeSinglePaneKey(key: unknown, slots: readonly SinglePaneSlotState[], coders: ReduceStateCoders): Uint8Array {
  const w = startBlob(SINGLE_PANE_KEY_FORMAT);
  coders.keyCoder.encode(key, w, "nested");
  w.writeVarint(slots.length);
  for (const slot of slots) {
    writeWindow(w, slot.window, coders.windowCoder);
    writeOptionalTime(w, slot.elementHold);
    writeOptionalTime(w, slot.extraHold);
    if (coders.combining) {
      w.writeByte(slot.hasAcc ? 1 : 0);
      if (slot.hasAcc) coders.stateCoder.encode(slot.state, w, "nested");
    } else {
      const values = slot.state as readonly unknown[];
      w.writeVarint(values.length);
      for (const v of values) coders.stateCoder.encode(v, w, "nested");
    }
  }
  return w.finish();
}

/**
 * Reads one key's blob.
 *
 * @throws CheckpointFormatError on bytes of another layout (the general runner's included).
 */
export function decodeSinglePaneKey(
  bytes: Uint8Array,
  coders: ReduceStateCoders,
  what: string,
): { key: unknown; slots: SinglePaneSlotState[] } {
  const r = openBlob(bytes, SINGLE_PANE_KEY_FORMAT, what);
  const key = coders.keyCoder.decode(r, "nested");
  const n = r.readVarint();
  const slots: SinglePaneSlotState[] = [];
  for (let i = 0; i < n; i++) {
    const window = readWindow(r, coders.windowCoder);
    const elementHold = readOptionalTime(r);
    const extraHold = readOptionalTime(r);
    let hasAcc = false;
    let state: unknown;
    if (coders.combining) {
      hasAcc = r.readByte() === 1;
      if (hasAcc) state = coders.stateCoder.decode(r, "nested");
    } else {
      const count = r.readVarint();
      const values: unknown[] = [];
      for (let j = 0; j < count; j++) values.push(coders.stateCoder.decode(r, "nested"));
      state = values;
    }
    slots.push({ window, elementHold, extraHold, hasAcc, state });
  }
  closeBlob(r, what);
  return { key, slots };
}
