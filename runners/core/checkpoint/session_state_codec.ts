/**
 * The bytes of one key's state in the session-window fast path
 * (`windowing/session_reduce_runner.ts`). Its own layout, because that path
 * keeps per session only its bounds, holds, the order its end-of-window
 * timer was set in (ties between sessions of different keys that end and
 * start together fire in that order, as in the general runner) and the
 * accumulator or values; no trigger state, pane history or timers. The tag
 * differs from the general runner's, so neither misreads the other's blob:
 * a checkpoint taken on this path needs this path to restore (i.e. not
 * MILLRACE_WINDOW_FAST_PATH=false). The general runner's blobs of the same
 * strategy (say, retained from a build before this path) are read too
 * ({@link decodeSessionKeyOrGeneral}), so such checkpoints survive the upgrade.
 *
 * Layout: u8 SESSION_KEY_FORMAT, key (key coder, nested), varint #sessions,
 * then per session (by start): start, end (doubles), optional element hold,
 * optional extra (GC) hold, timer order (double), then combine mode: u8
 * hasAcc [accumulator (accumulator coder, nested)] / buffer mode: varint
 * #values + values (value coder, nested).
 * The runner-level header is the general runner's (`reduce_fn_state_codec.ts`).
 */
import { decodeKeyState, type ReduceStateCoders } from "./reduce_fn_state_codec";
import type { TriggerState } from "../windowing/triggers/trigger_state_machine";
import { isGlobalWindow } from "../../../model/windows";
import {
  CheckpointFormatError,
  REDUCE_KEY_FORMAT,
  SESSION_KEY_FORMAT,
  closeBlob,
  openBlob,
  readOptionalTime,
  readTime,
  startBlob,
  writeOptionalTime,
  writeTime,
} from "./snapshot_codec";
import { readPaneContents, writePaneContents } from "./pane_contents_codec";

/** One open session of a key, as written and read. */
export interface SessionState {
  readonly start: number;
  readonly end: number;
  readonly elementHold: number | undefined;
  readonly extraHold: number | undefined;
  /** The order in which the session's end-of-window timer was set (runner-wide counter). */
  readonly timerSeq: number;
  /** Combine mode: whether `state` holds an accumulator. */
  readonly hasAcc: boolean;
  /** Combine mode: the accumulator; buffer mode: the values array. */
  readonly state: unknown;
}

/** One key's blob. */
export function encodeSessionKey(key: unknown, sessions: readonly SessionState[], coders: ReduceStateCoders): Uint8Array {
  const w = startBlob(SESSION_KEY_FORMAT);
  coders.keyCoder.encode(key, w, "nested");
  w.writeVarint(sessions.length);
  for (const s of sessions) {
    writeTime(w, s.start);
    writeTime(w, s.end);
    writeOptionalTime(w, s.elementHold);
    writeOptionalTime(w, s.extraHold);
    writeTime(w, s.timerSeq);
    writePaneContents(w, s.hasAcc, s.state, coders);
  }
  return w.finish();
}

/**
 * Reads one key's blob.
 *
 * @throws CheckpointFormatError on bytes of another layout (the general runner's included) or sessions out of order.
 */
export function decodeSessionKey(bytes: Uint8Array, coders: ReduceStateCoders, what: string): { key: unknown; sessions: SessionState[] } {
  const r = openBlob(bytes, SESSION_KEY_FORMAT, what);
  const key = coders.keyCoder.decode(r, "nested");
  const n = r.readVarint();
  const sessions: SessionState[] = [];
  for (let i = 0; i < n; i++) {
    const start = readTime(r);
    const end = readTime(r);
    const elementHold = readOptionalTime(r);
    const extraHold = readOptionalTime(r);
    const timerSeq = readTime(r);
    const { hasAcc, state } = readPaneContents(r, coders);
    sessions.push({ start, end, elementHold, extraHold, timerSeq, hasAcc, state });
  }
  closeBlob(r, what);
  checkOrdered(sessions, what);
  return { key, sessions };
}

/**
 * Reads one key's blob in this layout or in the general runner's. A general
 * blob must hold only what this path can continue: session windows that
 * have not fired (no pane emitted, not closed), each with its end-of-window
 * timer (whose order of setting it keeps); `emptyTrigger` is the strategy's
 * fresh trigger state, which the general layout's trigger states must match.
 *
 * @throws CheckpointFormatError on bytes of neither layout, or general state this path cannot continue.
 */
export function decodeSessionKeyOrGeneral(
  bytes: Uint8Array,
  coders: ReduceStateCoders,
  what: string,
  emptyTrigger: () => TriggerState,
): { key: unknown; sessions: SessionState[] } {
  if (bytes[0] !== REDUCE_KEY_FORMAT) return decodeSessionKey(bytes, coders, what);
  let key: unknown;
  const general = decodeKeyState(bytes, coders, what, emptyTrigger(), (k) => (key = k));
  const sessions = general.map((g): SessionState => {
    const w = g.window;
    if (g.closed || g.lastPane !== undefined || isGlobalWindow(w))
      throw new CheckpointFormatError(
        `${what}: a window that already fired or is not a session, which this strategy cannot have (different strategy?)`,
      );
    const timer = g.eventTimers.find(([t]) => t === w.end - 1);
    if (timer === undefined) throw new CheckpointFormatError(`${what}: session [${w.start}, ${w.end}) has no end-of-window timer`);
    return {
      start: w.start,
      end: w.end,
      elementHold: g.elementHold,
      extraHold: g.extraHold,
      timerSeq: timer[1],
      hasAcc: g.hasAcc,
      state: coders.combining ? g.acc : g.values,
    };
  });
  sessions.sort((a, b) => a.start - b.start);
  checkOrdered(sessions, what);
  return { key, sessions };
}

/** The runner relies on a key's sessions being disjoint and ordered by start. */
function checkOrdered(sessions: readonly SessionState[], what: string): void {
  let previousEnd = -Infinity;
  for (const { start, end } of sessions) {
    if (!(start < end) || start < previousEnd)
      throw new CheckpointFormatError(`${what}: session [${start}, ${end}) overlaps or precedes the one before it`);
    previousEnd = end;
  }
}
