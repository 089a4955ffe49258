/**
 * Differential test of the single-pane fast path against the general
 * ReduceFnRunner: random eligible windowing strategies and random inputs
 * (keys, timestamps around the watermark, late elements, elements carrying a
 * watermark ahead of the last advance, watermark steps), fed to both. After
 * every step the panes emitted so far (in order, with timestamps, windows and
 * pane info), the late-drop counts, the output watermark hold and the number
 * of open (key, window) slots must be identical. A second pass checkpoints
 * the fast runner at random points and continues on a restored one.
 */
import { expect } from "chai";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import { SinglePaneReduceRunner } from "../../../runners/core/windowing/single_pane_reduce_runner";
import { singlePaneMismatch } from "../../../runners/core/windowing/single_pane_eligibility";
import { deltaCheckpoint, fullCheckpoint, restoreCheckpoint } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { applyDelta } from "../../../runners/core/checkpoint/snapshot_codec";
import { type WindowFnSpec, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import {
  KEYS,
  MODES,
  Side,
  apply,
  int,
  pick,
  randomFastPathStrategy,
  randomOps,
  sortedByJson,
  type Rand,
  type Runner,
} from "./differential_support";
import { seededRandom as random } from "../../support/seeded_random";

/** The inputs this test always had: every key, timestamps up to 30 past the watermark. */
const SINGLE_PANE_OPS = { keys: KEYS.length, elementShare: 0.7, latestAhead: 30, maxStep: 12 };

function randomStrategy(r: Rand): WindowingStrategy {
  const windowFns: (() => WindowFnSpec)[] = [
    () => ({ kind: "global" }),
    () => ({ kind: "fixed", sizeMs: int(r, 3, 20), offsetMs: int(r, 0, 2) }),
    () => {
      const periodMs = int(r, 2, 10);
      return { kind: "sliding", sizeMs: periodMs * int(r, 1, 3) + int(r, 0, 1), periodMs, offsetMs: int(r, 0, 1) };
    },
  ];
  return randomFastPathStrategy(r, pick(r, windowFns)());
}

describe("single-pane fast path vs the general ReduceFnRunner: random strategies and inputs", () => {
  const SEEDS = 200;

  it(`emits the same panes in the same order, drops the same elements and holds the same time (${SEEDS} seeds)`, () => {
    // The inputs must reach the interesting cases, or the comparison proves little.
    const seen = { panes: 0, dropped: 0, earliestBeforeEnd: 0, earliestAtEnd: 0, aheadDropped: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = random(seed);
      const strategy = randomStrategy(r);
      expect(singlePaneMismatch(strategy), `seed ${seed}`).to.equal(undefined);
      const mode = pick(r, MODES);
      const general = new Side(strategy, mode);
      const fast = new Side(strategy, mode);
      const g = new ReduceFnRunner(general.config);
      const f = new SinglePaneReduceRunner(fast.config);
      const clock = { pt: 0 };
      const ops = randomOps(r, int(r, 20, 200), SINGLE_PANE_OPS);
      let dropsBefore = 0;
      let lastAdvance = -Infinity;
      for (const [i, op] of ops.entries()) {
        const where = `seed ${seed}, step ${i} (${JSON.stringify(op)}), strategy ${JSON.stringify(strategy)}, mode ${mode.kind}`;
        apply(g, op, strategy.windowFn, clock);
        apply(f, op, strategy.windowFn, clock);
        expect(fast.out, where).to.deep.equal(general.out);
        expect(fast.dropped, where).to.equal(general.dropped);
        expect(f.outputWatermarkHold(), where).to.equal(g.outputWatermarkHold());
        expect(f.activeWindowCount, where).to.equal(g.activeWindowCount);
        expect(f.nextProcessingTimeTimer(), where).to.equal(g.nextProcessingTimeTimer());
        // An element dropped for the newer watermark it brought, before any advance to it.
        if (op.kind === "element" && general.dropped > dropsBefore && op.wm > lastAdvance) seen.aheadDropped++;
        dropsBefore = general.dropped;
        if (op.kind === "watermark") lastAdvance = op.wm;
      }
      seen.panes += general.out.length;
      seen.dropped += general.dropped;
      for (const e of general.out) {
        const end = "end" in e.window ? e.window.end - 1 : Infinity;
        if (e.timestamp < end && strategy.timestampCombiner === "earliest") seen.earliestBeforeEnd++;
        if (e.timestamp === end && strategy.timestampCombiner === "earliest") seen.earliestAtEnd++;
      }
    }
    expect(seen.panes).to.be.greaterThan(1000);
    expect(seen.dropped).to.be.greaterThan(100);
    expect(seen.earliestBeforeEnd).to.be.greaterThan(100);
    expect(seen.earliestAtEnd).to.be.greaterThan(0);
    expect(seen.aheadDropped).to.be.greaterThan(0);
  });

  it(`gives the same panes when the fast runner is checkpointed (full and delta) and restored at random points (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = random(seed * 7919);
      const strategy = randomStrategy(r);
      const mode = pick(r, MODES);
      const general = new Side(strategy, mode);
      const fast = new Side(strategy, mode);
      const g = new ReduceFnRunner(general.config);
      let f: Runner = new SinglePaneReduceRunner(fast.config);
      let checkpoint = fullCheckpoint(f);
      const clock = { pt: 0 };
      for (const [i, op] of randomOps(r, int(r, 20, 200), SINGLE_PANE_OPS).entries()) {
        const where = `seed ${seed}, step ${i}`;
        apply(g, op, strategy.windowFn, clock);
        apply(f, op, strategy.windowFn, clock);
        const x = r();
        if (x < 0.15) checkpoint = applyDelta(checkpoint, deltaCheckpoint(f));
        else if (x < 0.2) {
          // Restart from the checkpoint just taken: a fresh runner must carry on as the old one would.
          checkpoint = applyDelta(checkpoint, deltaCheckpoint(f));
          f = new SinglePaneReduceRunner(fast.config);
          restoreCheckpoint(f, checkpoint);
          f.drainChangedKeys();
        }
        expect(sortedByJson(fast.out), where).to.deep.equal(sortedByJson(general.out));
        expect(fast.dropped, where).to.equal(general.dropped);
        expect(f.outputWatermarkHold(), where).to.equal(g.outputWatermarkHold());
        expect(f.activeWindowCount, where).to.equal(g.activeWindowCount);
      }
    }
  });
});
