/**
 * Trigger state machines: the runtime form of a {@link TriggerSpec}, after
 * Beam's `TriggerStateMachine` family (runners-core). A machine is a tree of
 * stateless nodes; the state of one window lives in a parallel tree of
 * {@link TriggerState} objects (Beam's finished bits plus each trigger's own
 * state cells), so that it can be copied, merged and cleared per window.
 *
 * Protocol, as in Beam's ReduceFnRunner:
 * - `onElement` for every element added to an open window;
 * - `onMerge` when windows merge (sessions), with the states of the merging windows;
 * - `shouldFire` after elements and on timers; when true, `onFire` then the pane is emitted;
 * - the root being `finished` after `onFire` closes the window.
 */
import type { TriggerSpec } from "../../../../sdk/windowing/windowing_strategy";
import { maxTimestampOf, type BoundedWindow } from "../../../../model/windows";

/** Per-window state of one node of a trigger tree. */
export interface TriggerState {
  /** Beam's finished bit for this node. */
  finished: boolean;
  /** AfterCount: elements counted in the current pane. */
  count: number;
  /** AfterProcessingTime: the processing time at which the node is ready (Beam's DELAYED_UNTIL). */
  delayedUntil: number | undefined;
  /** The states of the sub-triggers, in order. */
  readonly children: TriggerState[];
}

/** What a trigger sees of its window and of time. */
export interface TriggerContext {
  readonly window: BoundedWindow;
  /** Beam's `currentEventTime()`: the input watermark. */
  readonly inputWatermark: number;
  readonly processingTime: number;
  /** True when the window fn merges windows (Beam's `isMerging`). */
  readonly isMerging: boolean;
  setEventTimer(timestamp: number): void;
  setProcessingTimer(timestamp: number): void;
}

/** A node of a trigger state machine. Stateless: all state is in the {@link TriggerState} passed in. */
export abstract class TriggerStateMachine {
  constructor(readonly subTriggers: readonly TriggerStateMachine[] = []) {}

  /** A fresh, unfinished state tree for this node. */
  newState(): TriggerState {
    return { finished: false, count: 0, delayedUntil: undefined, children: this.subTriggers.map((t) => t.newState()) };
  }

  abstract onElement(c: TriggerContext, s: TriggerState): void;
  /** `s` is the merged window's state (to be written); `sources` are this node's states in each merging window. */
  abstract onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void;
  abstract shouldFire(c: TriggerContext, s: TriggerState): boolean;
  abstract onFire(c: TriggerContext, s: TriggerState): void;

  /** Clears this node's own state cells and those of its sub-triggers (not the finished bits), as Beam's `clear`. */
  clear(s: TriggerState): void {
    s.count = 0;
    s.delayedUntil = undefined;
    this.subTriggers.forEach((t, i) => t.clear(s.children[i]!));
  }

  /** Clears state and finished bits of the whole subtree (Beam's `resetTree`). */
  resetTree(s: TriggerState): void {
    s.finished = false;
    s.count = 0;
    s.delayedUntil = undefined;
    this.subTriggers.forEach((t, i) => t.resetTree(s.children[i]!));
  }
}

const endOfWindowReached = (c: TriggerContext): boolean => c.inputWatermark > maxTimestampOf(c.window);
const anyFinished = (sources: readonly TriggerState[]): boolean => sources.some((x) => x.finished);
const allFinished = (sources: readonly TriggerState[]): boolean => sources.every((x) => x.finished);
const childSources = (sources: readonly TriggerState[], i: number): TriggerState[] => sources.map((x) => x.children[i]!);

/** Deep copy of a state tree. */
export function copyTriggerState(s: TriggerState): TriggerState {
  return { finished: s.finished, count: s.count, delayedUntil: s.delayedUntil, children: s.children.map(copyTriggerState) };
}

/** Beam's DefaultTriggerStateMachine: ready whenever the watermark is past the end of the window; never finishes. */
class DefaultTrigger extends TriggerStateMachine {
  onElement(c: TriggerContext): void {
    c.setEventTimer(maxTimestampOf(c.window));
  }
  onMerge(c: TriggerContext): void {
    c.setEventTimer(maxTimestampOf(c.window));
  }
  shouldFire(c: TriggerContext): boolean {
    return endOfWindowReached(c);
  }
  onFire(): void {}
}

/** Beam's NeverStateMachine: never ready; the window's content comes out at garbage collection. */
class NeverTrigger extends TriggerStateMachine {
  onElement(): void {}
  onMerge(): void {}
  shouldFire(): boolean {
    return false;
  }
  onFire(_c: TriggerContext, s: TriggerState): void {
    s.finished = true;
  }
}

/** Beam's AfterPaneStateMachine (elementCountAtLeast): a once-trigger. */
class AfterCountTrigger extends TriggerStateMachine {
  constructor(private readonly n: number) {
    super();
  }
  onElement(_c: TriggerContext, s: TriggerState): void {
    s.count++;
  }
  onMerge(_c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    // Finished in some merging window: finished for good. Otherwise the counts add up.
    if (anyFinished(sources)) {
      s.finished = true;
      s.count = 0;
      return;
    }
    s.count = sources.reduce((n, x) => n + x.count, 0);
  }
  shouldFire(_c: TriggerContext, s: TriggerState): boolean {
    return s.count >= this.n;
  }
  onFire(_c: TriggerContext, s: TriggerState): void {
    s.count = 0;
    s.finished = true;
  }
}

/**
 * Beam's AfterDelayFromFirstElementStateMachine (AfterProcessingTime and
 * AfterSynchronizedProcessingTime): ready once processing time reaches the
 * first element's processing time plus the delay, aligned up when asked.
 */
class AfterProcessingTimeTrigger extends TriggerStateMachine {
  constructor(
    private readonly delayMs: number,
    private readonly alignToMs: number | undefined,
    private readonly offsetMs: number,
  ) {
    super();
  }
  target(now: number): number {
    let t = now + this.delayMs;
    if (this.alignToMs !== undefined && this.alignToMs > 0) {
      const since = (((t - this.offsetMs) % this.alignToMs) + this.alignToMs) % this.alignToMs;
      if (since !== 0) t = t + this.alignToMs - since;
    }
    return t;
  }
  onElement(c: TriggerContext, s: TriggerState): void {
    if (s.delayedUntil !== undefined) return;
    s.delayedUntil = this.target(c.processingTime);
    c.setProcessingTimer(s.delayedUntil);
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    if (anyFinished(sources)) {
      s.finished = true;
      s.delayedUntil = undefined;
      return;
    }
    let earliest: number | undefined;
    for (const x of sources)
      if (x.delayedUntil !== undefined && (earliest === undefined || x.delayedUntil < earliest)) earliest = x.delayedUntil;
    s.delayedUntil = earliest;
    if (earliest !== undefined) c.setProcessingTimer(earliest);
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    // Beam: `currentTime.isAfter(delayedUntil)`, strictly after (so a zero delay waits for time to move).
    return s.delayedUntil !== undefined && c.processingTime > s.delayedUntil;
  }
  onFire(_c: TriggerContext, s: TriggerState): void {
    s.delayedUntil = undefined;
    s.finished = true;
  }
}

/** Beam's AfterWatermarkStateMachine.FromEndOfWindow: a once-trigger ready when the watermark passes the end of the window. */
class AfterWatermarkTrigger extends TriggerStateMachine {
  onElement(c: TriggerContext): void {
    c.setEventTimer(maxTimestampOf(c.window));
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    // Still active in any merging window, or the end of the merged window not reached: active again.
    s.finished = allFinished(sources) && endOfWindowReached(c);
    if (!s.finished) c.setEventTimer(maxTimestampOf(c.window));
  }
  shouldFire(c: TriggerContext): boolean {
    return endOfWindowReached(c);
  }
  onFire(_c: TriggerContext, s: TriggerState): void {
    s.finished = true;
  }
}

const EARLY = 0;
const LATE = 1;

/** Beam's AfterWatermarkEarlyAndLate: early firings (implicitly repeated) until the end of the window, then late firings (implicitly repeated). */
class AfterWatermarkEarlyLateTrigger extends TriggerStateMachine {
  private readonly hasLate: boolean;
  constructor(early: TriggerStateMachine, late: TriggerStateMachine | undefined) {
    super(late ? [early, late] : [early]);
    this.hasLate = late !== undefined;
  }
  private get early(): TriggerStateMachine {
    return this.subTriggers[EARLY]!;
  }
  private get late(): TriggerStateMachine {
    return this.subTriggers[LATE]!;
  }
  onElement(c: TriggerContext, s: TriggerState): void {
    c.setEventTimer(maxTimestampOf(c.window));
    if (!c.isMerging) {
      // Only the running phase sees elements.
      if (!s.children[EARLY]!.finished) this.early.onElement(c, s.children[EARLY]!);
      else if (this.hasLate) this.late.onElement(c, s.children[LATE]!);
    } else {
      this.early.onElement(c, s.children[EARLY]!);
      if (this.hasLate) this.late.onElement(c, s.children[LATE]!);
    }
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    const earlySources = childSources(sources, EARLY);
    if (!allFinished(earlySources) || !endOfWindowReached(c)) {
      // Still in the early phase in the merged window.
      this.early.onMerge(c, s.children[EARLY]!, earlySources);
      s.children[EARLY]!.finished = false;
      if (this.hasLate) {
        s.children[LATE]!.finished = false;
        this.late.clear(s.children[LATE]!);
      }
      c.setEventTimer(maxTimestampOf(c.window));
    } else {
      s.children[EARLY]!.finished = true;
      if (this.hasLate) this.late.onMerge(c, s.children[LATE]!, childSources(sources, LATE));
    }
    s.finished = false;
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    if (!s.children[EARLY]!.finished) return this.early.shouldFire(c, s.children[EARLY]!) || endOfWindowReached(c);
    if (!this.hasLate) return false;
    return this.late.shouldFire(c, s.children[LATE]!);
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    const early = s.children[EARLY]!;
    if (!early.finished) {
      if (!endOfWindowReached(c)) {
        // Early firing; the early trigger repeats.
        this.early.onFire(c, early);
        this.early.resetTree(early);
      } else {
        // The on-time firing: the early phase is over, the late phase starts clean.
        if (this.early.shouldFire(c, early)) this.early.onFire(c, early);
        this.early.clear(early);
        early.finished = true;
        if (!this.hasLate) s.finished = true;
        else this.late.resetTree(s.children[LATE]!);
      }
    } else if (this.hasLate) {
      const late = s.children[LATE]!;
      this.late.onFire(c, late);
      this.late.resetTree(late);
    } else {
      s.finished = true;
    }
  }
}

/** Beam's RepeatedlyStateMachine: fires as its sub-trigger, resetting it whenever it finishes; never finishes. */
class RepeatedlyTrigger extends TriggerStateMachine {
  private get sub(): TriggerStateMachine {
    return this.subTriggers[0]!;
  }
  onElement(c: TriggerContext, s: TriggerState): void {
    this.sub.onElement(c, s.children[0]!);
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    this.sub.onMerge(c, s.children[0]!, childSources(sources, 0));
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    return this.sub.shouldFire(c, s.children[0]!);
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    const sub = s.children[0]!;
    this.sub.onFire(c, sub);
    if (sub.finished) this.sub.resetTree(sub);
  }
}

/** Beam's AfterFirstStateMachine (AfterAny): a once-trigger ready when any sub-trigger is. */
class AfterFirstTrigger extends TriggerStateMachine {
  onElement(c: TriggerContext, s: TriggerState): void {
    this.subTriggers.forEach((t, i) => t.onElement(c, s.children[i]!));
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    this.subTriggers.forEach((t, i) => t.onMerge(c, s.children[i]!, childSources(sources, i)));
    s.finished = s.children.some((x) => x.finished);
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    return this.subTriggers.some((t, i) => s.children[i]!.finished || t.shouldFire(c, s.children[i]!));
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    this.subTriggers.forEach((t, i) => {
      if (t.shouldFire(c, s.children[i]!)) t.onFire(c, s.children[i]!);
    });
    s.finished = true;
  }
}

/** Beam's AfterAllStateMachine: a once-trigger ready when every sub-trigger is ready or finished. */
class AfterAllTrigger extends TriggerStateMachine {
  onElement(c: TriggerContext, s: TriggerState): void {
    this.subTriggers.forEach((t, i) => {
      if (!s.children[i]!.finished) t.onElement(c, s.children[i]!);
    });
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    this.subTriggers.forEach((t, i) => t.onMerge(c, s.children[i]!, childSources(sources, i)));
    s.finished = s.children.every((x) => x.finished);
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    return this.subTriggers.every((t, i) => s.children[i]!.finished || t.shouldFire(c, s.children[i]!));
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    this.subTriggers.forEach((t, i) => {
      if (!s.children[i]!.finished) t.onFire(c, s.children[i]!);
    });
    s.finished = true;
  }
}

/** Beam's AfterEachStateMachine: fires as each sub-trigger in turn; finished when the last one is. */
class AfterEachTrigger extends TriggerStateMachine {
  private firstUnfinished(s: TriggerState): number {
    return s.children.findIndex((x) => !x.finished);
  }
  onElement(c: TriggerContext, s: TriggerState): void {
    if (!c.isMerging) {
      const i = this.firstUnfinished(s);
      if (i >= 0) this.subTriggers[i]!.onElement(c, s.children[i]!);
    } else {
      // Merging: every sub-trigger sees elements, as merges may re-activate earlier ones.
      this.subTriggers.forEach((t, i) => t.onElement(c, s.children[i]!));
    }
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    let priorAllFinished = true;
    this.subTriggers.forEach((t, i) => {
      if (priorAllFinished) {
        t.onMerge(c, s.children[i]!, childSources(sources, i));
        priorAllFinished = s.children[i]!.finished;
      } else {
        t.resetTree(s.children[i]!);
      }
    });
    this.updateFinished(s);
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    const i = this.firstUnfinished(s);
    return i >= 0 && this.subTriggers[i]!.shouldFire(c, s.children[i]!);
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    const i = this.firstUnfinished(s);
    if (i < 0) return;
    this.subTriggers[i]!.onFire(c, s.children[i]!);
    // The sub-triggers after the running one start clean (they may have run in parallel while merging).
    for (let j = i + 1; j < this.subTriggers.length; j++) this.subTriggers[j]!.resetTree(s.children[j]!);
    this.updateFinished(s);
  }
  private updateFinished(s: TriggerState): void {
    s.finished = this.firstUnfinished(s) < 0;
  }
}

const ACTUAL = 0;
const UNTIL = 1;

/** Beam's OrFinallyStateMachine: fires as `main` until `until` fires (that firing is the last). */
class OrFinallyTrigger extends TriggerStateMachine {
  onElement(c: TriggerContext, s: TriggerState): void {
    this.subTriggers[ACTUAL]!.onElement(c, s.children[ACTUAL]!);
    this.subTriggers[UNTIL]!.onElement(c, s.children[UNTIL]!);
  }
  onMerge(c: TriggerContext, s: TriggerState, sources: readonly TriggerState[]): void {
    this.subTriggers.forEach((t, i) => t.onMerge(c, s.children[i]!, childSources(sources, i)));
    s.finished = s.children.some((x) => x.finished);
  }
  shouldFire(c: TriggerContext, s: TriggerState): boolean {
    return this.subTriggers[ACTUAL]!.shouldFire(c, s.children[ACTUAL]!) || this.subTriggers[UNTIL]!.shouldFire(c, s.children[UNTIL]!);
  }
  onFire(c: TriggerContext, s: TriggerState): void {
    const actual = this.subTriggers[ACTUAL]!;
    const until = this.subTriggers[UNTIL]!;
    if (until.shouldFire(c, s.children[UNTIL]!)) {
      until.onFire(c, s.children[UNTIL]!);
      actual.clear(s.children[ACTUAL]!);
    } else {
      // `until` keeps its state across firings of `main`.
      actual.onFire(c, s.children[ACTUAL]!);
    }
    s.finished = s.children.some((x) => x.finished);
  }
}

/** The state machine of a trigger spec (Beam's `TriggerStateMachines.stateMachineForTrigger`). */
export function triggerStateMachine(spec: TriggerSpec): TriggerStateMachine {
  switch (spec.kind) {
    case "default":
      return new DefaultTrigger();
    case "never":
      return new NeverTrigger();
    case "always":
      // Beam's Trigger.Always: Repeatedly.forever(AfterPane.elementCountAtLeast(1)).
      return new RepeatedlyTrigger([new AfterCountTrigger(1)]);
    case "afterCount":
      return new AfterCountTrigger(spec.count);
    case "afterProcessingTime":
      return new AfterProcessingTimeTrigger(spec.delayMs, spec.alignToMs, spec.offsetMs ?? 0);
    case "afterSynchronizedProcessingTime":
      // On a single machine synchronized processing time is processing time, with no delay.
      return new AfterProcessingTimeTrigger(0, undefined, 0);
    case "afterWatermark":
      if (!spec.early && !spec.late) return new AfterWatermarkTrigger();
      return new AfterWatermarkEarlyLateTrigger(
        spec.early ? triggerStateMachine(spec.early) : new NeverTrigger(),
        spec.late ? triggerStateMachine(spec.late) : undefined,
      );
    case "repeatedly":
      return new RepeatedlyTrigger([triggerStateMachine(spec.trigger)]);
    case "afterEach":
      if (spec.triggers.length === 0) throw new Error("afterEach needs at least one trigger");
      return new AfterEachTrigger(spec.triggers.map(triggerStateMachine));
    case "afterFirst":
      if (spec.triggers.length === 0) throw new Error("afterFirst needs at least one trigger");
      return new AfterFirstTrigger(spec.triggers.map(triggerStateMachine));
    case "afterAll":
      if (spec.triggers.length === 0) throw new Error("afterAll needs at least one trigger");
      return new AfterAllTrigger(spec.triggers.map(triggerStateMachine));
    case "orFinally":
      return new OrFinallyTrigger([triggerStateMachine(spec.main), triggerStateMachine(spec.until)]);
  }
}
