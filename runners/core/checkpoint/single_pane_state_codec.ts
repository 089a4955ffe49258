/**
 * The bytes of one key's state in the single-pane ReduceFnRunner
 * (`windowing/single_pane_reduce_runner.ts`), the windowed-aggregation fast
 * path. Its own layout, because the fast path keeps no trigger state, pane
 * history or timers (they are implied by the window). The tags differ, so a
 * blob is never misread as the other layout: the general runner refuses this
 * one with a clear error (a checkpoint taken on the fast path needs the fast
 * path to restore, i.e. not MILLRACE_WINDOW_FAST_PATH=false).
 *
 * Layout: u8 SINGLE_PANE_KEY_FORMAT, key (key coder, nested), varint #windows,
 * then per window: window, optional element hold, optional extra (GC) hold,
 * combine mode: u8 hasAcc [accumulator (accumulator coder, nested)] /
 * buffer mode: varint #values + values (value coder, nested).
 * The runner-level header is the general runner's (`reduce_fn_state_codec.ts`).
 *
 * A checkpoint written by the general runner for a strategy the fast path now
 * takes (say, by a build from before the fast path) is read too
 * ({@link decodeSinglePaneKeyOrGeneral}), so retained checkpoints survive an
 * upgrade; the general runner does not read this layout.
 */
import type { BoundedWindow } from "../../../model/windows";
import { decodeKeyState, type ReduceStateCoders } from "./reduce_fn_state_codec";
import type { TriggerState } from "../windowing/triggers/trigger_state_machine";
import {
  CheckpointFormatError,
  REDUCE_KEY_FORMAT,
  SINGLE_PANE_KEY_FORMAT,
  closeBlob,
  openBlob,
  readOptionalTime,
  readWindow,
  startBlob,
  writeOptionalTime,
  writeWindow,
} from "./snapshot_codec";
import { readPaneContents, writePaneContents } from "./pane_contents_codec";

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
    writePaneContents(w, slot.hasAcc, slot.state, coders);
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
    const { hasAcc, state } = readPaneContents(r, coders);
    slots.push({ window, elementHold, extraHold, hasAcc, state });
  }
  closeBlob(r, what);
  return { key, slots };
}

/**
 * Reads one key's blob in this layout or in the general runner's. A general
 * blob must hold only what the fast path can: windows that have not fired
 * (no pane emitted, not closed); `emptyTrigger` is the strategy's fresh
 * trigger state, which the general layout's trigger states must match.
 *
 * @throws CheckpointFormatError on bytes of neither layout, or general state the fast path cannot continue.
 */
export function decodeSinglePaneKeyOrGeneral(
  bytes: Uint8Array,
  coders: ReduceStateCoders,
  what: string,
  emptyTrigger: () => TriggerState,
): { key: unknown; slots: SinglePaneSlotState[] } {
  if (bytes[0] !== REDUCE_KEY_FORMAT) return decodeSinglePaneKey(bytes, coders, what);
  let key: unknown;
  const general = decodeKeyState(bytes, coders, what, emptyTrigger(), (k) => (key = k));
  const slots = general.map((g): SinglePaneSlotState => {
    if (g.closed || g.lastPane !== undefined)
      throw new CheckpointFormatError(
        `${what}: a window that already fired, which this windowing strategy cannot have (different strategy?)`,
      );
    return {
      window: g.window,
      elementHold: g.elementHold,
      extraHold: g.extraHold,
      hasAcc: g.hasAcc,
      state: coders.combining ? g.acc : g.values,
    };
  });
  return { key, slots };
}
