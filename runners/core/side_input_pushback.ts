/**
 * Main-input elements that wait for their side inputs (Beam's
 * PushbackSideInputDoFnRunner), one rule for every runner.
 *
 * An element is fed one window at a time. A window is ready when, for each
 * side input the stage reads, the side window it maps to is complete: that
 * side input's own watermark has passed the end of that side window
 * (`sideWindowCompleteAfter`). This is Beam's documented rule: the pushback
 * runner asks, view by view, whether the side input window is ready, so
 * each side input is judged against its own watermark (a slow side input
 * does not delay a window of another that is complete). Elements not ready
 * are kept, grouped by the side watermarks that release them; their
 * earliest timestamp holds the stage's output watermark.
 */
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { WindowedValue } from "../../model/windowed_value";
import type { BoundedWindow } from "../../model/windows";
import { LastWindowMemo } from "../../portability/windowing/last_window_memo";
import { sideWindowCompleteAfter, type SideWindowFn } from "./side_input_views";

/** The current watermark of a side input PCollection (-Infinity when unknown). */
export type SideWatermarkOf = (pc: string) => number;

/** Elements released together: those whose side windows complete at the same points. */
interface Group {
  /** Per side input (in the stage's order), the side watermark must pass this. */
  readonly completeAfter: readonly number[];
  readonly elements: WindowedValue[];
  minTimestamp: number;
}

/** The elements a stage keeps until its side input windows are complete. */
export class SideInputPushback {
  private readonly pcollections: readonly string[];
  private readonly windowFns: readonly SideWindowFn[];
  private readonly groups = new Map<string, Group>();
  private cachedMin = Infinity;
  private count = 0;
  /** What the main window seen last waits for, and the group its kept elements go to (forgotten at a release). */
  private readonly lastWait = new LastWindowMemo<{ completeAfter: number[]; group?: Group }>((mainWindow) => ({
    completeAfter: this.windowFns.map((fn) => sideWindowCompleteAfter(mainWindow, fn)),
  }));

  /** @param sides the side input PCollections the stage reads, with how each is windowed */
  constructor(sides: ReadonlyMap<string, SideWindowFn>) {
    this.pcollections = [...sides.keys()];
    this.windowFns = [...sides.values()];
  }

  /** True when the stage reads side inputs (otherwise every element is fed at once). */
  get hasSideInputs(): boolean {
    return this.pcollections.length > 0;
  }

  /** Per side input, the watermark it must pass before `mainWindow` may read it. */
  completeAfter(mainWindow: BoundedWindow): number[] {
    return this.lastWait.get(mainWindow).completeAfter;
  }

  /** True when every side window `mainWindow` reads is complete. */
  isReady(mainWindow: BoundedWindow, watermarkOf: SideWatermarkOf): boolean {
    let completeAfter: number[] | undefined;
    for (let i = 0; i < this.pcollections.length; i++) {
      const wm = watermarkOf(this.pcollections[i]!);
      // Every side window is complete at the end of time: no need to map windows then.
      if (wm === Infinity) continue;
      completeAfter ??= this.completeAfter(mainWindow);
      if (wm <= completeAfter[i]!) return false;
    }
    return true;
  }

  /**
   * Feeds `input` each element's windows whose side inputs are ready, one
   * window at a time (an element in one window is passed as it is); keeps the
   * others. Without side inputs, elements are passed as they are.
   */
  feed(elements: Iterable<WindowedValue>, watermarkOf: SideWatermarkOf, input: ElementReceiver): void {
    if (!this.hasSideInputs) {
      for (const wv of elements) input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
      return;
    }
    for (const wv of elements) {
      const single = wv.windows.length === 1;
      for (const w of wv.windows) {
        const one = single ? wv : { value: wv.value, timestamp: wv.timestamp, windows: [w], pane: wv.pane };
        if (this.isReady(w, watermarkOf)) input.receive(one.value, one.timestamp, one.windows, one.pane);
        else this.keep(one);
      }
    }
  }

  /** Keeps an element in one window without looking at the side inputs (a restored one, say). */
  keep(wv: WindowedValue): void {
    const wait = this.lastWait.get(wv.windows[0]!);
    let g = wait.group;
    if (g === undefined) {
      const key = wait.completeAfter.join(",");
      g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { completeAfter: wait.completeAfter, elements: [], minTimestamp: Infinity }));
      wait.group = g;
    }
    g.elements.push(wv);
    if (wv.timestamp < g.minTimestamp) g.minTimestamp = wv.timestamp;
    if (wv.timestamp < this.cachedMin) this.cachedMin = wv.timestamp;
    this.count++;
  }

  /** True when some kept element's side windows are now complete. */
  hasReleasable(watermarkOf: SideWatermarkOf): boolean {
    for (const g of this.groups.values()) if (this.released(g, watermarkOf)) return true;
    return false;
  }

  /** Feeds `input` the kept elements whose side windows are now complete, in the order they came; returns how many. */
  release(watermarkOf: SideWatermarkOf, input: ElementReceiver): number {
    const out = this.takeReleased(watermarkOf);
    for (const wv of out) input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
    return out.length;
  }

  /** Takes out the kept elements whose side windows are now complete. */
  takeReleased(watermarkOf: SideWatermarkOf): WindowedValue[] {
    const out: WindowedValue[] = [];
    for (const [key, g] of this.groups) {
      if (!this.released(g, watermarkOf)) continue;
      this.groups.delete(key);
      // The remembered group may be this one: forget it, so that the next element kept opens a live group.
      this.lastWait.clear();
      for (const wv of g.elements) out.push(wv);
    }
    if (out.length > 0) {
      this.count -= out.length;
      this.cachedMin = Infinity;
      for (const g of this.groups.values()) if (g.minTimestamp < this.cachedMin) this.cachedMin = g.minTimestamp;
    }
    return out;
  }

  private released(g: Group, watermarkOf: SideWatermarkOf): boolean {
    for (let i = 0; i < this.pcollections.length; i++) if (watermarkOf(this.pcollections[i]!) <= g.completeAfter[i]!) return false;
    return true;
  }

  /** The earliest timestamp kept (it holds the stage's output watermark), or Infinity. */
  get minTimestamp(): number {
    return this.cachedMin;
  }

  /** How many elements (one window each) are kept. */
  get size(): number {
    return this.count;
  }

  /** Every kept element, for snapshots and state stores. */
  elements(): WindowedValue[] {
    const out: WindowedValue[] = [];
    for (const g of this.groups.values()) for (const wv of g.elements) out.push(wv);
    return out;
  }
}
