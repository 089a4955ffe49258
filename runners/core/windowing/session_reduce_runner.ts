/**
 * The session-window fast path: a ReduceFnRunner for session windows when
 * every session emits exactly one pane, when the watermark passes its end
 * (see `session_eligibility.ts`: the default or a plain watermark trigger, no
 * allowed lateness, end-of-window or earliest timestamps).
 *
 * Why it can be compact: for those strategies the general ReduceFnRunner
 * (`reduce_fn_runner.ts`) does only this per session: merge a new element's
 * proto-window `[t, t + gap)` with the key's sessions it overlaps (Beam's
 * MergeOverlappingIntervalWindows: windows that only touch stay apart),
 * moving their values or accumulators and holds into the merged window,
 * and, when the watermark passes the session's end, emit its final pane and
 * drop it. The trigger never fires before that (its condition is the same
 * watermark test) and no window closes early. So instead of a slot per
 * window with its own timers, trigger state and indexed holds, created and
 * deleted on every merge, this runner keeps per key an array of its open
 * sessions ordered by start (disjoint, so also by end) and merges in place:
 * the first session of the overlapped run becomes the merged one, the rest
 * go. Two heaps over all sessions answer what the runner is asked: which
 * sessions end before the watermark (the end index, in the order the general
 * runner fires its timers: end, then start, then the order the timer was
 * set) and the smallest watermark hold. Both tolerate keys that rise
 * unannounced (`lazy_min_heap.ts`), so a session that grows by an element
 * costs no heap work.
 *
 * What it keeps exactly as the general runner does (the differential test
 * runs both): late-data dropping and its counter, the element and
 * garbage-collection holds per session with WatermarkHold's rules on merge,
 * the output watermark, pane timestamps and info, emission order, values in
 * the order the general runner concatenates them, and checkpoints per key in
 * its own layout (`checkpoint/session_state_codec.ts`; it also restores the
 * general runner's blobs of the same strategy, so retained checkpoints
 * survive the switch to this path).
 */
import type { ReduceFnRunnerApi, ReduceFnRunnerCheckpointing, ReduceFnRunnerConfig } from "./reduce_fn_runner_api";
import { isGlobalWindow, type BoundedWindow, type IntervalWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import { GLOBAL_WINDOW_MAX_TIMESTAMP, MAX_TIMESTAMP } from "../../../model/time";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { KeyedTable } from "../../../portability/harness/keyed_table";
import { addToPane, paneOutput } from "./pane_contents";
import { identityOf } from "../../../portability/values/canonical_key";
import { ChangedKeyTracker } from "../checkpoint/changed_keys";
import { CheckpointFormatError } from "../checkpoint/snapshot_codec";
import { decodeRunnerHeader, encodeRunnerHeader, keyOfIdentity, type ReduceStateCoders } from "../checkpoint/reduce_fn_state_codec";
import { decodeSessionKeyOrGeneral, encodeSessionKey, type SessionState } from "../checkpoint/session_state_codec";
import { triggerStateMachine } from "./triggers/trigger_state_machine";
import { LazyMinHeap } from "./lazy_min_heap";

/** The pane every session gets: its first and last, on time (or late, when the output watermark already passed its end). */
const ON_TIME_FINAL: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: "ON_TIME", index: 0, onTimeIndex: 0 });
const LATE_FINAL: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: "LATE", index: 0, onTimeIndex: 0 });

/** One open session of one key. Holds are NaN when unset (as `undefined` in the general runner's slot). */
interface Session {
  readonly owner: KeySessions;
  start: number;
  end: number;
  /** Combine mode: the accumulator (when `hasAcc`); buffer mode: the values array. */
  state: unknown;
  hasAcc: boolean;
  elementHold: number;
  extraHold: number;
  /** When the general runner would have set this window's end-of-window timer (runner-wide counter): breaks ties. */
  timerSeq: number;
  /** The key the end index sorted it by (a lower bound of its current one) and its place there. */
  sortedMaxTs: number;
  sortedStart: number;
  sortedSeq: number;
  endPos: number;
  /** The hold the hold index sorted it by (a lower bound of its current one) and its place there. */
  sortedHold: number;
  holdPos: number;
}

/** Everything held for one key: its open sessions, by start. */
interface KeySessions {
  readonly key: unknown;
  readonly sessions: Session[];
  /** The change-tracking interval in which this key was last reported (so marking costs one compare per element). */
  markedIn: number;
}

/** A ReduceFnRunner for session windows that fire once; see the file header. */
export class SessionReduceRunner implements ReduceFnRunnerApi, ReduceFnRunnerCheckpointing {
  private readonly earliest: boolean;
  private readonly combineFn: CombineFn<unknown, unknown, unknown> | undefined;
  private readonly inputsAreAccumulators: boolean;
  private keys: KeyedTable<KeySessions>;
  /** Keys whose last session went since the last compaction (KeyedTable cannot delete). */
  private emptiedKeys = 0;
  private readonly byEnd = new LazyMinHeap<Session>(
    (a, b) =>
      a.sortedMaxTs < b.sortedMaxTs ||
      (a.sortedMaxTs === b.sortedMaxTs &&
        (a.sortedStart < b.sortedStart || (a.sortedStart === b.sortedStart && a.sortedSeq < b.sortedSeq))),
    (s) => {
      if (s.sortedMaxTs === s.end - 1 && s.sortedStart === s.start && s.sortedSeq === s.timerSeq) return false;
      setEndKey(s);
      return true;
    },
    (s) => s.endPos,
    (s, pos) => (s.endPos = pos),
  );
  private readonly byHold = new LazyMinHeap<Session>(
    (a, b) => a.sortedHold < b.sortedHold,
    (s) => {
      const h = holdOf(s);
      if (h === s.sortedHold) return false;
      s.sortedHold = h;
      return true;
    },
    (s) => s.holdPos,
    (s, pos) => (s.holdPos = pos),
  );
  private liveSessions = 0;
  private inputWatermark = -Infinity;
  private outputWatermark = -Infinity;
  private processingTime = -Infinity;
  /** Next value of the timer-order counter (the general runner's `timerSeq`). */
  private timerSeq = 0;
  private readonly changes: ChangedKeyTracker<KeySessions>;
  private markInterval = 0;

  constructor(private readonly config: ReduceFnRunnerConfig) {
    this.earliest = config.windowing.timestampCombiner === "earliest";
    this.combineFn = config.mode.kind === "combine" ? config.mode.fn : undefined;
    this.inputsAreAccumulators = config.mode.kind === "combine" && config.mode.inputsAreAccumulators;
    this.keys = new KeyedTable<KeySessions>(config.keyCoder);
    this.changes = new ChangedKeyTracker<KeySessions>(
      config.trackChangedKeys === true,
      (ks) => ks.sessions.length > 0,
      (ks) => identityOf(config.keyCoder, ks.key),
    );
  }

  /** Always 0: with these strategies no window closes before it is collected. */
  get droppedDueToClosedWindow(): number {
    return 0;
  }

  get activeWindowCount(): number {
    return this.liveSessions;
  }

  // ---------------------------------------------------------------- elements

  processElement(
    key: unknown,
    value: unknown,
    timestamp: number,
    windows: readonly BoundedWindow[],
    inputWatermark: number,
    processingTime: number,
  ): void {
    if (inputWatermark > this.inputWatermark) this.inputWatermark = inputWatermark;
    if (processingTime > this.processingTime) this.processingTime = processingTime;
    let dropped = 0;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (isGlobalWindow(w))
        throw new Error(
          `ReduceFnRunner '${this.config.transform}': the session fast path got the global window; sessions assign interval windows`,
        );
      // LateDataDroppingDoFnRunner: the proto-window's GC time is behind the input watermark.
      if (gcTimeOf(w.end) < this.inputWatermark) {
        dropped++;
        continue;
      }
      const ks = this.keyState(key);
      const session = this.mergeInto(ks, w.start, w.end);
      this.addHolds(session, timestamp);
      addToPane(session, value, this.combineFn, this.inputsAreAccumulators);
    }
    if (dropped > 0) this.config.onDroppedLateElements?.(dropped);
  }

  private keyState(key: unknown): KeySessions {
    // get() first: the common case (the key is known) then makes no closure.
    const ks = this.keys.get(key) ?? this.keys.getOrCreate(key, (k) => ({ key: k, sessions: [], markedIn: -1 }));
    if (ks.markedIn !== this.markInterval) {
      ks.markedIn = this.markInterval;
      this.changes.mark(ks);
    }
    return ks;
  }

  /**
   * The session of `ks` the proto-window `[start, end)` ends up in: a new
   * one, or the overlapped run of sessions merged in place into its first.
   */
  private mergeInto(ks: KeySessions, start: number, end: number): Session {
    const list = ks.sessions;
    // Sessions are disjoint and by start, so those ending after `start` are a suffix; in-order input lands at the back.
    let from = list.length;
    while (from > 0 && list[from - 1]!.end > start) from--;
    let to = from;
    while (to < list.length && list[to]!.start < end) to++;
    if (from === to) return this.openSession(ks, from, start, end, this.timerSeq++);
    const first = list[from]!;
    if (to - from === 1 && first.start <= start && end <= first.end) {
      // Inside one session: its own window, so no new slot; an identical window does not even merge.
      if (first.start !== start || first.end !== end) this.mergeHolds(first, first.elementHold);
      return first;
    }
    // WatermarkHold.onMerge: the element holds combine (earliest: their minimum) and the GC hold is the merged window's.
    let elementHold = NaN;
    if (this.earliest) for (let i = from; i < to; i++) elementHold = minDefined(elementHold, list[i]!.elementHold);
    const lastEnd = list[to - 1]!.end;
    if (to - from > 1) this.mergeStates(list, from, to);
    first.start = start < first.start ? start : first.start;
    first.end = end > lastEnd ? end : lastEnd;
    // The merged window is a new slot in the general runner: its timer is set now.
    first.timerSeq = this.timerSeq++;
    if (endKeyBelowSorted(first)) {
      setEndKey(first);
      this.byEnd.lowered(first);
    }
    this.mergeHolds(first, elementHold);
    return first;
  }

  /** Moves the state of `list[from + 1 .. to)` into `list[from]`, in the general runner's order, and drops them. */
  private mergeStates(list: Session[], from: number, to: number): void {
    const first = list[from]!;
    const fn = this.combineFn;
    if (fn) {
      const accs: unknown[] = [];
      for (let i = from; i < to; i++) if (list[i]!.hasAcc) accs.push(list[i]!.state);
      first.hasAcc = accs.length > 0;
      first.state = accs.length === 0 ? undefined : accs.length === 1 ? accs[0] : fn.mergeAccumulators(accs);
    } else {
      const values: unknown[] = [];
      for (let i = from; i < to; i++) for (const v of list[i]!.state as unknown[]) values.push(v);
      first.state = values;
    }
    for (let i = from + 1; i < to; i++) {
      const gone = list[i]!;
      this.byEnd.remove(gone);
      this.byHold.remove(gone);
      this.liveSessions--;
    }
    list.splice(from + 1, to - from - 1);
  }

  /** The holds of a session that is the result of a merge (WatermarkHold.onMerge); `elementHold` is the combined one (earliest). */
  private mergeHolds(s: Session, elementHold: number): void {
    const maxTs = s.end - 1;
    if (this.earliest) s.elementHold = elementHold;
    // End of window: the hold is re-added for the merged window, unless too late.
    else s.elementHold = maxTs < this.outputWatermark || maxTs < this.inputWatermark ? NaN : maxTs;
    const gc = gcTimeOf(s.end);
    s.extraHold = gc < this.inputWatermark ? NaN : gc >= MAX_TIMESTAMP ? MAX_TIMESTAMP - 1 : gc;
    this.holdChanged(s);
  }

  private openSession(ks: KeySessions, at: number, start: number, end: number, timerSeq: number): Session {
    const s: Session = {
      owner: ks,
      start,
      end,
      state: this.combineFn ? undefined : [],
      hasAcc: false,
      elementHold: NaN,
      extraHold: NaN,
      timerSeq,
      sortedMaxTs: 0,
      sortedStart: 0,
      sortedSeq: 0,
      endPos: -1,
      sortedHold: Infinity,
      holdPos: -1,
    };
    setEndKey(s);
    if (at === ks.sessions.length) ks.sessions.push(s);
    else ks.sessions.splice(at, 0, s);
    this.byEnd.push(s);
    this.byHold.push(s);
    this.liveSessions++;
    return s;
  }

  /** WatermarkHold.addHolds: the element's hold, or the GC hold when that would be too late. */
  private addHolds(s: Session, timestamp: number): void {
    const maxTs = s.end - 1;
    const hold = this.earliest ? timestamp : maxTs;
    if (!(hold < this.outputWatermark || maxTs < this.inputWatermark)) {
      const h = s.elementHold;
      s.elementHold = h !== h || !this.earliest || hold < h ? hold : h;
    } else {
      let gc = gcTimeOf(s.end);
      if (gc < this.inputWatermark) return;
      if (gc >= MAX_TIMESTAMP) gc = MAX_TIMESTAMP - 1;
      s.extraHold = s.extraHold !== s.extraHold || gc < s.extraHold ? gc : s.extraHold;
    }
    this.holdChanged(s);
  }

  /** Keeps the hold index a lower bound: a hold that fell is re-sorted now, one that rose when it reaches the top. */
  private holdChanged(s: Session): void {
    const h = holdOf(s);
    if (h < s.sortedHold) {
      s.sortedHold = h;
      this.byHold.lowered(s);
    }
  }

  // ---------------------------------------------------------------- time

  advanceInputWatermark(watermark: number): void {
    if (watermark > this.inputWatermark) this.inputWatermark = watermark;
    const wm = this.inputWatermark;
    // The end-of-window timer (at the max timestamp) is due, and with no lateness the session is collected.
    for (let s = this.byEnd.peek(); s !== undefined && s.end - 1 < wm; s = this.byEnd.peek()) {
      this.byEnd.pop();
      this.fire(s);
    }
    this.maybeCompactKeys();
    const out = Math.min(wm, this.outputWatermarkHold());
    if (out > this.outputWatermark) this.outputWatermark = out;
  }

  /** Beam's onTrigger for the session's final pane, then its state goes. */
  private fire(s: Session): void {
    const ks = s.owner;
    // The key's first session ends first; a search only for safety.
    const at = ks.sessions[0] === s ? 0 : ks.sessions.indexOf(s);
    ks.sessions.splice(at, 1);
    if (ks.sessions.length === 0) this.emptiedKeys++;
    this.byHold.remove(s);
    this.liveSessions--;
    this.changes.mark(ks);
    const maxTs = s.end - 1;
    // WatermarkHold.extractAndRelease: the held time, the window's end when none or later.
    let ts = holdOf(s);
    if (ts > maxTs) ts = maxTs;
    const pane = maxTs < this.outputWatermark ? LATE_FINAL : ON_TIME_FINAL;
    const output = paneOutput(s, this.combineFn);
    const window: IntervalWindow = { start: s.start, end: s.end };
    this.config.emit(ks.key, output, ts, window, pane);
  }

  advanceProcessingTime(now: number): void {
    if (now > this.processingTime) this.processingTime = now;
  }

  /** No processing-time timers with these triggers. */
  nextProcessingTimeTimer(): number {
    return Infinity;
  }

  outputWatermarkHold(): number {
    return this.byHold.peek()?.sortedHold ?? Infinity;
  }

  /** Drops the keys left without sessions now and then (as the general runner does). */
  private maybeCompactKeys(): void {
    if (this.emptiedKeys < 1024 || this.emptiedKeys < this.keys.size / 2) return;
    this.emptiedKeys = 0;
    const old = this.keys;
    this.keys = new KeyedTable<KeySessions>(this.config.keyCoder);
    for (const ks of old.entries()) if (ks.sessions.length > 0) this.keys.getOrCreate(ks.key, () => ks);
  }

  // ---------------------------------------------------------------- checkpointing

  private coders(method: string): ReduceStateCoders {
    const c = this.combineFn ? this.config.accumulatorCoder : this.config.valueCoder;
    if (!c) {
      const field = this.combineFn ? "accumulatorCoder" : "valueCoder";
      throw new Error(`ReduceFnRunner '${this.config.transform}': ${method} needs ReduceFnRunnerConfig.${field}`);
    }
    return { keyCoder: this.config.keyCoder, windowCoder: this.config.windowCoder, stateCoder: c, combining: this.combineFn !== undefined };
  }

  private encodeKey(ks: KeySessions, coders: ReduceStateCoders): Uint8Array {
    const states = ks.sessions.map((s): SessionState => ({
      start: s.start,
      end: s.end,
      elementHold: s.elementHold !== s.elementHold ? undefined : s.elementHold,
      extraHold: s.extraHold !== s.extraHold ? undefined : s.extraHold,
      timerSeq: s.timerSeq,
      hasAcc: s.hasAcc,
      state: s.state,
    }));
    return encodeSessionKey(ks.key, states, coders);
  }

  /** Bytes of each key's open sessions (only keys holding some; all of them when `keys` is omitted). */
  snapshotKeys(keys?: Iterable<string>): Map<string, Uint8Array> {
    const coders = this.coders("snapshotKeys");
    if (keys === undefined) this.changes.startFromFullSnapshot();
    else this.changes.start();
    this.markInterval++;
    const out = new Map<string, Uint8Array>();
    if (keys === undefined) {
      for (const ks of this.keys.entries())
        if (ks.sessions.length > 0) out.set(identityOf(this.config.keyCoder, ks.key), this.encodeKey(ks, coders));
    } else {
      for (const id of keys) {
        if (out.has(id)) continue;
        const ks = this.keys.get(keyOfIdentity(id, this.config.keyCoder, this.config.transform));
        if (ks !== undefined && ks.sessions.length > 0) out.set(id, this.encodeKey(ks, coders));
      }
    }
    return out;
  }

  drainChangedKeys(): { changed: Set<string>; removed: Set<string> } {
    this.markInterval++;
    return this.changes.drain(this.keys.entries());
  }

  /**
   * Replaces the sessions of key `identity` with a {@link snapshotKeys} blob
   * (or a general runner's blob of the same strategy).
   *
   * @throws CheckpointFormatError on bytes of another layout, or general state this path cannot continue.
   */
  restoreKey(identity: string, bytes: Uint8Array): void {
    const coders = this.coders("restoreKey");
    this.changes.start();
    this.markInterval++;
    const what = `ReduceFnRunner '${this.config.transform}' key state`;
    const { key, sessions } = decodeSessionKeyOrGeneral(bytes, coders, what, () =>
      triggerStateMachine(this.config.windowing.trigger).newState(),
    );
    if (identityOf(this.config.keyCoder, key) !== identity)
      throw new CheckpointFormatError(`${what}: the blob holds another key than the identity it was stored under (wrong key coder?)`);
    const ks = this.keys.getOrCreate(key, (k) => ({ key: k, sessions: [], markedIn: -1 }));
    const wasTracked = this.changes.has(ks);
    for (const s of ks.sessions) {
      this.byEnd.remove(s);
      this.byHold.remove(s);
      this.liveSessions--;
    }
    ks.sessions.length = 0;
    for (const r of sessions) {
      const s = this.openSession(ks, ks.sessions.length, r.start, r.end, r.timerSeq);
      // Timers set after the restore come after the restored ones.
      if (r.timerSeq >= this.timerSeq) this.timerSeq = r.timerSeq + 1;
      s.elementHold = r.elementHold ?? NaN;
      s.extraHold = r.extraHold ?? NaN;
      s.hasAcc = r.hasAcc;
      s.state = r.state;
      this.holdChanged(s);
    }
    if (ks.sessions.length === 0) this.emptiedKeys++;
    if (!wasTracked) this.changes.forget(ks);
  }

  /** Runner-level state, in the general runner's header layout (no closed windows here). */
  snapshotWatermarks(): Uint8Array {
    return encodeRunnerHeader({
      inputWatermark: this.inputWatermark,
      outputWatermark: this.outputWatermark,
      processingTime: this.processingTime,
      timerSeq: this.timerSeq,
      droppedDueToClosedWindow: 0,
    });
  }

  restoreWatermarks(bytes: Uint8Array): void {
    const h = decodeRunnerHeader(bytes, `ReduceFnRunner '${this.config.transform}' header`);
    this.inputWatermark = Math.max(this.inputWatermark, h.inputWatermark);
    this.outputWatermark = Math.max(this.outputWatermark, h.outputWatermark);
    this.processingTime = Math.max(this.processingTime, h.processingTime);
    this.timerSeq = Math.max(this.timerSeq, h.timerSeq);
    this.changes.start();
    this.markInterval++;
  }
}

/** The garbage-collection time of a session ending (exclusive) at `end`, with no allowed lateness (`garbageCollectionTime`). */
function gcTimeOf(end: number): number {
  const maxTs = end - 1;
  return GLOBAL_WINDOW_MAX_TIMESTAMP < maxTs ? GLOBAL_WINDOW_MAX_TIMESTAMP : maxTs;
}

/** The session's watermark hold: the smaller of its element and GC holds, `Infinity` when it has none. */
function holdOf(s: Session): number {
  const e = s.elementHold;
  const x = s.extraHold;
  if (e !== e) return x !== x ? Infinity : x;
  return x !== x || e < x ? e : x;
}

/** The smaller of two holds, NaN standing for none. */
function minDefined(a: number, b: number): number {
  if (a !== a) return b;
  return b !== b || a < b ? a : b;
}

function setEndKey(s: Session): void {
  s.sortedMaxTs = s.end - 1;
  s.sortedStart = s.start;
  s.sortedSeq = s.timerSeq;
}

/** True when the session's current end-index key sorts before the one it is sorted by (a merge that grew only to the left). */
function endKeyBelowSorted(s: Session): boolean {
  const maxTs = s.end - 1;
  if (maxTs !== s.sortedMaxTs) return maxTs < s.sortedMaxTs;
  if (s.start !== s.sortedStart) return s.start < s.sortedStart;
  return s.timerSeq < s.sortedSeq;
}
