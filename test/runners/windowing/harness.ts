/** Test harness: drives a ReduceFnRunner directly, in the style of Beam's ReduceFnTester. */
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import type { ReduceMode } from "../../../runners/core/windowing/reduce_fn_runner_api";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { JS_VALUE_CODER } from "../../../portability/coders";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo, PaneTiming } from "../../../model/pane";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";

export interface Pane {
  key: unknown;
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
  pane: PaneInfo;
}

export const pane = (isFirst: boolean, isLast: boolean, timing: PaneTiming, index: number, onTimeIndex: number): PaneInfo => ({
  isFirst,
  isLast,
  timing,
  index,
  onTimeIndex,
});

export const SUM: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, x) => a + x,
  mergeAccumulators: (accs) => accs.reduce((a, b) => a + b, 0),
  extractOutput: (a) => a,
};

export class Tester {
  readonly runner: ReduceFnRunner;
  readonly strategy: WindowingStrategy;
  private out: Pane[] = [];
  droppedCount = 0;
  wm = -Infinity;
  pt = 0;

  constructor(overrides: Partial<WindowingStrategy>, mode: ReduceMode = { kind: "buffer" }) {
    this.strategy = { ...GLOBAL_WINDOWING, onTimeBehavior: "fireIfNonEmpty", ...overrides };
    this.runner = new ReduceFnRunner({
      transform: "Test",
      windowing: this.strategy,
      keyCoder: JS_VALUE_CODER,
      mode,
      emit: (key, value, timestamp, window, p) =>
        this.out.push({ key, value: Array.isArray(value) ? [...value].sort((a, b) => a - b) : value, timestamp, window, pane: p }),
      onDroppedLateElements: (n) => (this.droppedCount += n),
    });
  }

  static combining(overrides: Partial<WindowingStrategy>): Tester {
    return new Tester(overrides, { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false });
  }

  /** Injects elements `value@timestamp` (the value is the timestamp unless given) for key "k". */
  inject(...elements: (number | [value: number, timestamp: number])[]): this {
    for (const e of elements) {
      const [value, ts] = typeof e === "number" ? [e, e] : e;
      this.injectFor("k", value, ts);
    }
    return this;
  }

  injectFor(key: unknown, value: unknown, ts: number): this {
    this.runner.processElement(key, value, ts, assignWindows(this.strategy.windowFn, ts), this.wm, this.pt);
    return this;
  }

  advanceWatermark(wm: number): this {
    this.wm = wm;
    this.runner.advanceInputWatermark(wm);
    return this;
  }

  advanceProcessingTime(pt: number): this {
    this.pt = pt;
    this.runner.advanceProcessingTime(pt);
    return this;
  }

  /** The panes emitted since the last call. */
  take(): Pane[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /** The panes since the last call, as `{ value, timestamp, window, pane }` (key dropped). */
  takeShort(): { value: unknown; timestamp: number; window: BoundedWindow; pane: PaneInfo }[] {
    return this.take().map(({ value, timestamp, window, pane }) => ({ value, timestamp, window, pane }));
  }
}

export const w = (start: number, end: number): BoundedWindow => ({ start, end });
export const fixed = (sizeMs: number) => ({ kind: "fixed" as const, sizeMs, offsetMs: 0 });
