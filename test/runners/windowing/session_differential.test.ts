/**
 * Differential test of the session-window fast path against the general
 * ReduceFnRunner: random eligible strategies (gaps, default or watermark
 * trigger, both timestamp combiners, every accumulation, closing and on-time
 * behaviour) and random inputs (keys, timestamps out of order around the
 * watermark so that sessions grow both ways, merge several at once, touch
 * without merging, and arrive late; elements carrying a watermark ahead of
 * the last advance), fed to both. After every step the panes emitted so far
 * (in order, with timestamps, windows and pane info), the late-drop counts,
 * the output watermark hold and the number of open sessions must be
 * identical. A second pass checkpoints the fast runner at random points and
 * continues on a restored one; a third hands the general runner's
 * checkpoint to the fast path mid-stream.
 */
import { expect } from "chai";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import { SessionReduceRunner } from "../../../runners/core/windowing/session_reduce_runner";
import { sessionMismatch } from "../../../runners/core/windowing/session_eligibility";
import type {
  ReduceFnRunnerApi,
  ReduceFnRunnerCheckpointing,
  ReduceFnRunnerConfig,
  ReduceMode,
} from "../../../runners/core/windowing/reduce_fn_runner_api";
import { deltaCheckpoint, fullCheckpoint, restoreCheckpoint } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { applyDelta } from "../../../runners/core/checkpoint/snapshot_codec";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { JS_VALUE_CODER } from "../../../portability/coders";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowFnSpec, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { SUM, type Pane as Emitted } from "./harness";
import { seededRandom as random } from "../../support/seeded_random";

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomStrategy(r: Rand): WindowingStrategy {
  return {
    ...GLOBAL_WINDOWING,
    windowFn: { kind: "sessions", gapMs: int(r, 1, 12) },
    trigger: pick(r, [{ kind: "default" }, { kind: "afterWatermark" }] as const),
    timestampCombiner: pick(r, ["endOfWindow", "earliest"] as const),
    accumulation: pick(r, ["discarding", "accumulating"] as const),
    closingBehavior: pick(r, ["emitAlways", "emitIfNonEmpty"] as const),
    onTimeBehavior: pick(r, ["fireAlways", "fireIfNonEmpty"] as const),
  };
}

const MODES: readonly ReduceMode[] = [
  { kind: "buffer" },
  { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false },
  { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: true },
];
const KEYS: readonly unknown[] = ["a", "b", "c", 1, 2, { id: 1 }, [1, 2]];

type Op =
  | { kind: "element"; key: unknown; value: number; ts: number; wm: number }
  | { kind: "watermark"; wm: number }
  | { kind: "processingTime"; pt: number };

/** Random inputs: timestamps spread before and after the watermark (late ones included), some elements with a newer watermark. */
function randomOps(r: Rand, n: number, keys: number): Op[] {
  const ops: Op[] = [];
  let wm = int(r, -20, 0);
  let pt = 0;
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.75) {
      const ahead = r() < 0.1 ? int(r, 1, 15) : 0;
      ops.push({ kind: "element", key: KEYS[int(r, 0, keys - 1)], value: int(r, 1, 9), ts: wm + int(r, -12, 40), wm: wm + ahead });
    } else if (x < 0.95) {
      wm += int(r, 0, 10);
      ops.push({ kind: "watermark", wm });
    } else ops.push({ kind: "processingTime", pt: (pt += int(r, 1, 100)) });
  }
  ops.push({ kind: "watermark", wm: Infinity });
  return ops;
}

type Runner = ReduceFnRunnerApi & ReduceFnRunnerCheckpointing;

class Side {
  readonly out: Emitted[] = [];
  dropped = 0;
  readonly config: ReduceFnRunnerConfig;
  constructor(windowing: WindowingStrategy, mode: ReduceMode) {
    this.config = {
      transform: "Differential",
      windowing,
      keyCoder: JS_VALUE_CODER,
      mode,
      // Buffered values are copied: the general runner hands out a copy, the fast path its array.
      emit: (key, value, timestamp, window, pane) =>
        this.out.push({ key, value: Array.isArray(value) ? [...(value as unknown[])] : value, timestamp, window, pane }),
      onDroppedLateElements: (k) => (this.dropped += k),
      ...(mode.kind === "buffer" ? { valueCoder: JS_VALUE_CODER } : { accumulatorCoder: JS_VALUE_CODER }),
      trackChangedKeys: true,
    };
  }
}

function apply(runner: Runner, op: Op, windowFn: WindowFnSpec, clock: { pt: number }): void {
  if (op.kind === "element") runner.processElement(op.key, op.value, op.ts, assignWindows(windowFn, op.ts), op.wm, clock.pt);
  else if (op.kind === "watermark") runner.advanceInputWatermark(op.wm);
  else {
    clock.pt = op.pt;
    runner.advanceProcessingTime(op.pt);
  }
}

const sortedByJson = (xs: readonly Emitted[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

describe("session fast path vs the general ReduceFnRunner: random strategies and inputs", () => {
  const SEEDS = 300;

  it(`emits the same panes in the same order, drops the same elements and holds the same time (${SEEDS} seeds)`, () => {
    // The inputs must reach the interesting cases, or the comparison proves little.
    const seen = { panes: 0, dropped: 0, multiMerges: 0, earliestBeforeEnd: 0, sameWindowOtherKey: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = random(seed);
      const strategy = randomStrategy(r);
      expect(sessionMismatch(strategy), `seed ${seed}`).to.equal(undefined);
      const mode = pick(r, MODES);
      const general = new Side(strategy, mode);
      const fast = new Side(strategy, mode);
      const g = new ReduceFnRunner(general.config);
      const f = new SessionReduceRunner(fast.config);
      const clock = { pt: 0 };
      const ops = randomOps(r, int(r, 20, 250), int(r, 1, KEYS.length));
      for (const [i, op] of ops.entries()) {
        const where = `seed ${seed}, step ${i} (${JSON.stringify(op)}), strategy ${JSON.stringify(strategy)}, mode ${mode.kind}`;
        const before = g.activeWindowCount;
        apply(g, op, strategy.windowFn, clock);
        apply(f, op, strategy.windowFn, clock);
        // One element closed the gap between two or more sessions.
        if (op.kind === "element" && g.activeWindowCount < before) seen.multiMerges++;
        expect(fast.out, where).to.deep.equal(general.out);
        expect(fast.dropped, where).to.equal(general.dropped);
        expect(f.outputWatermarkHold(), where).to.equal(g.outputWatermarkHold());
        expect(f.activeWindowCount, where).to.equal(g.activeWindowCount);
        expect(f.nextProcessingTimeTimer(), where).to.equal(g.nextProcessingTimeTimer());
      }
      seen.panes += general.out.length;
      seen.dropped += general.dropped;
      const windows = new Set<string>();
      for (const e of general.out) {
        const end = "end" in e.window ? e.window.end - 1 : Infinity;
        if (e.timestamp < end && strategy.timestampCombiner === "earliest") seen.earliestBeforeEnd++;
        const id = JSON.stringify(e.window);
        if (windows.has(id)) seen.sameWindowOtherKey++;
        windows.add(id);
      }
    }
    expect(seen.panes).to.be.greaterThan(2000);
    expect(seen.dropped).to.be.greaterThan(100);
    expect(seen.multiMerges).to.be.greaterThan(100);
    expect(seen.earliestBeforeEnd).to.be.greaterThan(100);
    expect(seen.sameWindowOtherKey).to.be.greaterThan(10);
  });

  it(`gives the same panes when the fast runner is checkpointed (full and delta) and restored at random points (${SEEDS} seeds)`, () => {
    let restores = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = random(seed * 7919);
      const strategy = randomStrategy(r);
      const mode = pick(r, MODES);
      const general = new Side(strategy, mode);
      const fast = new Side(strategy, mode);
      const g = new ReduceFnRunner(general.config);
      let f: Runner = new SessionReduceRunner(fast.config);
      let checkpoint = fullCheckpoint(f);
      const clock = { pt: 0 };
      for (const [i, op] of randomOps(r, int(r, 20, 250), int(r, 1, KEYS.length)).entries()) {
        const where = `seed ${seed}, step ${i}`;
        apply(g, op, strategy.windowFn, clock);
        apply(f, op, strategy.windowFn, clock);
        const x = r();
        if (x < 0.15) checkpoint = applyDelta(checkpoint, deltaCheckpoint(f));
        else if (x < 0.2) {
          // Restart from the checkpoint just taken: a fresh runner must carry on as the old one would.
          checkpoint = applyDelta(checkpoint, deltaCheckpoint(f));
          f = new SessionReduceRunner(fast.config);
          restoreCheckpoint(f, checkpoint);
          f.drainChangedKeys();
          restores++;
        }
        // Exact order too: the restored timer order keeps ties between keys as they were.
        expect(fast.out, where).to.deep.equal(general.out);
        expect(sortedByJson(fast.out), where).to.deep.equal(sortedByJson(general.out));
        expect(fast.dropped, where).to.equal(general.dropped);
        expect(f.outputWatermarkHold(), where).to.equal(g.outputWatermarkHold());
        expect(f.activeWindowCount, where).to.equal(g.activeWindowCount);
      }
    }
    expect(restores).to.be.greaterThan(100);
  });

  it(`carries on from the general runner's checkpoint taken at a random point (${SEEDS} seeds)`, () => {
    let sessionsHanded = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = random(seed * 104729);
      const strategy = randomStrategy(r);
      const mode = pick(r, MODES);
      const general = new Side(strategy, mode);
      const fast = new Side(strategy, mode);
      const g = new ReduceFnRunner(general.config);
      // Until the switch the general runner stands for both: what it emitted counts as the fast side's too.
      let f: Runner | undefined;
      const clock = { pt: 0 };
      const ops = randomOps(r, int(r, 20, 250), int(r, 1, KEYS.length));
      const switchAt = int(r, 0, ops.length - 1);
      for (const [i, op] of ops.entries()) {
        if (i === switchAt) {
          fast.out.push(...general.out);
          fast.dropped = general.dropped;
          sessionsHanded += g.activeWindowCount;
          f = new SessionReduceRunner(fast.config);
          restoreCheckpoint(f, fullCheckpoint(g));
        }
        apply(g, op, strategy.windowFn, clock);
        if (f === undefined) continue;
        apply(f, op, strategy.windowFn, clock);
        const where = `seed ${seed}, step ${i} (switched at ${switchAt})`;
        expect(fast.out, where).to.deep.equal(general.out);
        expect(fast.dropped, where).to.equal(general.dropped);
        expect(f.outputWatermarkHold(), where).to.equal(g.outputWatermarkHold());
        expect(f.activeWindowCount, where).to.equal(g.activeWindowCount);
      }
    }
    expect(sessionsHanded).to.be.greaterThan(500);
  });
});
