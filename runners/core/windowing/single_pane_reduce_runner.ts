/**
 * The windowed-aggregation fast path: a ReduceFnRunner for the windowing
 * strategies where every (key, window) emits exactly one pane, when the
 * watermark passes the end of its window (see `single_pane_eligibility.ts`
 * for which: non-merging windows, the default or a plain watermark trigger,
 * no allowed lateness, end-of-window or earliest timestamps).
 *
 * Why it can be compact: for those strategies Beam's ReduceFnRunner (ours in
 * `reduce_fn_runner.ts`) only ever does one thing per (key, window): it
 * collects the values until the end-of-window timer finds the input watermark
 * past the window's garbage-collection time (with no lateness, the same
 * instant), then emits the final pane (ON_TIME, index 0, isLast) and drops
 * the state. The trigger never fires earlier (its condition is the same
 * watermark test), no window ever closes early, and no processing-time timer
 * exists. So instead of a slot with its own timer, hold, trigger state and
 * four timer collections, this runner keeps, per window, one group of
 * (key -> accumulator) slots, and an index of the open windows by end
 * (a sorted array: few windows are open at once). The watermark walks the
 * index and fires whole groups; a fired group is dropped in one piece.
 *
 * What it keeps exactly as the general runner does (the differential test
 * runs both): late-data dropping and its counter, per-slot element and
 * garbage-collection holds (WatermarkHold's rules, including a hold that
 * would be behind the output watermark), the output watermark, the pane's
 * timestamp, timing and info, emission order (windows by end then start,
 * keys in the order they first came), and checkpoints per key (its own blob
 * layout, tagged `SINGLE_PANE_KEY_FORMAT`; it also restores the general
 * runner's blobs of the same strategy, so retained checkpoints survive the
 * switch to the fast path).
 */
import type { ReduceFnRunnerApi, ReduceFnRunnerCheckpointing, ReduceFnRunnerConfig } from "./reduce_fn_runner_api";
import type { BoundedWindow } from "../../../model/windows";
import { garbageCollectionTime, isGlobalWindow, maxTimestampOf } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import { MAX_TIMESTAMP } from "../../../model/time";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import type { TimestampCombiner } from "../../../sdk/windowing/windowing_strategy";
import { KeyedTable } from "../../../portability/harness/keyed_table";
import { addToPane, paneOutput } from "./pane_contents";
import { identityOf } from "../../../portability/values/canonical_key";
import { ChangedKeyTracker } from "../checkpoint/changed_keys";
import { CheckpointFormatError } from "../checkpoint/snapshot_codec";
import { decodeRunnerHeader, encodeRunnerHeader, keyOfIdentity } from "../checkpoint/reduce_fn_state_codec";
import { decodeSinglePaneKeyOrGeneral, encodeSinglePaneKey, type SinglePaneSlotState } from "../checkpoint/single_pane_state_codec";
import { triggerStateMachine } from "./triggers/trigger_state_machine";

/** The pane every (key, window) gets: its first and last, on time (or late, when the output watermark already passed the window). */
const ON_TIME_FINAL: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: "ON_TIME", index: 0, onTimeIndex: 0 });
const LATE_FINAL: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: "LATE", index: 0, onTimeIndex: 0 });

/** One key's state in one window. Holds are NaN when unset (as `undefined` in the general runner's slot). */
interface PaneSlot {
  readonly key: unknown;
  /** Combine mode: the accumulator (when `hasAcc`); buffer mode: the values array. */
  state: unknown;
  hasAcc: boolean;
  elementHold: number;
  extraHold: number;
  /** Replaced by a restore of its key: skipped until an element revives it. */
  dead: boolean;
  /** The change-tracking interval in which this slot was last reported (so marking costs one compare per element). */
  markedIn: number;
}

/** Every key's state in one window. */
interface WindowGroup {
  readonly window: BoundedWindow;
  readonly maxTs: number;
  readonly gcTime: number;
  /** Slots in the order their keys first came (the order panes are emitted in). */
  readonly slots: PaneSlot[];
  readonly byKey: KeyedTable<PaneSlot>;
  /** The smallest hold any slot of the group set (holds of these combiners only go down while a group lives). */
  minHold: number;
  /** Another open window with the same end (windows that differ only in start). */
  sameEnd: WindowGroup | undefined;
}

/** A ReduceFnRunner for single-pane windowing strategies; see the file header. */
export class SinglePaneReduceRunner implements ReduceFnRunnerApi, ReduceFnRunnerCheckpointing {
  private readonly combiner: TimestampCombiner;
  private readonly allowedLatenessMs: number;
  private readonly combineFn: CombineFn<unknown, unknown, unknown> | undefined;
  private readonly inputsAreAccumulators: boolean;
  /** Open windows by max timestamp, and their max timestamps ascending: the window-end index the watermark walks. */
  private readonly groupsByEnd = new Map<number, WindowGroup>();
  private readonly openEnds: number[] = [];
  /** The group the last element went to: in-order input keeps hitting it. */
  private lastGroup: WindowGroup | undefined;
  private liveSlots = 0;
  private inputWatermark = -Infinity;
  private outputWatermark = -Infinity;
  private processingTime = -Infinity;
  /** min over open groups of `minHold`; undefined when it must be recomputed (after a group fired). */
  private holdCache: number | undefined = Infinity;
  private readonly changes: ChangedKeyTracker<PaneSlot>;
  private markInterval = 0;

  constructor(private readonly config: ReduceFnRunnerConfig) {
    const w = config.windowing;
    this.combiner = w.timestampCombiner;
    this.allowedLatenessMs = w.allowedLatenessMs;
    this.combineFn = config.mode.kind === "combine" ? config.mode.fn : undefined;
    this.inputsAreAccumulators = config.mode.kind === "combine" && config.mode.inputsAreAccumulators;
    this.changes = new ChangedKeyTracker<PaneSlot>(
      config.trackChangedKeys === true,
      (slot) => this.keyHoldsState(slot.key),
      (slot) => identityOf(config.keyCoder, slot.key),
    );
  }

  /** Always 0: with these strategies no window closes before it is collected. */
  get droppedDueToClosedWindow(): number {
    return 0;
  }

  get activeWindowCount(): number {
    return this.liveSlots;
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
      const window = windows[i]!;
      const group = this.groupOf(window);
      // LateDataDroppingDoFnRunner: the window's GC time is behind the input watermark.
      if (group === undefined) {
        dropped++;
        continue;
      }
      const slot = this.slotOf(group, key);
      this.addHolds(group, slot, timestamp);
      addToPane(slot, value, this.combineFn, this.inputsAreAccumulators);
    }
    if (dropped > 0) this.config.onDroppedLateElements?.(dropped);
  }

  /** The open group of `window`, created when absent; undefined when the window is expired (late data). */
  private groupOf(window: BoundedWindow): WindowGroup | undefined {
    let group = this.lastGroup;
    if (group === undefined || !sameWindow(group.window, window)) {
      const maxTs = maxTimestampOf(window);
      group = this.groupsByEnd.get(maxTs);
      while (group !== undefined && !sameWindow(group.window, window)) group = group.sameEnd;
      if (group === undefined) {
        const gcTime = garbageCollectionTime(window, this.allowedLatenessMs);
        if (gcTime < this.inputWatermark) return undefined;
        group = this.openGroup(window, maxTs, gcTime);
      }
      this.lastGroup = group;
    }
    // An element may bring a watermark newer than the last advance: its window may be expired although not yet fired.
    return group.gcTime < this.inputWatermark ? undefined : group;
  }

  private openGroup(window: BoundedWindow, maxTs: number, gcTime: number): WindowGroup {
    const group: WindowGroup = {
      window,
      maxTs,
      gcTime,
      slots: [],
      byKey: new KeyedTable<PaneSlot>(this.config.keyCoder),
      minHold: Infinity,
      sameEnd: this.groupsByEnd.get(maxTs),
    };
    this.groupsByEnd.set(maxTs, group);
    if (group.sameEnd === undefined) insertSorted(this.openEnds, maxTs);
    return group;
  }

  private slotOf(group: WindowGroup, key: unknown): PaneSlot {
    // get() first: the common case (the key already has a slot) then makes no closure.
    const slot = group.byKey.get(key) ?? group.byKey.getOrCreate(key, (k) => this.newSlot(group, k));
    if (slot.dead) this.revive(slot);
    if (slot.markedIn !== this.markInterval) {
      slot.markedIn = this.markInterval;
      this.changes.mark(slot);
    }
    return slot;
  }

  private newSlot(group: WindowGroup, key: unknown): PaneSlot {
    const s: PaneSlot = {
      key,
      state: this.combineFn ? undefined : [],
      hasAcc: false,
      elementHold: NaN,
      extraHold: NaN,
      dead: false,
      markedIn: -1,
    };
    group.slots.push(s);
    this.liveSlots++;
    return s;
  }

  private revive(slot: PaneSlot): void {
    slot.dead = false;
    slot.state = this.combineFn ? undefined : [];
    slot.hasAcc = false;
    slot.elementHold = NaN;
    slot.extraHold = NaN;
    this.liveSlots++;
  }

  /** WatermarkHold.addHolds: the element's hold, or the GC hold when that would be too late. */
  private addHolds(group: WindowGroup, slot: PaneSlot, timestamp: number): void {
    const hold = this.combiner === "endOfWindow" ? group.maxTs : timestamp;
    if (!(hold < this.outputWatermark || group.maxTs < this.inputWatermark)) {
      const h = slot.elementHold;
      // endOfWindow keeps the newest contribution (always maxTs), earliest the smallest.
      slot.elementHold = h !== h || this.combiner === "endOfWindow" || hold < h ? hold : h;
      this.lowerHold(group, slot.elementHold);
      return;
    }
    let gc = group.gcTime;
    if (gc < this.inputWatermark) return;
    if (gc >= MAX_TIMESTAMP) gc = MAX_TIMESTAMP - 1;
    slot.extraHold = slot.extraHold !== slot.extraHold || gc < slot.extraHold ? gc : slot.extraHold;
    this.lowerHold(group, slot.extraHold);
  }

  private lowerHold(group: WindowGroup, hold: number): void {
    if (hold < group.minHold) group.minHold = hold;
    if (this.holdCache !== undefined && hold < this.holdCache) this.holdCache = hold;
  }

  // ---------------------------------------------------------------- time

  advanceInputWatermark(watermark: number): void {
    if (watermark > this.inputWatermark) this.inputWatermark = watermark;
    const wm = this.inputWatermark;
    // The end-of-window timer and the GC timer are one: due when the watermark passes the GC time.
    let due = 0;
    while (due < this.openEnds.length && this.firstGcTime(this.openEnds[due]!) < wm) due++;
    if (due > 0) {
      const ends = this.openEnds.splice(0, due);
      this.lastGroup = undefined;
      this.holdCache = undefined;
      for (const end of ends) this.fireGroupsEnding(end);
    }
    const out = Math.min(wm, this.outputWatermarkHold());
    if (out > this.outputWatermark) this.outputWatermark = out;
  }

  /** The GC time of the groups at `end` (they share the end, hence the GC time). */
  private firstGcTime(end: number): number {
    return this.groupsByEnd.get(end)!.gcTime;
  }

  /** Fires and drops every group ending at `end`, windows by start (as the general runner orders tied timers). */
  private fireGroupsEnding(end: number): void {
    const chain: WindowGroup[] = [];
    for (let g = this.groupsByEnd.get(end); g !== undefined; g = g.sameEnd) chain.push(g);
    this.groupsByEnd.delete(end);
    if (chain.length > 1) chain.sort((a, b) => windowStart(a.window) - windowStart(b.window));
    for (const group of chain) this.fire(group);
  }

  /** Beam's onTrigger for the final pane of every key of the window, then the state goes. */
  private fire(group: WindowGroup): void {
    const { maxTs, window } = group;
    const pane = maxTs < this.outputWatermark ? LATE_FINAL : ON_TIME_FINAL;
    const fn = this.combineFn;
    const tracking = this.changes.on;
    for (const slot of group.slots) {
      if (slot.dead) continue;
      slot.dead = true;
      this.liveSlots--;
      if (tracking) this.changes.mark(slot);
      // WatermarkHold.extractAndRelease: the held time, the window's end when none or later.
      const e = slot.elementHold;
      const x = slot.extraHold;
      let ts = e !== e ? x : x !== x ? e : e < x ? e : x;
      if (ts !== ts || ts > maxTs) ts = maxTs;
      const output = paneOutput(slot, fn);
      this.config.emit(slot.key, output, ts, window, pane);
    }
  }

  advanceProcessingTime(now: number): void {
    if (now > this.processingTime) this.processingTime = now;
  }

  /** No processing-time timers with these triggers. */
  nextProcessingTimeTimer(): number {
    return Infinity;
  }

  outputWatermarkHold(): number {
    if (this.holdCache === undefined) {
      let m = Infinity;
      for (const group of this.groupsByEnd.values())
        for (let g: WindowGroup | undefined = group; g !== undefined; g = g.sameEnd) if (g.minHold < m) m = g.minHold;
      this.holdCache = m;
    }
    return this.holdCache;
  }

  // ---------------------------------------------------------------- checkpointing

  private stateCoder(method: string): NonNullable<ReduceFnRunnerConfig["valueCoder"]> {
    const c = this.combineFn ? this.config.accumulatorCoder : this.config.valueCoder;
    if (!c) {
      const field = this.combineFn ? "accumulatorCoder" : "valueCoder";
      throw new Error(`ReduceFnRunner '${this.config.transform}': ${method} needs ReduceFnRunnerConfig.${field}`);
    }
    return c;
  }

  private *groups(): IterableIterator<WindowGroup> {
    for (const first of this.groupsByEnd.values()) for (let g: WindowGroup | undefined = first; g !== undefined; g = g.sameEnd) yield g;
  }

  private *allLiveSlots(): IterableIterator<PaneSlot> {
    for (const g of this.groups()) for (const s of g.slots) if (!s.dead) yield s;
  }

  /** The live slots of `key`, with their groups, windows by end. */
  private slotsOfKey(key: unknown): { group: WindowGroup; slot: PaneSlot }[] {
    const out: { group: WindowGroup; slot: PaneSlot }[] = [];
    for (const group of this.groups()) {
      const slot = group.byKey.get(key);
      if (slot !== undefined && !slot.dead) out.push({ group, slot });
    }
    return out;
  }

  private keyHoldsState(key: unknown): boolean {
    for (const group of this.groups()) {
      const slot = group.byKey.get(key);
      if (slot !== undefined && !slot.dead) return true;
    }
    return false;
  }

  private encodeKey(key: unknown, slots: readonly { group: WindowGroup; slot: PaneSlot }[]): Uint8Array {
    const states: SinglePaneSlotState[] = slots.map(({ group, slot }) => ({
      window: group.window,
      elementHold: slot.elementHold !== slot.elementHold ? undefined : slot.elementHold,
      extraHold: slot.extraHold !== slot.extraHold ? undefined : slot.extraHold,
      hasAcc: slot.hasAcc,
      state: slot.state,
    }));
    return encodeSinglePaneKey(key, states, this.codecCoders("snapshotKeys"));
  }

  private codecCoders(method: string): Parameters<typeof encodeSinglePaneKey>[2] {
    return {
      keyCoder: this.config.keyCoder,
      windowCoder: this.config.windowCoder,
      stateCoder: this.stateCoder(method),
      combining: this.combineFn !== undefined,
    };
  }

  snapshotKeys(keys?: Iterable<string>): Map<string, Uint8Array> {
    this.codecCoders("snapshotKeys");
    if (keys === undefined) this.changes.startFromFullSnapshot();
    else this.changes.start();
    this.markInterval++;
    const out = new Map<string, Uint8Array>();
    if (keys === undefined) {
      const byIdentity = new Map<string, { key: unknown; slots: { group: WindowGroup; slot: PaneSlot }[] }>();
      for (const group of this.groups())
        for (const slot of group.slots) {
          if (slot.dead) continue;
          const id = identityOf(this.config.keyCoder, slot.key);
          let entry = byIdentity.get(id);
          if (!entry) byIdentity.set(id, (entry = { key: slot.key, slots: [] }));
          entry.slots.push({ group, slot });
        }
      for (const [id, { key, slots }] of byIdentity) out.set(id, this.encodeKey(key, slots));
    } else {
      for (const id of keys) {
        if (out.has(id)) continue;
        const key = keyOfIdentity(id, this.config.keyCoder, this.config.transform);
        const slots = this.slotsOfKey(key);
        if (slots.length > 0) out.set(id, this.encodeKey(key, slots));
      }
    }
    return out;
  }

  drainChangedKeys(): { changed: Set<string>; removed: Set<string> } {
    this.markInterval++;
    return this.changes.drain(this.allLiveSlots());
  }

  restoreKey(identity: string, bytes: Uint8Array): void {
    const coders = this.codecCoders("restoreKey");
    this.changes.start();
    this.markInterval++;
    const what = `ReduceFnRunner '${this.config.transform}' key state`;
    const { key, slots } = decodeSinglePaneKeyOrGeneral(bytes, coders, what, () =>
      triggerStateMachine(this.config.windowing.trigger).newState(),
    );
    if (identityOf(this.config.keyCoder, key) !== identity)
      throw new CheckpointFormatError(`${what}: the blob holds another key than the identity it was stored under (wrong key coder?)`);
    for (const { slot } of this.slotsOfKey(key)) {
      slot.dead = true;
      this.liveSlots--;
    }
    for (const restored of slots) {
      const maxTs = maxTimestampOf(restored.window);
      let group = this.groupsByEnd.get(maxTs);
      while (group !== undefined && !sameWindow(group.window, restored.window)) group = group.sameEnd;
      group ??= this.openGroup(restored.window, maxTs, garbageCollectionTime(restored.window, this.allowedLatenessMs));
      const slot = this.slotOf(group, key);
      this.changes.forget(slot);
      slot.state = restored.state;
      slot.hasAcc = restored.hasAcc;
      slot.elementHold = restored.elementHold ?? NaN;
      slot.extraHold = restored.extraHold ?? NaN;
      if (restored.elementHold !== undefined) this.lowerHold(group, restored.elementHold);
      if (restored.extraHold !== undefined) this.lowerHold(group, restored.extraHold);
    }
    this.lastGroup = undefined;
  }

  /** Runner-level state, in the general runner's header layout (no timer counter, no closed windows here). */
  snapshotWatermarks(): Uint8Array {
    return encodeRunnerHeader({
      inputWatermark: this.inputWatermark,
      outputWatermark: this.outputWatermark,
      processingTime: this.processingTime,
      timerSeq: 0,
      droppedDueToClosedWindow: 0,
    });
  }

  restoreWatermarks(bytes: Uint8Array): void {
    const h = decodeRunnerHeader(bytes, `ReduceFnRunner '${this.config.transform}' header`);
    this.inputWatermark = Math.max(this.inputWatermark, h.inputWatermark);
    this.outputWatermark = Math.max(this.outputWatermark, h.outputWatermark);
    this.processingTime = Math.max(this.processingTime, h.processingTime);
    this.changes.start();
    this.markInterval++;
  }
}

function sameWindow(a: BoundedWindow, b: BoundedWindow): boolean {
  if (a === b) return true;
  if (isGlobalWindow(a) || isGlobalWindow(b)) return isGlobalWindow(a) && isGlobalWindow(b);
  return a.start === b.start && a.end === b.end;
}

function windowStart(w: BoundedWindow): number {
  return isGlobalWindow(w) ? -Infinity : w.start;
}

/** Inserts `x` into the ascending array `xs`; new windows usually end last, so search from the back. */
function insertSorted(xs: number[], x: number): void {
  let i = xs.length;
  while (i > 0 && xs[i - 1]! > x) i--;
  xs.splice(i, 0, x);
}
