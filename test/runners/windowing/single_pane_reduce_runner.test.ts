/**
 * The single-pane fast path alone: which strategies it takes, and table-driven
 * cases with a fake watermark (elements, watermark steps, the panes expected
 * after each step, following Beam's ReduceFnRunner / PaneInfoTracker /
 * WatermarkHold), plus its checkpoints. The differential test
 * (`single_pane_differential.test.ts`) checks it against the general runner.
 */
import { expect } from "chai";
import { SinglePaneReduceRunner } from "../../../runners/core/windowing/single_pane_reduce_runner";
import { singlePaneMismatch, windowFastPathEnabled } from "../../../runners/core/windowing/single_pane_eligibility";
import type { ReduceMode, ReduceFnRunnerConfig } from "../../../runners/core/windowing/reduce_fn_runner_api";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import { fullCheckpoint, deltaCheckpoint, restoreCheckpoint, HEADER_ENTRY } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { CheckpointFormatError } from "../../../runners/core/checkpoint/snapshot_codec";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { JS_VALUE_CODER } from "../../../portability/coders";
import { identityOf } from "../../../portability/values/canonical_key";
import { GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import { GLOBAL_WINDOW_MAX_TIMESTAMP } from "../../../model/time";
import type { PaneInfo } from "../../../model/pane";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { SUM, fixed, pane, w } from "./harness";

const ON_TIME = pane(true, true, "ON_TIME", 0, 0);
const sliding = (sizeMs: number, periodMs: number) => ({ kind: "sliding" as const, sizeMs, periodMs, offsetMs: 0 });
const SUM_MODE: ReduceMode = { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false };
const LIFTED_SUM_MODE: ReduceMode = { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: true };

interface Emitted {
  key: unknown;
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
  pane: PaneInfo;
}

/** A fast-path runner with a fake watermark, recording what it emits and drops. */
class FastTester {
  readonly runner: SinglePaneReduceRunner;
  readonly strategy: WindowingStrategy;
  out: Emitted[] = [];
  dropped = 0;
  wm = -Infinity;

  constructor(overrides: Partial<WindowingStrategy>, mode: ReduceMode, extra: Partial<ReduceFnRunnerConfig> = {}) {
    this.strategy = { ...GLOBAL_WINDOWING, ...overrides };
    this.runner = new SinglePaneReduceRunner(configFor(this.strategy, mode, this, extra));
  }

  inject(key: unknown, value: unknown, ts: number, wm = this.wm): this {
    this.runner.processElement(key, value, ts, assignWindows(this.strategy.windowFn, ts), wm, 0);
    return this;
  }

  advance(wm: number): this {
    this.wm = wm;
    this.runner.advanceInputWatermark(wm);
    return this;
  }

  take(): Emitted[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}

function configFor(
  windowing: WindowingStrategy,
  mode: ReduceMode,
  sink: { out: Emitted[]; dropped: number },
  extra: Partial<ReduceFnRunnerConfig> = {},
): ReduceFnRunnerConfig {
  return {
    transform: "Count",
    windowing,
    keyCoder: JS_VALUE_CODER,
    mode,
    emit: (key, value, timestamp, window, p) => sink.out.push({ key, value, timestamp, window, pane: p }),
    onDroppedLateElements: (n) => (sink.dropped += n),
    ...extra,
  };
}

describe("single-pane fast path: which windowing strategies take it", () => {
  const cases: { name: string; strategy: Partial<WindowingStrategy>; mismatch: string | undefined }[] = [
    { name: "global window, default trigger (batch GroupByKey)", strategy: {}, mismatch: undefined },
    { name: "fixed windows", strategy: { windowFn: fixed(1000) }, mismatch: undefined },
    { name: "sliding windows", strategy: { windowFn: sliding(2000, 1000) }, mismatch: undefined },
    {
      name: "AfterWatermark without early or late firings",
      strategy: { windowFn: fixed(10), trigger: { kind: "afterWatermark" } },
      mismatch: undefined,
    },
    { name: "earliest timestamps", strategy: { windowFn: fixed(10), timestampCombiner: "earliest" }, mismatch: undefined },
    {
      name: "accumulating mode (one pane: the same)",
      strategy: { windowFn: fixed(10), accumulation: "accumulating" },
      mismatch: undefined,
    },
    { name: "sessions", strategy: { windowFn: { kind: "sessions", gapMs: 10 } }, mismatch: "merging windows" },
    {
      name: "early firings",
      strategy: { windowFn: fixed(10), trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 1 } } },
      mismatch: "trigger afterWatermark",
    },
    {
      name: "late firings",
      strategy: { windowFn: fixed(10), trigger: { kind: "afterWatermark", late: { kind: "afterCount", count: 1 } } },
      mismatch: "trigger afterWatermark",
    },
    {
      name: "a count trigger",
      strategy: { trigger: { kind: "repeatedly", trigger: { kind: "afterCount", count: 2 } } },
      mismatch: "trigger repeatedly",
    },
    { name: "allowed lateness", strategy: { windowFn: fixed(10), allowedLatenessMs: 5 }, mismatch: "allowed lateness" },
    { name: "latest timestamps", strategy: { windowFn: fixed(10), timestampCombiner: "latest" }, mismatch: "latest timestamp combiner" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.mismatch === undefined ? "fast path" : `general runner (${c.mismatch})`}`, () => {
      expect(singlePaneMismatch({ ...GLOBAL_WINDOWING, ...c.strategy })).to.equal(c.mismatch);
    });
  }

  it("MILLRACE_WINDOW_FAST_PATH=false (or 0) turns it off; anything else leaves it on", () => {
    expect(windowFastPathEnabled({})).to.equal(true);
    expect(windowFastPathEnabled({ MILLRACE_WINDOW_FAST_PATH: "false" })).to.equal(false);
    expect(windowFastPathEnabled({ MILLRACE_WINDOW_FAST_PATH: " 0 " })).to.equal(false);
    expect(windowFastPathEnabled({ MILLRACE_WINDOW_FAST_PATH: "true" })).to.equal(true);
  });
});

type Step =
  | { el: [key: unknown, value: unknown, ts: number]; wm?: number }
  | { advance: number; expect: Omit<Emitted, "pane">[]; hold: number; dropped?: number };

describe("single-pane fast path: panes by a fake watermark", () => {
  const table: { name: string; strategy: Partial<WindowingStrategy>; mode: ReduceMode; steps: Step[] }[] = [
    {
      name: "fixed windows, sum: one ON_TIME final pane per key and window at the window's max timestamp",
      strategy: { windowFn: fixed(10) },
      mode: SUM_MODE,
      steps: [
        { el: ["a", 1, 1] },
        { el: ["b", 2, 2] },
        { el: ["a", 3, 12] },
        { el: ["a", 4, 5] },
        { advance: 9, expect: [], hold: 9 },
        {
          advance: 10,
          expect: [
            { key: "a", value: 5, timestamp: 9, window: w(0, 10) },
            { key: "b", value: 2, timestamp: 9, window: w(0, 10) },
          ],
          hold: 19,
        },
        { advance: 100, expect: [{ key: "a", value: 3, timestamp: 19, window: w(10, 20) }], hold: Infinity },
      ],
    },
    {
      name: "late data past the window's end is dropped and counted, per window",
      strategy: { windowFn: sliding(20, 10) },
      mode: SUM_MODE,
      steps: [
        { el: ["a", 1, 15] }, // windows [0, 20) and [10, 30)
        { advance: 20, expect: [{ key: "a", value: 1, timestamp: 19, window: w(0, 20) }], hold: 29 },
        { el: ["a", 10, 15] }, // [0, 20) expired: dropped; [10, 30) takes it
        { advance: 30, expect: [{ key: "a", value: 11, timestamp: 29, window: w(10, 30) }], hold: Infinity, dropped: 1 },
        { el: ["a", 100, 15] }, // both windows expired
        { advance: 31, expect: [], hold: Infinity, dropped: 3 },
      ],
    },
    {
      name: "an element whose own watermark is past its window is dropped before the runner's watermark advanced",
      strategy: { windowFn: fixed(10) },
      mode: SUM_MODE,
      steps: [
        { el: ["a", 1, 1] },
        { el: ["a", 2, 2], wm: 10 },
        { advance: 10, expect: [{ key: "a", value: 1, timestamp: 9, window: w(0, 10) }], hold: Infinity, dropped: 1 },
      ],
    },
    {
      name: "earliest timestamps: the pane at its earliest element, the hold at the smallest of the open windows",
      strategy: { windowFn: fixed(10), timestampCombiner: "earliest" },
      mode: SUM_MODE,
      steps: [
        { el: ["a", 1, 7] },
        { el: ["a", 1, 3] },
        { el: ["b", 1, 14] },
        { el: ["b", 1, 12] },
        { advance: 5, expect: [], hold: 3 },
        {
          advance: 10,
          expect: [{ key: "a", value: 2, timestamp: 3, window: w(0, 10) }],
          hold: 12,
        },
        { advance: 15, expect: [], hold: 12 }, // the output watermark is now 12
        // Behind the output watermark: no element hold but the GC hold (the window's end), so c's pane is at 19.
        { el: ["b", 1, 11] },
        { el: ["c", 1, 11] },
        {
          advance: 20,
          expect: [
            { key: "b", value: 3, timestamp: 12, window: w(10, 20) },
            { key: "c", value: 1, timestamp: 19, window: w(10, 20) },
          ],
          hold: Infinity,
        },
      ],
    },
    {
      name: "GroupByKey in the global window: the values in arrival order, at the end of time",
      strategy: {},
      mode: { kind: "buffer" },
      steps: [
        { el: ["k", "x", 5] },
        { el: ["j", "y", 1] },
        { el: ["k", "z", 3] },
        { advance: GLOBAL_WINDOW_MAX_TIMESTAMP, expect: [], hold: GLOBAL_WINDOW_MAX_TIMESTAMP },
        {
          advance: Infinity,
          expect: [
            { key: "k", value: ["x", "z"], timestamp: GLOBAL_WINDOW_MAX_TIMESTAMP, window: GLOBAL_WINDOW },
            { key: "j", value: ["y"], timestamp: GLOBAL_WINDOW_MAX_TIMESTAMP, window: GLOBAL_WINDOW },
          ],
          hold: Infinity,
        },
      ],
    },
    {
      name: "a lifted combine merges the partial accumulators it is fed",
      strategy: { windowFn: fixed(10) },
      mode: LIFTED_SUM_MODE,
      steps: [
        { el: ["a", 4, 1] },
        { el: ["a", 6, 9] },
        { advance: 10, expect: [{ key: "a", value: 10, timestamp: 9, window: w(0, 10) }], hold: Infinity },
      ],
    },
    {
      name: "keys equal by encoding share a slot; the first key object is emitted",
      strategy: { windowFn: fixed(10) },
      mode: SUM_MODE,
      steps: [
        { el: [{ a: 1, b: 2 }, 1, 1] },
        { el: [{ b: 2, a: 1 }, 1, 2] },
        { advance: 10, expect: [{ key: { a: 1, b: 2 }, value: 2, timestamp: 9, window: w(0, 10) }], hold: Infinity },
      ],
    },
  ];

  for (const c of table) {
    it(c.name, () => {
      const t = new FastTester(c.strategy, c.mode);
      for (const step of c.steps) {
        if ("el" in step) {
          t.inject(...step.el, step.wm);
          continue;
        }
        t.advance(step.advance);
        expect(t.take()).to.deep.equal(step.expect.map((e) => ({ ...e, pane: ON_TIME })));
        expect(t.runner.outputWatermarkHold()).to.equal(step.hold);
        expect(t.dropped).to.equal(step.dropped ?? 0);
      }
      expect(t.runner.activeWindowCount).to.equal(0);
      expect(t.runner.nextProcessingTimeTimer()).to.equal(Infinity);
    });
  }

  it("counts open (key, window) slots and frees a window's slots when it fires", () => {
    const t = new FastTester({ windowFn: sliding(20, 10) }, SUM_MODE);
    t.inject("a", 1, 15).inject("b", 1, 15).inject("a", 1, 16);
    expect(t.runner.activeWindowCount).to.equal(4);
    t.advance(20);
    expect(t.runner.activeWindowCount).to.equal(2);
    t.advance(30);
    expect(t.runner.activeWindowCount).to.equal(0);
  });
});

describe("single-pane fast path: checkpoints", () => {
  const checkpointable = (mode: ReduceMode): Partial<ReduceFnRunnerConfig> =>
    mode.kind === "buffer"
      ? { valueCoder: JS_VALUE_CODER, trackChangedKeys: true }
      : { accumulatorCoder: JS_VALUE_CODER, trackChangedKeys: true };

  it("a full checkpoint restored into a fresh runner emits what the original emits", () => {
    for (const mode of [SUM_MODE, { kind: "buffer" } as ReduceMode]) {
      const strategy = { windowFn: sliding(20, 10), timestampCombiner: "earliest" as const };
      const original = new FastTester(strategy, mode, checkpointable(mode));
      original.inject("a", 1, 3).inject("b", 2, 14).advance(10).inject("a", 3, 12).inject("c", 4, 25);
      original.take(); // panes before the checkpoint are not the restored runner's business
      const snapshot = fullCheckpoint(original.runner);
      const restored = new FastTester(strategy, mode, checkpointable(mode));
      restoreCheckpoint(restored.runner, snapshot);
      restored.wm = original.wm;
      expect(restored.runner.outputWatermarkHold()).to.equal(original.runner.outputWatermarkHold());
      expect(restored.runner.activeWindowCount).to.equal(original.runner.activeWindowCount);
      for (const t of [original, restored]) t.inject("a", 5, 13).advance(40);
      const sorted = (xs: Emitted[]) => [...xs].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(sorted(restored.take())).to.deep.equal(sorted(original.take()));
    }
  });

  it("a delta checkpoint names the keys changed and the keys emptied since the last one", () => {
    const t = new FastTester({ windowFn: fixed(10) }, SUM_MODE, checkpointable(SUM_MODE));
    t.inject("a", 1, 1).inject("b", 1, 12);
    fullCheckpoint(t.runner);
    t.inject("b", 1, 13).advance(10); // "a" fires (emptied); "b" changed
    const delta = deltaCheckpoint(t.runner);
    expect(delta.get(identityOf(JS_VALUE_CODER, "a"))).to.equal(null);
    expect(delta.get(identityOf(JS_VALUE_CODER, "b"))).to.be.instanceOf(Uint8Array);
    expect(delta.has(HEADER_ENTRY)).to.equal(true);
    expect([...delta.keys()].sort()).to.deep.equal([HEADER_ENTRY, identityOf(JS_VALUE_CODER, "a"), identityOf(JS_VALUE_CODER, "b")].sort());
    // Nothing changed since: only the header.
    expect([...deltaCheckpoint(t.runner).keys()]).to.deep.equal([HEADER_ENTRY]);
  });

  it("a key that still holds another window is changed, not removed, when one of its windows fires", () => {
    const t = new FastTester({ windowFn: fixed(10) }, SUM_MODE, checkpointable(SUM_MODE));
    t.inject("a", 1, 1).inject("a", 1, 12);
    fullCheckpoint(t.runner);
    t.advance(10);
    const { changed, removed } = t.runner.drainChangedKeys();
    expect([...changed]).to.deep.equal([identityOf(JS_VALUE_CODER, "a")]);
    expect([...removed]).to.deep.equal([]);
  });

  it("refuses a key blob of the general runner's layout with a clear error", () => {
    const mode = SUM_MODE;
    const strategy = { ...GLOBAL_WINDOWING, windowFn: fixed(10) };
    const sink = { out: [] as Emitted[], dropped: 0 };
    const general = new ReduceFnRunner(configFor(strategy, mode, sink, checkpointable(mode)));
    general.processElement("a", 1, 1, assignWindows(strategy.windowFn, 1), -Infinity, 0);
    const snapshot = fullCheckpoint(general);
    const fast = new FastTester(strategy, mode, checkpointable(mode));
    expect(() => restoreCheckpoint(fast.runner, snapshot)).to.throw(CheckpointFormatError, /not a checkpoint blob of this kind/);
  });

  it("without the accumulator coder, a snapshot says which config field is missing", () => {
    const t = new FastTester({ windowFn: fixed(10) }, SUM_MODE);
    t.inject("a", 1, 1);
    expect(() => t.runner.snapshotKeys()).to.throw(/accumulatorCoder/);
  });
});
