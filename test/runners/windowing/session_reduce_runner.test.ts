/**
 * The session-window fast path alone: which strategies it takes, and
 * table-driven cases with a fake watermark (elements, watermark steps, the
 * panes expected after each step, worked out from Beam's
 * MergeOverlappingIntervalWindows, WatermarkHold and PaneInfoTracker), plus
 * its checkpoints. The differential test (`session_differential.test.ts`)
 * checks it against the general runner on random inputs.
 */
import { expect } from "chai";
import { SessionReduceRunner } from "../../../runners/core/windowing/session_reduce_runner";
import { sessionMismatch } from "../../../runners/core/windowing/session_eligibility";
import type { ReduceMode, ReduceFnRunnerConfig } from "../../../runners/core/windowing/reduce_fn_runner_api";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import { fullCheckpoint, restoreCheckpoint } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { CheckpointFormatError } from "../../../runners/core/checkpoint/snapshot_codec";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { GLOBAL_WINDOW } from "../../../model/windows";
import { JS_VALUE_CODER } from "../../../portability/coders";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { SUM, fixed, pane, w, type Pane as Emitted } from "./harness";

const ON_TIME = pane(true, true, "ON_TIME", 0, 0);
const SUM_MODE: ReduceMode = { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false };
const BUFFER: ReduceMode = { kind: "buffer" };
const sessions = (gapMs: number) => ({ kind: "sessions" as const, gapMs });

/** A session runner with a fake watermark, recording what it emits and drops. */
class SessionTester {
  readonly runner: SessionReduceRunner;
  readonly strategy: WindowingStrategy;
  readonly config: ReduceFnRunnerConfig;
  out: Emitted[] = [];
  dropped = 0;
  wm = -Infinity;

  constructor(overrides: Partial<WindowingStrategy>, mode: ReduceMode) {
    this.strategy = { ...GLOBAL_WINDOWING, windowFn: sessions(10), ...overrides };
    this.config = {
      transform: "Count",
      windowing: this.strategy,
      keyCoder: JS_VALUE_CODER,
      mode,
      emit: (key, value, timestamp, window, p) => this.out.push({ key, value, timestamp, window, pane: p }),
      onDroppedLateElements: (n) => (this.dropped += n),
      ...(mode.kind === "buffer" ? { valueCoder: JS_VALUE_CODER } : { accumulatorCoder: JS_VALUE_CODER }),
    };
    this.runner = new SessionReduceRunner(this.config);
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

describe("session fast path: which windowing strategies take it", () => {
  const cases: { name: string; strategy: Partial<WindowingStrategy>; mismatch: string | undefined }[] = [
    { name: "sessions, default trigger", strategy: { windowFn: sessions(10) }, mismatch: undefined },
    { name: "sessions, AfterWatermark", strategy: { windowFn: sessions(10), trigger: { kind: "afterWatermark" } }, mismatch: undefined },
    { name: "sessions, earliest timestamps", strategy: { windowFn: sessions(10), timestampCombiner: "earliest" }, mismatch: undefined },
    { name: "fixed windows (the single-pane path's)", strategy: { windowFn: fixed(10) }, mismatch: "windows that do not merge" },
    {
      name: "sessions with early firings",
      strategy: { windowFn: sessions(10), trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 1 } } },
      mismatch: "trigger afterWatermark",
    },
    {
      name: "sessions with a count trigger",
      strategy: { windowFn: sessions(10), trigger: { kind: "repeatedly", trigger: { kind: "afterCount", count: 2 } } },
      mismatch: "trigger repeatedly",
    },
    { name: "sessions with allowed lateness", strategy: { windowFn: sessions(10), allowedLatenessMs: 5 }, mismatch: "allowed lateness" },
    {
      name: "sessions with latest timestamps",
      strategy: { windowFn: sessions(10), timestampCombiner: "latest" },
      mismatch: "latest timestamp combiner",
    },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.mismatch ?? "fast path"}`, () => {
      expect(sessionMismatch({ ...GLOBAL_WINDOWING, ...c.strategy })).to.equal(c.mismatch);
    });
});

type Step =
  { element: [key: unknown, value: unknown, ts: number]; wm?: number } | { advance: number; panes: Omit<Emitted, "pane">[]; hold?: number };

describe("session fast path: table-driven, fake watermark (gap 10)", () => {
  const cases: { name: string; strategy?: Partial<WindowingStrategy>; mode?: ReduceMode; steps: Step[]; dropped?: number }[] = [
    {
      name: "windows that only touch stay apart ([1,11) and [11,21))",
      steps: [
        { element: ["k", 1, 1] },
        { element: ["k", 2, 11] },
        {
          advance: 100,
          panes: [
            { key: "k", value: 1, timestamp: 10, window: w(1, 11) },
            { key: "k", value: 2, timestamp: 20, window: w(11, 21) },
          ],
        },
      ],
    },
    {
      name: "overlapping proto-windows merge; the pane carries the end of the merged window",
      steps: [
        { element: ["k", 1, 1] },
        { element: ["k", 5, 5] },
        { advance: 100, panes: [{ key: "k", value: 6, timestamp: 14, window: w(1, 15) }] },
      ],
    },
    {
      name: "one element bridging two sessions merges all three windows",
      mode: BUFFER,
      steps: [
        { element: ["k", "a", 1] },
        { element: ["k", "b", 18] },
        { element: ["k", "c", 9] },
        // Values in the general runner's order: the merged sessions by start, then the new element.
        { advance: 100, panes: [{ key: "k", value: ["a", "b", "c"], timestamp: 27, window: w(1, 28) }] },
      ],
    },
    {
      name: "an element inside a session and one that grows it to the left",
      steps: [
        { element: ["k", 1, 10] },
        { element: ["k", 1, 12] },
        { element: ["k", 1, 4] },
        { advance: 21, panes: [] },
        { advance: 22, panes: [{ key: "k", value: 3, timestamp: 21, window: w(4, 22) }] },
      ],
    },
    {
      name: "a session fires only once the watermark is past its max timestamp",
      steps: [
        { element: ["k", 7, 1] },
        { advance: 10, panes: [], hold: 10 },
        { advance: 11, panes: [{ key: "k", value: 7, timestamp: 10, window: w(1, 11) }], hold: Infinity },
      ],
    },
    {
      name: "late proto-windows are dropped and counted; those still open are kept",
      steps: [
        { advance: 50, panes: [] },
        { element: ["k", 1, 30] },
        { element: ["k", 1, 41] },
        { element: ["k", 1, 45] },
        { advance: 100, panes: [{ key: "k", value: 2, timestamp: 54, window: w(41, 55) }] },
      ],
      dropped: 1,
    },
    {
      name: "earliest timestamps: the pane and the hold take the earliest element",
      strategy: { timestampCombiner: "earliest" },
      steps: [
        { element: ["k", 1, 5] },
        { element: ["k", 1, 3] },
        { advance: 0, panes: [], hold: 3 },
        { advance: 100, panes: [{ key: "k", value: 2, timestamp: 3, window: w(3, 15) }] },
      ],
    },
    {
      name: "an element with a newer watermark merges with a session that expired but has not fired yet",
      steps: [
        { element: ["k", 1, 1] },
        { element: ["k", 8, 8], wm: 12 },
        { advance: 13, panes: [] },
        { advance: 18, panes: [{ key: "k", value: 9, timestamp: 17, window: w(1, 18) }] },
      ],
    },
    {
      name: "sessions of different keys fire by end, then start, then the order their windows appeared",
      steps: [
        { element: ["b", 1, 1] },
        { element: ["a", 1, 1] },
        { element: ["c", 1, 0] },
        { element: ["d", 1, 3] },
        { element: ["d", 1, 2] },
        {
          advance: 100,
          panes: [
            { key: "c", value: 1, timestamp: 9, window: w(0, 10) },
            { key: "b", value: 1, timestamp: 10, window: w(1, 11) },
            { key: "a", value: 1, timestamp: 10, window: w(1, 11) },
            { key: "d", value: 2, timestamp: 12, window: w(2, 13) },
          ],
        },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = new SessionTester(c.strategy ?? {}, c.mode ?? SUM_MODE);
      for (const [i, step] of c.steps.entries()) {
        if ("element" in step) {
          const [key, value, ts] = step.element;
          t.inject(key, value, ts, step.wm ?? t.wm);
          continue;
        }
        t.advance(step.advance);
        expect(t.take(), `step ${i}`).to.deep.equal(step.panes.map((p) => ({ ...p, pane: ON_TIME })));
        if (step.hold !== undefined) expect(t.runner.outputWatermarkHold(), `hold after step ${i}`).to.equal(step.hold);
      }
      expect(t.dropped).to.equal(c.dropped ?? 0);
      expect(t.runner.activeWindowCount).to.equal(0);
    });
  }
});

describe("session fast path: checkpoints", () => {
  it("a restored runner carries on: sessions merge across the restore and fire as they would have", () => {
    const before = new SessionTester({}, BUFFER);
    before.inject("k", "a", 1).inject("j", "x", 3).inject("k", "b", 18);
    const checkpoint = fullCheckpoint(before.runner);
    const after = new SessionTester({}, BUFFER);
    restoreCheckpoint(after.runner, checkpoint);
    expect(after.runner.activeWindowCount).to.equal(3);
    after.inject("k", "c", 9).advance(100);
    expect(after.take()).to.deep.equal([
      { key: "j", value: ["x"], timestamp: 12, window: w(3, 13), pane: ON_TIME },
      { key: "k", value: ["a", "b", "c"], timestamp: 27, window: w(1, 28), pane: ON_TIME },
    ]);
  });

  it("restores the general runner's blobs of the same strategy (retained checkpoints survive the switch)", () => {
    const general = new ReduceFnRunner({ ...new SessionTester({}, SUM_MODE).config });
    general.processElement("k", 1, 1, [w(1, 11)], -Infinity, 0);
    general.processElement("k", 2, 25, [w(25, 35)], -Infinity, 0);
    const t = new SessionTester({}, SUM_MODE);
    restoreCheckpoint(t.runner, fullCheckpoint(general));
    t.inject("k", 4, 5).advance(100);
    expect(t.take()).to.deep.equal([
      { key: "k", value: 5, timestamp: 14, window: w(1, 15), pane: ON_TIME },
      { key: "k", value: 2, timestamp: 34, window: w(25, 35), pane: ON_TIME },
    ]);
  });

  it("refuses blobs of other layouts and other strategies with a clear error, and needs the value or accumulator coder", () => {
    const t = new SessionTester({}, SUM_MODE);
    const fixedWindows = new ReduceFnRunner({ ...t.config, windowing: { ...t.strategy, windowFn: fixed(10) } });
    fixedWindows.processElement("k", 1, 1, [GLOBAL_WINDOW], -Infinity, 0);
    expect(() => restoreCheckpoint(t.runner, fullCheckpoint(fixedWindows))).to.throw(CheckpointFormatError, /not a session/);
    expect(() => t.runner.restoreKey("sk", Uint8Array.of(0x50, 0))).to.throw(CheckpointFormatError, /not a checkpoint blob of this kind/);
    const noCoder = new SessionReduceRunner({ ...t.config, accumulatorCoder: undefined });
    expect(() => noCoder.snapshotKeys()).to.throw(/snapshotKeys needs ReduceFnRunnerConfig.accumulatorCoder/);
  });
});
