/**
 * The bytes of one key's state in the session-window fast path
 * (`windowing/session_reduce_runner.ts`). Its own layout, because that path
 * keeps per session only its bounds, holds, the order its end-of-window
 * timer was set in (ties between sessions of different keys that end and
 * start together fire in that order, as in the general runner) and the
 * accumulator or values; no trigger state, pane history or timers. The tag
 * differs from the general runner's, so neither misreads the other's blob:
 * a checkpoint taken on this path needs this path to restore (i.e. not
 * MILLRACE_WINDOW_FAST_PATH=false), and a general checkpoint of sessions is
 * refused here with a clear error.
 *
 * Layout: u8 SESSION_KEY_FORMAT, key (key coder, nested), varint #sessions,
 * then per session (by start): start, end (doubles), optional element hold,
 * optional extra (GC) hold, timer order (double), then combine mode: u8
 * hasAcc [accumulator (accumulator coder, nested)] / buffer mode: varint
 * #values + values (value coder, nested).
 * The runner-level header is the general runner's (`reduce_fn_state_codec.ts`).
 */
import type { ReduceStateCoders } from "./reduce_fn_state_codec";
import {
  CheckpointFormatError,
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
  let previousEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const start = readTime(r);
    const end = readTime(r);
    // The runner relies on a key's sessions being disjoint and ordered.
    if (!(start < end) || start < previousEnd)
      throw new CheckpointFormatError(`${what}: session [${start}, ${end}) overlaps or precedes the one before it`);
    previousEnd = end;
    const elementHold = readOptionalTime(r);
    const extraHold = readOptionalTime(r);
    const timerSeq = readTime(r);
    const { hasAcc, state } = readPaneContents(r, coders);
    sessions.push({ start, end, elementHold, extraHold, timerSeq, hasAcc, state });
  }
  closeBlob(r, what);
  return { key, sessions };
}
