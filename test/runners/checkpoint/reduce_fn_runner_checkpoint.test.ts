/**
 * ReduceFnRunner checkpointing: a runner restored from a snapshot (full, or
 * a full snapshot with deltas folded over it) must behave exactly like the
 * original from then on: same panes (values, timestamps, windows, pane info,
 * in the same order), same holds and processing-time timers.
 *
 * Each scenario is a deterministic pseudo-random sequence of elements,
 * watermark and processing-time advances; every split point is tried.
 */
import { expect } from "chai";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import type { ReduceFnRunnerConfig, ReduceMode } from "../../../runners/core/windowing/reduce_fn_runner_api";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { JS_VALUE_CODER, coders } from "../../../portability/coders";
import type { Coder } from "../../../portability/coders/coder";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { HEADER_ENTRY, deltaCheckpoint, fullCheckpoint, restoreCheckpoint } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { applyDelta } from "../../../runners/core/checkpoint/snapshot_codec";
import { identityOf } from "../../../portability/values/canonical_key";
import { seededRandom } from "../../support/seeded_random";

type Step = { el: [key: unknown, value: unknown, ts: number] } | { wm: number } | { pt: number };

interface Emitted {
  key: unknown;
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
  pane: PaneInfo;
}

/** Mean and count, with a non-JSON-friendly accumulator shape. */
const MEAN: CombineFn<number, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  addInput: (a, x) => ({ sum: a.sum + x, n: a.n + 1 }),
  mergeAccumulators: (accs) => accs.reduce((r, a) => ({ sum: r.sum + a.sum, n: r.n + a.n }), { sum: 0, n: 0 }),
  extractOutput: (a) => (a.n === 0 ? Number.NaN : a.sum / a.n),
};

class Driver {
  readonly runner: ReduceFnRunner;
  readonly out: Emitted[] = [];
  wm = -Infinity;
  pt = 0;
  constructor(
    readonly strategy: WindowingStrategy,
    mode: ReduceMode,
    extra: Partial<ReduceFnRunnerConfig> = {},
  ) {
    this.runner = new ReduceFnRunner({
      transform: "Ckpt",
      windowing: strategy,
      keyCoder: JS_VALUE_CODER as Coder<unknown>,
      mode,
      valueCoder: JS_VALUE_CODER as Coder<unknown>,
      accumulatorCoder: JS_VALUE_CODER as Coder<unknown>,
      emit: (key, value, timestamp, window, pane) => this.out.push({ key, value, timestamp, window, pane }),
      ...extra,
    });
  }
  step(s: Step): void {
    if ("el" in s) {
      const [k, v, ts] = s.el;
      this.runner.processElement(k, v, ts, assignWindows(this.strategy.windowFn, ts), this.wm, this.pt);
    } else if ("wm" in s) {
      this.wm = Math.max(this.wm, s.wm);
      this.runner.advanceInputWatermark(s.wm);
    } else {
      this.pt = Math.max(this.pt, s.pt);
      this.runner.advanceProcessingTime(s.pt);
    }
  }
  take(): Emitted[] {
    return this.out.splice(0);
  }
  observe(): { hold: number; nextPt: number; windows: number } {
    return {
      hold: this.runner.outputWatermarkHold(),
      nextPt: this.runner.nextProcessingTimeTimer(),
      windows: this.runner.activeWindowCount,
    };
  }
}

const KEYS: unknown[] = ["a", "b", { user: 1, tags: ["x"] }, 7, ["k", 2]];

/** Elements around the watermark (some late, some too late), watermark and processing time moving forward. */
function script(seed: number, length: number, valueOf: (r: () => number) => unknown): Step[] {
  const r = seededRandom(seed);
  const steps: Step[] = [];
  let wm = 0;
  let pt = 1000;
  for (let i = 0; i < length; i++) {
    const x = r();
    if (x < 0.65) {
      const ts = Math.floor(wm - 25 + r() * 50);
      steps.push({ el: [KEYS[Math.floor(r() * KEYS.length)], valueOf(r), ts] });
    } else if (x < 0.85) {
      wm += Math.floor(r() * 12);
      steps.push({ wm });
    } else {
      pt += Math.floor(r() * 8);
      steps.push({ pt });
    }
  }
  steps.push({ pt: pt + 100 }, { wm: 10_000 }, { wm: Infinity });
  return steps;
}

interface Scenario {
  name: string;
  strategy: WindowingStrategy;
  mode: ReduceMode;
  value: (r: () => number) => unknown;
}

const intValue = (r: () => number): number => Math.floor(r() * 100);
const SCENARIOS: Scenario[] = [
  {
    name: "fixed windows, early afterCount and late firings, allowed lateness, accumulating",
    strategy: {
      ...GLOBAL_WINDOWING,
      windowFn: { kind: "fixed", sizeMs: 10, offsetMs: 0 },
      trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 2 }, late: { kind: "afterCount", count: 1 } },
      accumulation: "accumulating",
      allowedLatenessMs: 15,
      onTimeBehavior: "fireAlways",
      closingBehavior: "emitAlways",
    },
    mode: { kind: "buffer" },
    value: (r) => ({ v: intValue(r), s: r() < 0.5 ? "x" : undefined }),
  },
  {
    name: "sessions with merging, early processing-time firings, earliest timestamps, discarding",
    strategy: {
      ...GLOBAL_WINDOWING,
      windowFn: { kind: "sessions", gapMs: 6 },
      trigger: { kind: "afterWatermark", early: { kind: "afterProcessingTime", delayMs: 5 }, late: { kind: "afterCount", count: 2 } },
      accumulation: "discarding",
      timestampCombiner: "earliest",
      allowedLatenessMs: 10,
    },
    mode: { kind: "buffer" },
    value: intValue,
  },
  {
    name: "combine mode with accumulators, sessions, afterCount then processing time (afterEach), accumulating",
    strategy: {
      ...GLOBAL_WINDOWING,
      windowFn: { kind: "sessions", gapMs: 8 },
      trigger: {
        kind: "repeatedly",
        trigger: {
          kind: "afterEach",
          triggers: [
            { kind: "afterCount", count: 2 },
            { kind: "afterProcessingTime", delayMs: 3 },
          ],
        },
      },
      accumulation: "accumulating",
      timestampCombiner: "latest",
      allowedLatenessMs: 5,
    },
    mode: { kind: "combine", fn: MEAN as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false },
    value: intValue,
  },
  {
    name: "global window, repeated aligned processing-time trigger, orFinally afterCount",
    strategy: {
      ...GLOBAL_WINDOWING,
      trigger: {
        kind: "orFinally",
        main: { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 4, alignToMs: 5 } },
        until: { kind: "afterCount", count: 9 },
      },
      accumulation: "discarding",
    },
    mode: { kind: "buffer" },
    value: (r) => (r() < 0.1 ? Number.NaN : r() < 0.2 ? -Infinity : intValue(r)),
  },
  {
    name: "sliding windows, combine with accumulator inputs, default trigger with lateness",
    strategy: {
      ...GLOBAL_WINDOWING,
      windowFn: { kind: "sliding", sizeMs: 20, periodMs: 10, offsetMs: 0 },
      allowedLatenessMs: 12,
      accumulation: "accumulating",
    },
    mode: { kind: "combine", fn: MEAN as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: true },
    value: (r) => ({ sum: intValue(r), n: 1 }),
  },
];

/** Runs `rest` on both drivers, comparing outputs and observable time state after every step. */
function expectSameFuture(original: Driver, restored: Driver, rest: Step[], what: string): number {
  let panes = 0;
  expect(restored.observe(), `${what}: right after restore`).to.deep.equal(original.observe());
  rest.forEach((s, i) => {
    original.step(s);
    restored.step(s);
    const a = original.take();
    const b = restored.take();
    panes += a.length;
    expect(b, `${what}: panes after remaining step ${i} ${JSON.stringify(s)}`).to.deep.equal(a);
    expect(restored.observe(), `${what}: holds/timers after remaining step ${i}`).to.deep.equal(original.observe());
  });
  return panes;
}

function syncClocks(from: Driver, to: Driver): void {
  to.wm = from.wm;
  to.pt = from.pt;
}

describe("ReduceFnRunner checkpoint: full snapshot round trip", () => {
  for (const sc of SCENARIOS) {
    it(`${sc.name}: identical panes, holds and timers after a restore at every step`, () => {
      for (const seed of [1, 2, 3]) {
        const steps = script(seed * 7919 + sc.name.length, 70, sc.value);
        let totalPanes = 0;
        for (let cut = 0; cut <= steps.length; cut++) {
          const a = new Driver(sc.strategy, sc.mode);
          steps.slice(0, cut).forEach((s) => a.step(s));
          a.take();
          const state = fullCheckpoint(a.runner);
          const b = new Driver(sc.strategy, sc.mode);
          restoreCheckpoint(b.runner, state);
          syncClocks(a, b);
          totalPanes += expectSameFuture(a, b, steps.slice(cut), `seed ${seed} cut ${cut}`);
        }
        expect(totalPanes, "the script must emit panes to be meaningful").to.be.greaterThan(20);
      }
    });
  }

  it("gives back the original key objects, and equal keys share one identity", () => {
    const sc = SCENARIOS[0]!;
    const a = new Driver(sc.strategy, sc.mode);
    a.step({ el: [{ user: 1, tags: ["x"] }, 1, 5] });
    a.step({ el: [{ tags: ["x"], user: 1 }, 2, 6] });
    const snap = a.runner.snapshotKeys();
    expect([...snap.keys()]).to.deep.equal([identityOf(JS_VALUE_CODER as Coder<unknown>, { user: 1, tags: ["x"] })]);
    const b = new Driver(sc.strategy, sc.mode);
    restoreCheckpoint(b.runner, snap);
    b.step({ wm: Infinity });
    const panes = b.take();
    expect(panes.map((p) => p.key)).to.deep.equal([{ user: 1, tags: ["x"] }]);
    expect(panes[0]!.value).to.deep.equal([1, 2]);
  });
});

describe("ReduceFnRunner checkpoint: delta chains", () => {
  for (const sc of SCENARIOS) {
    it(`${sc.name}: snapshot + deltas folded = the live runner`, () => {
      const steps = script(4242 + sc.name.length, 80, sc.value);
      for (let c1 = 0; c1 < steps.length; c1 += 9) {
        for (const gap of [1, 5, 13]) {
          const c2 = Math.min(steps.length, c1 + gap);
          const c3 = Math.min(steps.length, c2 + gap + 3);
          const a = new Driver(sc.strategy, sc.mode);
          steps.slice(0, c1).forEach((s) => a.step(s));
          const state = fullCheckpoint(a.runner);
          steps.slice(c1, c2).forEach((s) => a.step(s));
          const d1 = deltaCheckpoint(a.runner);
          steps.slice(c2, c3).forEach((s) => a.step(s));
          const d2 = deltaCheckpoint(a.runner);
          applyDelta(applyDelta(state as Map<string, Uint8Array | null>, d1), d2);
          // The folded state equals a full snapshot taken now.
          const now = a.runner.snapshotKeys();
          const folded = new Map([...state].filter(([k]) => k !== HEADER_ENTRY));
          expect(new Map([...folded].sort()), `c1 ${c1} gap ${gap}: folded = full`).to.deep.equal(new Map([...now].sort()));
          a.take();
          const b = new Driver(sc.strategy, sc.mode);
          restoreCheckpoint(b.runner, state as Map<string, Uint8Array>);
          syncClocks(a, b);
          expectSameFuture(a, b, steps.slice(c3), `c1 ${c1} gap ${gap}`);
        }
      }
    });
  }

  it("reports keys emptied by garbage collection as removed, and nothing when idle", () => {
    const sc = SCENARIOS[0]!;
    const a = new Driver(sc.strategy, sc.mode, { trackChangedKeys: true });
    a.step({ el: ["a", 1, 1] });
    a.step({ el: ["b", 2, 25] });
    const first = a.runner.drainChangedKeys();
    expect([...first.changed].sort()).to.deep.equal(["sa", "sb"]);
    expect([...first.removed]).to.deep.equal([]);
    expect(a.runner.drainChangedKeys()).to.deep.equal({ changed: new Set(), removed: new Set() });
    a.step({ wm: 30 }); // [0,10) of "a" is past its GC time (9 + 15); "b" [20,30) fires on time
    const second = a.runner.drainChangedKeys();
    expect([...second.removed]).to.deep.equal(["sa"]);
    expect([...second.changed]).to.deep.equal(["sb"]);
  });

  it("without trackChangedKeys the first drain reports every key holding state", () => {
    const sc = SCENARIOS[0]!;
    const a = new Driver(sc.strategy, sc.mode);
    a.step({ el: ["a", 1, 1] });
    a.step({ el: [7, 2, 3] });
    const { changed } = a.runner.drainChangedKeys();
    expect(changed.size).to.equal(2);
  });
});

describe("ReduceFnRunner checkpoint: configuration errors", () => {
  it("needs the value coder in buffer mode and the accumulator coder in combine mode", () => {
    const sc = SCENARIOS[0]!;
    const buffer = new Driver(sc.strategy, { kind: "buffer" }, { valueCoder: undefined });
    expect(() => buffer.runner.snapshotKeys()).to.throw(/valueCoder/);
    const combine = new Driver(sc.strategy, SCENARIOS[2]!.mode, { accumulatorCoder: undefined });
    expect(() => combine.runner.snapshotKeys()).to.throw(/accumulatorCoder/);
  });

  it("rejects a blob stored under another key's identity, and a header given as a key", () => {
    const sc = SCENARIOS[0]!;
    const a = new Driver(sc.strategy, sc.mode);
    a.step({ el: ["a", 1, 1] });
    const blob = a.runner.snapshotKeys().get("sa")!;
    const b = new Driver(sc.strategy, sc.mode);
    expect(() => b.runner.restoreKey("sz", blob)).to.throw(/another key/);
    expect(() => b.runner.restoreKey("sa", a.runner.snapshotWatermarks())).to.throw(/format tag/);
  });

  it("uses a configured window coder", () => {
    const sc = SCENARIOS[0]!;
    const extra = { windowCoder: coders.intervalWindow() as unknown as Coder<BoundedWindow> };
    const a = new Driver(sc.strategy, sc.mode, extra);
    a.step({ el: ["a", 1, 1] });
    const b = new Driver(sc.strategy, sc.mode, extra);
    restoreCheckpoint(b.runner, fullCheckpoint(a.runner));
    a.step({ wm: Infinity });
    b.step({ wm: Infinity });
    expect(b.take()).to.deep.equal(a.take());
  });
});
