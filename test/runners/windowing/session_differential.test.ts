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
import { deltaCheckpoint, fullCheckpoint, restoreCheckpoint } from "../../../runners/core/checkpoint/reduce_fn_checkpoint";
import { applyDelta } from "../../../runners/core/checkpoint/snapshot_codec";
import { type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
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

/** Sessions get longer spreads (so they grow both ways and bridge) and sometimes few keys (so one key's sessions crowd and bridge). */
const sessionOps = (r: Rand) => ({ keys: int(r, 1, KEYS.length), elementShare: 0.75, latestAhead: 40, maxStep: 10 });

function randomStrategy(r: Rand): WindowingStrategy {
  return randomFastPathStrategy(r, { kind: "sessions", gapMs: int(r, 1, 12) });
}

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
      const ops = randomOps(r, int(r, 20, 250), sessionOps(r));
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
      for (const [i, op] of randomOps(r, int(r, 20, 250), sessionOps(r)).entries()) {
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
      const ops = randomOps(r, int(r, 20, 250), sessionOps(r));
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
