/**
 * Beam's ReduceFnRunner (runners-core), for every runner: per key and
 * window, buffers values or combines them, merges session windows, runs the
 * trigger state machine, emits panes with their pane info, drops late data,
 * holds the output watermark and garbage-collects expired windows.
 *
 * Parts of Beam it follows, one by one:
 * - LateDataDroppingDoFnRunner: an element's (proto-)window is dropped when its
 *   garbage collection time (`maxTimestamp + allowedLateness`, capped at the
 *   global window's max timestamp) is before the input watermark.
 * - MergingActiveWindowSet: session proto-windows merge with the key's active
 *   windows; closed windows (trigger finished) are no longer active and do not merge.
 * - WatermarkHold: element holds (shifted by the timestamp combiner) while the
 *   window's end is not behind the input watermark and the hold not behind the
 *   output watermark; otherwise a garbage-collection hold. A pane's timestamp is
 *   the held time, or the end of the window when there is none or it is the GC hold.
 * - PaneInfoTracker: EARLY while the input watermark has not passed the end of
 *   the window; the first non-early pane is ON_TIME unless the output watermark
 *   already passed the end of the window; later ones LATE.
 * - Timers: an end-of-window timer (or a GC timer for windows already past
 *   their end), trigger timers; event timers fire when the input watermark is
 *   after them. A window activation is garbage collection when the input
 *   watermark is past the GC time: the final pane (`isLast`) is emitted per the
 *   closing / on-time behaviours, without asking the trigger, and the state dropped.
 *
 * The output watermark is tracked as a runner would compute it: after each
 * input watermark advance, `min(input watermark, holds)`, never going back.
 */
import { combineTimestamps, contributedTimestamp } from "../../../portability/windowing/timestamp_combiner";
import type { ReduceFnRunnerApi, ReduceFnRunnerCheckpointing, ReduceFnRunnerConfig } from "./reduce_fn_runner_api";
import type { BoundedWindow, IntervalWindow } from "../../../model/windows";
import { garbageCollectionTime, isGlobalWindow, maxTimestampOf, windowToString } from "../../../model/windows";
import type { PaneInfo, PaneTiming } from "../../../model/pane";
import { MAX_TIMESTAMP } from "../../../model/time";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { KeyedTable } from "../../../portability/harness/keyed_table";
import { isMergingWindowFn, mergeOverlapping } from "../../../portability/windowing/window_fns";
import { TimeIndex } from "./time_index";
import { copyTriggerState, triggerStateMachine, type TriggerContext, type TriggerStateMachine } from "./triggers/trigger_state_machine";
import { identityOf } from "../../../portability/values/canonical_key";
import { CheckpointFormatError } from "../checkpoint/snapshot_codec";
import { ChangedKeyTracker } from "../checkpoint/changed_keys";
import {
  decodeKeyState,
  decodeRunnerHeader,
  encodeKeyState,
  encodeRunnerHeader,
  keyOfIdentity,
  type ReduceStateCoders,
  type RestoredSlot,
} from "../checkpoint/reduce_fn_state_codec";
import type { KeyState, Slot } from "./reduce_fn_state";

export class ReduceFnRunner implements ReduceFnRunnerApi, ReduceFnRunnerCheckpointing {
  private readonly strategy: WindowingStrategy;
  private readonly trigger: TriggerStateMachine;
  private readonly merging: boolean;
  private readonly combineFn: CombineFn<unknown, unknown, unknown> | undefined;
  private readonly inputsAreAccumulators: boolean;
  private keys: KeyedTable<KeyState>;
  private slotCount = 0;
  private inputWatermark = -Infinity;
  private outputWatermark = -Infinity;
  private processingTime = -Infinity;
  /** Indices of element holds, extra holds, event and processing timers: time -> slots. */
  private readonly elementHolds = new TimeIndex<Slot>();
  private readonly extraHolds = new TimeIndex<Slot>();
  private readonly eventTimers = new TimeIndex<Slot>();
  private readonly processingTimers = new TimeIndex<Slot>();
  /** Next value of the timer-order counter (see `Slot.eventSeq`). */
  private timerSeq = 0;
  /** Keys touched since the last checkpoint drain, for delta checkpoints; off until checkpointing is used. */
  private readonly changes: ChangedKeyTracker<KeyState>;

  constructor(private readonly config: ReduceFnRunnerConfig) {
    this.strategy = config.windowing;
    this.trigger = triggerStateMachine(config.windowing.trigger);
    this.merging = isMergingWindowFn(config.windowing.windowFn);
    this.combineFn = config.mode.kind === "combine" ? config.mode.fn : undefined;
    this.inputsAreAccumulators = config.mode.kind === "combine" && config.mode.inputsAreAccumulators;
    this.keys = new KeyedTable<KeyState>(config.keyCoder);
    this.changes = new ChangedKeyTracker<KeyState>(
      config.trackChangedKeys === true,
      (ks) => ks.windows.size > 0,
      (ks) => identityOf(config.keyCoder, ks.key),
    );
  }

  private _droppedDueToClosedWindow = 0;
  /** Elements dropped because their window's trigger had finished (Beam's droppedDueToClosedWindow counter). */
  get droppedDueToClosedWindow(): number {
    return this._droppedDueToClosedWindow;
  }

  get activeWindowCount(): number {
    return this.slotCount;
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

    // LateDataDroppingDoFnRunner: drop the windows (proto-windows for sessions) that are expired.
    const live: BoundedWindow[] = [];
    for (const w of windows) if (!(this.gcTime(w) < this.inputWatermark)) live.push(w);
    if (live.length < windows.length) this.dropped(windows.length - live.length);
    if (live.length === 0) return;

    const ks = this.keys.getOrCreate(key, (k) => ({ key: k, windows: new Map() }));
    this.changes.mark(ks);
    const mergeResult = this.merging ? this.mergeWindows(ks, live) : undefined;

    // The (merged) windows of this element, each once.
    const targets = new Map<string, BoundedWindow>();
    for (const w of live) {
      const r = mergeResult?.get(windowToString(w)) ?? w;
      targets.set(windowToString(r), r);
    }

    for (const [id, window] of targets) {
      let slot = ks.windows.get(id);
      if (slot?.closed) {
        // Beam's droppedDueToClosedWindow: a separate counter from droppedDueToLateness.
        this._droppedDueToClosedWindow++;
        this.config.onDroppedClosedWindowElements?.(1);
        continue;
      }
      slot ??= this.newSlot(ks, window);
      slot.newElements++;
      const maxTs = maxTimestampOf(window);
      this.addEventTimer(slot, maxTs < this.inputWatermark ? this.gcTime(window) : maxTs);
      this.addHolds(slot, timestamp);
      this.addValue(slot, value);
      this.trigger.onElement(this.context(slot), slot.trigger);
    }

    for (const id of targets.keys()) {
      const slot = ks.windows.get(id);
      if (slot && !slot.closed && this.trigger.shouldFire(this.context(slot), slot.trigger)) this.emit(ks, slot);
    }
  }

  /** Merges new proto-windows with the key's active windows; returns proto-window id -> merged window. */
  private mergeWindows(ks: KeyState, protoWindows: readonly BoundedWindow[]): Map<string, BoundedWindow> {
    const result = new Map<string, BoundedWindow>();
    const candidates = new Map<string, IntervalWindow>();
    // The key's active windows are disjoint (every earlier merge was complete), so only those that
    // intersect a new proto-window can merge: leaving the others out gives the same groups without
    // sorting all of a key's sessions for every element; the index finds them without a scan.
    const active = ks.activeByStart ?? [];
    for (const w of protoWindows) {
      if (isGlobalWindow(w)) continue;
      for (let i = firstEndingAfter(active, w.start); i < active.length; i++) {
        const window = active[i]!.window as IntervalWindow;
        if (window.start >= w.end) break;
        candidates.set(active[i]!.id, window);
      }
    }
    for (const w of protoWindows) if (!isGlobalWindow(w)) candidates.set(windowToString(w), candidates.get(windowToString(w)) ?? w);
    for (const group of mergeOverlapping([...candidates.values()])) {
      if (group.parts.length < 2) continue;
      const merged = group.merged;
      for (const p of group.parts) result.set(windowToString(p), merged);
      this.onMerge(ks, group.parts, merged);
    }
    return result;
  }

  /** Beam's OnMergeCallback: merges the state of the active windows among `parts` into `merged`. */
  private onMerge(ks: KeyState, parts: readonly IntervalWindow[], merged: IntervalWindow): void {
    const mergedId = windowToString(merged);
    const active: Slot[] = [];
    for (const p of parts) {
      const s = ks.windows.get(windowToString(p));
      if (s && !s.closed) active.push(s);
    }
    if (active.length === 0) return;
    const existing = active.find((s) => s.id === mergedId);
    const ordered = existing ? [existing, ...active.filter((s) => s !== existing)] : active;

    const stale = ks.windows.get(mergedId);
    if (stale && stale !== existing) this.deleteSlot(ks, stale);
    const target: Slot = existing ?? this.newSlot(ks, merged);

    // Reduce state: concatenate buffers / merge accumulators.
    if (this.combineFn) {
      const accs = ordered.filter((s) => s.hasAcc).map((s) => s.acc);
      if (accs.length > 0) {
        target.acc = accs.length === 1 ? accs[0] : this.combineFn.mergeAccumulators(accs);
        target.hasAcc = true;
      }
    } else {
      target.values = ordered.flatMap((s) => s.values);
    }
    target.newElements = ordered.reduce((n, s) => n + s.newElements, 0);

    // Watermark holds (WatermarkHold.onMerge).
    const holds = ordered.map((s) => s.elementHold).filter((h): h is number => h !== undefined);
    this.setElementHold(target, undefined);
    if (this.strategy.timestampCombiner === "endOfWindow") this.addElementHold(target, -Infinity);
    else if (holds.length > 0)
      this.setElementHold(target, this.strategy.timestampCombiner === "earliest" ? Math.min(...holds) : Math.max(...holds));
    this.setExtraHold(target, undefined);
    this.addGarbageCollectionHold(target, false);

    // Trigger state: start from the merge result's own state when it was active.
    const sources = ordered.map((s) => s.trigger);
    target.trigger = existing ? copyTriggerState(existing.trigger) : this.trigger.newState();
    this.trigger.onMerge(this.context(target), target.trigger, sources);

    // Merged-away windows go, with their timers and pane info; the result keeps its own pane info.
    for (const s of ordered) if (s !== target) this.deleteSlot(ks, s);
  }

  private addValue(slot: Slot, value: unknown): void {
    const fn = this.combineFn;
    if (!fn) {
      slot.values.push(value);
      return;
    }
    const acc = slot.hasAcc ? slot.acc : fn.createAccumulator();
    slot.acc = this.inputsAreAccumulators ? fn.mergeAccumulators([acc, value]) : fn.addInput(acc, value);
    slot.hasAcc = true;
  }

  // ---------------------------------------------------------------- holds

  private addHolds(slot: Slot, timestamp: number): void {
    if (!this.addElementHold(slot, timestamp)) this.addGarbageCollectionHold(slot, false);
  }

  /** WatermarkHold.addElementHold: false when the hold would be too late. */
  private addElementHold(slot: Slot, timestamp: number): boolean {
    const maxTs = maxTimestampOf(slot.window);
    const combiner = this.strategy.timestampCombiner;
    const hold = contributedTimestamp(combiner, slot.window, timestamp);
    if (hold < this.outputWatermark || maxTs < this.inputWatermark) return false;
    const h = slot.elementHold;
    this.setElementHold(slot, h === undefined ? hold : combineTimestamps(combiner, h, hold));
    return true;
  }

  /** WatermarkHold.addGarbageCollectionHold. */
  private addGarbageCollectionHold(slot: Slot, paneIsEmpty: boolean): void {
    let gc = this.gcTime(slot.window);
    if (gc < this.inputWatermark) return;
    if (paneIsEmpty && this.strategy.closingBehavior === "emitIfNonEmpty") return;
    if (gc >= MAX_TIMESTAMP) gc = MAX_TIMESTAMP - 1;
    this.setExtraHold(slot, slot.extraHold === undefined ? gc : Math.min(slot.extraHold, gc));
  }

  // ---------------------------------------------------------------- firing

  /** Beam's ReduceFnRunner.emit: the trigger fired. */
  private emit(ks: KeyState, slot: Slot): void {
    const c = this.context(slot);
    this.trigger.onFire(c, slot.trigger);
    const isFinished = slot.trigger.finished;
    this.onTrigger(ks, slot, isFinished);
    slot.newElements = 0;
    if (isFinished || this.strategy.accumulation === "discarding") this.clearReduceState(slot);
    if (isFinished) {
      // Closed until garbage collection: later elements are dropped.
      slot.closed = true;
      this.unindexActive(ks, slot);
      slot.trigger = this.trigger.newState();
      slot.trigger.finished = true;
      slot.lastPane = undefined;
      for (const t of slot.processingTimers) this.processingTimers.remove(t, slot);
      slot.processingTimers.clear();
      slot.processingSeq.clear();
    }
  }

  /** Beam's ReduceFnRunner.onTrigger: produces the pane, if it must be emitted. */
  private onTrigger(ks: KeyState, slot: Slot, isFinished: boolean): void {
    const maxTs = maxTimestampOf(slot.window);
    // WatermarkHold.extractAndRelease.
    const { elementHold, extraHold } = slot;
    let outputTimestamp = elementHold === undefined ? extraHold : extraHold === undefined ? elementHold : Math.min(elementHold, extraHold);
    if (outputTimestamp === undefined || outputTimestamp > maxTs) outputTimestamp = maxTs;
    this.setElementHold(slot, undefined);
    this.setExtraHold(slot, undefined);
    if (!isFinished) this.addGarbageCollectionHold(slot, true);

    const isEmpty = slot.newElements === 0;
    const { pane, nonSpeculative } = this.describePane(slot, isFinished);
    const needToEmit =
      !isEmpty ||
      (pane.timing === "ON_TIME" && this.strategy.onTimeBehavior === "fireAlways") ||
      (isFinished && this.strategy.closingBehavior === "emitAlways");
    if (!needToEmit) return;
    const output = this.combineFn
      ? this.combineFn.extractOutput(slot.hasAcc ? slot.acc : this.combineFn.createAccumulator())
      : slot.values.slice();
    slot.lastPane = pane;
    slot.lastNonSpeculative = nonSpeculative;
    this.config.emit(ks.key, output, outputTimestamp, slot.window, pane);
  }

  /** Beam's PaneInfoTracker.describePane. millrace's PaneInfo has onTimeIndex 0 for early panes (Beam: -1). */
  private describePane(slot: Slot, isFinal: boolean): { pane: PaneInfo; nonSpeculative: number } {
    const maxTs = maxTimestampOf(slot.window);
    const prev = slot.lastPane;
    const isFirst = prev === undefined;
    const index = prev === undefined ? 0 : prev.index + 1;
    let nonSpeculative = prev === undefined ? 0 : slot.lastNonSpeculative + 1;
    const isLateForOutput = maxTs < this.outputWatermark;
    const onlyEarlyPanesSoFar = prev === undefined || prev.timing === "EARLY";
    const isEarlyForInput = !(this.inputWatermark > maxTs);
    let timing: PaneTiming;
    if (isLateForOutput || !onlyEarlyPanesSoFar) timing = "LATE";
    else if (isEarlyForInput) {
      timing = "EARLY";
      nonSpeculative = -1;
    } else timing = "ON_TIME";
    return {
      pane: { isFirst, isLast: isFinal, timing, index, onTimeIndex: timing === "EARLY" ? 0 : nonSpeculative },
      nonSpeculative,
    };
  }

  private clearReduceState(slot: Slot): void {
    slot.values = [];
    slot.acc = undefined;
    slot.hasAcc = false;
  }

  // ---------------------------------------------------------------- time

  advanceInputWatermark(watermark: number): void {
    if (watermark > this.inputWatermark) this.inputWatermark = watermark;
    const wm = this.inputWatermark;
    for (;;) {
      const due = this.collectDue(
        this.eventTimers,
        (s) => s.eventTimers,
        (s) => s.eventSeq,
        (t) => t < wm,
      );
      if (due.length === 0) break;
      for (const slot of due) this.onEventTimer(slot.ks, slot);
    }
    this.maybeCompactKeys();
    const hold = this.outputWatermarkHold();
    const out = Math.min(wm, hold);
    if (out > this.outputWatermark) this.outputWatermark = out;
  }

  /** A window activation by event time (Beam's onTimers, one window). */
  private onEventTimer(ks: KeyState, slot: Slot): void {
    if (ks.windows.get(slot.id) !== slot) return; // merged away or collected meanwhile
    const maxTs = maxTimestampOf(slot.window);
    if (this.inputWatermark > this.gcTime(slot.window)) {
      // Garbage collection: the final pane, whatever the trigger says.
      if (!slot.closed) this.onTrigger(ks, slot, true);
      this.deleteSlot(ks, slot);
      return;
    }
    if (!slot.closed && this.trigger.shouldFire(this.context(slot), slot.trigger)) this.emit(ks, slot);
    if (this.inputWatermark > maxTs) this.addEventTimer(slot, this.gcTime(slot.window));
  }

  advanceProcessingTime(now: number): void {
    if (now > this.processingTime) this.processingTime = now;
    const t = this.processingTime;
    for (;;) {
      // Beam (InMemoryTimerInternals): a timer fires once the time is strictly after it.
      const due = this.collectDue(
        this.processingTimers,
        (s) => s.processingTimers,
        (s) => s.processingSeq,
        (x) => t > x,
      );
      if (due.length === 0) break;
      for (const slot of due) {
        const ks = slot.ks;
        if (ks.windows.get(slot.id) !== slot) continue;
        // Processing-time timers of expired windows are ignored; GC is event time's business.
        if (this.inputWatermark > this.gcTime(slot.window)) continue;
        if (!slot.closed && this.trigger.shouldFire(this.context(slot), slot.trigger)) this.emit(ks, slot);
      }
    }
  }

  /**
   * Timers (as trigger deadlines) fire when processing time is strictly after
   * them, as in Beam, so the earliest time at which one fires is the earliest
   * deadline plus one millisecond.
   */
  nextProcessingTimeTimer(): number {
    return this.processingTimers.min() + 1;
  }

  outputWatermarkHold(): number {
    return Math.min(this.elementHolds.min(), this.extraHolds.min());
  }

  /** Removes the due timers and returns their slots, earliest timer first (each slot once). */
  private collectDue(
    index: TimeIndex<Slot>,
    timers: (s: Slot) => Set<number>,
    seqs: (s: Slot) => Map<number, number>,
    isDue: (t: number) => boolean,
  ): Slot[] {
    const due: Slot[] = [];
    const seen = new Set<Slot>();
    for (const t of index.dueTimes(isDue))
      for (const slot of [...index.itemsAt(t)].sort(
        // Ties by the order the timers were set: the live index's insertion order, also after a restore.
        (x, y) => windowStart(x.window) - windowStart(y.window) || (seqs(x).get(t) ?? 0) - (seqs(y).get(t) ?? 0),
      )) {
        index.remove(t, slot);
        timers(slot).delete(t);
        seqs(slot).delete(t);
        this.changes.mark(slot.ks);
        if (!seen.has(slot)) {
          seen.add(slot);
          due.push(slot);
        }
      }
    return due;
  }

  private addEventTimer(slot: Slot, t: number): void {
    if (slot.eventTimers.has(t)) return;
    slot.eventTimers.add(t);
    slot.eventSeq.set(t, this.timerSeq++);
    this.eventTimers.add(t, slot);
  }

  private setElementHold(slot: Slot, hold: number | undefined): void {
    if (slot.elementHold === hold) return;
    if (slot.elementHold !== undefined) this.elementHolds.remove(slot.elementHold, slot);
    slot.elementHold = hold;
    if (hold !== undefined) this.elementHolds.add(hold, slot);
  }

  private setExtraHold(slot: Slot, hold: number | undefined): void {
    if (slot.extraHold === hold) return;
    if (slot.extraHold !== undefined) this.extraHolds.remove(slot.extraHold, slot);
    slot.extraHold = hold;
    if (hold !== undefined) this.extraHolds.add(hold, slot);
  }

  // ---------------------------------------------------------------- checkpointing
  //
  // The bytes are written and read by checkpoint/reduce_fn_state_codec.ts and
  // changed keys recorded by checkpoint/changed_keys.ts; here the runner
  // decides what goes in and installs what comes back.

  /** The coders of a checkpoint; a clear error when checkpointing was not configured for buffered values or accumulators. */
  private stateCoders(method: string): ReduceStateCoders {
    const c = this.combineFn ? this.config.accumulatorCoder : this.config.valueCoder;
    if (!c) {
      const field = this.combineFn ? "accumulatorCoder" : "valueCoder";
      const what = this.combineFn ? "accumulators (combine mode)" : "buffered values (GroupByKey mode)";
      throw new Error(`ReduceFnRunner '${this.config.transform}': ${method} needs ReduceFnRunnerConfig.${field} to write ${what}`);
    }
    return { keyCoder: this.config.keyCoder, windowCoder: this.config.windowCoder, stateCoder: c, combining: this.combineFn !== undefined };
  }

  /** The state of the key named `identity`, or undefined when it holds none. */
  private keyStateOf(identity: string): KeyState | undefined {
    const key = keyOfIdentity(identity, this.config.keyCoder, this.config.transform);
    let created = false;
    const ks = this.keys.getOrCreate(key, (k) => {
      created = true;
      return { key: k, windows: new Map() };
    });
    // KeyedTable cannot delete: count the empty entry so that compaction drops it.
    if (created) this.emptyKeyDeletes++;
    return ks.windows.size > 0 ? ks : undefined;
  }

  /**
   * Bytes of everything held for each key: windows (the active and closed
   * ones, i.e. the merged-window set of sessions), buffered values or the
   * accumulator, trigger state, pane counters, holds, timers and closed flags.
   * Keys holding nothing are left out, so a requested identity missing from
   * the result means "no state" (a deletion in a delta).
   *
   * @param keys identities to snapshot (e.g. `drainChangedKeys().changed`); every key when omitted.
   * @throws Error when the value or accumulator coder needed was not configured.
   */
  snapshotKeys(keys?: Iterable<string>): Map<string, Uint8Array> {
    const coders = this.stateCoders("snapshotKeys");
    if (keys === undefined) this.changes.startFromFullSnapshot();
    else this.changes.start();
    const out = new Map<string, Uint8Array>();
    if (keys === undefined) {
      for (const ks of this.keys.entries())
        if (ks.windows.size > 0) out.set(identityOf(this.config.keyCoder, ks.key), encodeKeyState(ks, coders));
    } else {
      for (const id of keys) {
        if (out.has(id)) continue;
        const ks = this.keyStateOf(id);
        if (ks) out.set(id, encodeKeyState(ks, coders));
      }
    }
    return out;
  }

  /**
   * The keys touched since the last call, split into those still holding
   * state (`changed`: snapshot them) and those holding none (`removed`:
   * delete them from the checkpoint), then starts a new interval. When
   * tracking was not on from construction, the first call reports every key
   * holding state as changed, since earlier changes were not recorded.
   */
  drainChangedKeys(): { changed: Set<string>; removed: Set<string> } {
    return this.changes.drain(this.keys.entries());
  }

  /**
   * Replaces the state of key `identity` with a {@link snapshotKeys} blob
   * (normally on a fresh runner with the same config, after
   * {@link restoreWatermarks}). The key object is decoded from the blob with
   * the key coder. The restored key is not reported as changed.
   *
   * @throws CheckpointFormatError on bytes of another layout or a different trigger shape.
   */
  restoreKey(identity: string, bytes: Uint8Array): void {
    const coders = this.stateCoders("restoreKey");
    this.changes.start();
    const what = `ReduceFnRunner '${this.config.transform}' key state`;
    let key: unknown;
    const slots = decodeKeyState(bytes, coders, what, this.trigger.newState(), (k) => {
      if (identityOf(this.config.keyCoder, k) !== identity)
        throw new CheckpointFormatError(`${what}: the blob holds another key than the identity it was stored under (wrong key coder?)`);
      key = k;
    });
    const ks = this.keys.getOrCreate(key, (k) => ({ key: k, windows: new Map() }));
    const wasTracked = this.changes.has(ks);
    for (const s of [...ks.windows.values()]) this.deleteSlot(ks, s);
    for (const restored of slots) this.installSlot(ks, restored);
    if (!wasTracked) this.changes.forget(ks);
  }

  private installSlot(ks: KeyState, restored: RestoredSlot): void {
    const slot = this.newSlot(ks, restored.window);
    slot.closed = restored.closed;
    if (slot.closed) this.unindexActive(ks, slot);
    slot.hasAcc = restored.hasAcc;
    slot.newElements = restored.newElements;
    this.setElementHold(slot, restored.elementHold);
    this.setExtraHold(slot, restored.extraHold);
    slot.lastPane = restored.lastPane;
    slot.lastNonSpeculative = restored.lastNonSpeculative;
    slot.acc = restored.acc;
    slot.values = restored.values;
    slot.trigger = restored.trigger;
    for (const [timers, seqs, index, pending] of [
      [slot.eventTimers, slot.eventSeq, this.eventTimers, restored.eventTimers],
      [slot.processingTimers, slot.processingSeq, this.processingTimers, restored.processingTimers],
    ] as const) {
      for (const [t, seq] of pending) {
        timers.add(t);
        seqs.set(t, seq);
        index.add(t, slot);
        // Timers set after the restore must come after the restored ones.
        if (seq >= this.timerSeq) this.timerSeq = seq + 1;
      }
    }
  }

  /** Runner-level state: input and output watermarks, processing time, the timer order counter and the closed-window drop count. */
  snapshotWatermarks(): Uint8Array {
    return encodeRunnerHeader({
      inputWatermark: this.inputWatermark,
      outputWatermark: this.outputWatermark,
      processingTime: this.processingTime,
      timerSeq: this.timerSeq,
      droppedDueToClosedWindow: this._droppedDueToClosedWindow,
    });
  }

  /** Restores a {@link snapshotWatermarks} header (times only move forward: never lowers them). */
  restoreWatermarks(bytes: Uint8Array): void {
    const h = decodeRunnerHeader(bytes, `ReduceFnRunner '${this.config.transform}' header`);
    this.inputWatermark = Math.max(this.inputWatermark, h.inputWatermark);
    this.outputWatermark = Math.max(this.outputWatermark, h.outputWatermark);
    this.processingTime = Math.max(this.processingTime, h.processingTime);
    this.timerSeq = Math.max(this.timerSeq, h.timerSeq);
    this._droppedDueToClosedWindow = h.droppedDueToClosedWindow;
    this.changes.start();
  }

  // ---------------------------------------------------------------- helpers

  private gcTime(w: BoundedWindow): number {
    return garbageCollectionTime(w, this.strategy.allowedLatenessMs);
  }

  private dropped(n: number): void {
    this.config.onDroppedLateElements?.(n);
  }

  private context(slot: Slot): TriggerContext {
    return {
      window: slot.window,
      inputWatermark: this.inputWatermark,
      processingTime: this.processingTime,
      isMerging: this.merging,
      setEventTimer: (t) => this.addEventTimer(slot, t),
      setProcessingTimer: (t) => {
        if (slot.processingTimers.has(t)) return;
        slot.processingTimers.add(t);
        slot.processingSeq.set(t, this.timerSeq++);
        this.processingTimers.add(t, slot);
      },
    };
  }

  private newSlot(ks: KeyState, window: BoundedWindow): Slot {
    const slot: Slot = {
      ks,
      window,
      id: windowToString(window),
      values: [],
      acc: undefined,
      hasAcc: false,
      newElements: 0,
      elementHold: undefined,
      extraHold: undefined,
      lastPane: undefined,
      lastNonSpeculative: 0,
      trigger: this.trigger.newState(),
      closed: false,
      eventTimers: new Set(),
      processingTimers: new Set(),
      eventSeq: new Map(),
      processingSeq: new Map(),
    };
    ks.windows.set(slot.id, slot);
    this.slotCount++;
    if (this.merging && !isGlobalWindow(window)) {
      const active = (ks.activeByStart ??= []);
      active.splice(firstStartingAtOrAfter(active, window.start), 0, slot);
    }
    return slot;
  }

  /** Takes a slot out of its key's index of active interval windows (closed or deleted). */
  private unindexActive(ks: KeyState, slot: Slot): void {
    const active = ks.activeByStart;
    if (active === undefined || isGlobalWindow(slot.window)) return;
    const start = slot.window.start;
    // During a merge the merged window and a part may share a start for a moment.
    for (let at = firstStartingAtOrAfter(active, start); at < active.length && (active[at]!.window as IntervalWindow).start === start; at++)
      if (active[at] === slot) {
        active.splice(at, 1);
        return;
      }
  }

  private deleteSlot(ks: KeyState, slot: Slot): void {
    if (ks.windows.get(slot.id) !== slot) return;
    ks.windows.delete(slot.id);
    this.slotCount--;
    this.unindexActive(ks, slot);
    this.setElementHold(slot, undefined);
    this.setExtraHold(slot, undefined);
    for (const t of slot.eventTimers) this.eventTimers.remove(t, slot);
    for (const t of slot.processingTimers) this.processingTimers.remove(t, slot);
    slot.eventTimers.clear();
    slot.processingTimers.clear();
    slot.eventSeq.clear();
    slot.processingSeq.clear();
    this.changes.mark(ks);
    if (ks.windows.size === 0) this.emptyKeyDeletes++;
  }

  private emptyKeyDeletes = 0;
  /** KeyedTable cannot delete: rebuild it now and then so that finished keys do not pile up. */
  private maybeCompactKeys(): void {
    if (this.emptyKeyDeletes < 1024 || this.emptyKeyDeletes < this.keys.size / 2) return;
    this.emptyKeyDeletes = 0;
    const old = this.keys;
    this.keys = new KeyedTable<KeyState>(this.config.keyCoder);
    for (const ks of old.entries()) if (ks.windows.size > 0) this.keys.getOrCreate(ks.key, () => ks);
  }
}

/** The index of the first slot of `byStart` (disjoint interval windows by start, so also by end) ending after `t`. */
function firstEndingAfter(byStart: readonly Slot[], t: number): number {
  let lo = 0;
  let hi = byStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((byStart[mid]!.window as IntervalWindow).end > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The index of the first slot of `byStart` starting at or after `t`. */
function firstStartingAtOrAfter(byStart: readonly Slot[], t: number): number {
  let lo = 0;
  let hi = byStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((byStart[mid]!.window as IntervalWindow).start >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function windowStart(w: BoundedWindow): number {
  return isGlobalWindow(w) ? -Infinity : w.start;
}
