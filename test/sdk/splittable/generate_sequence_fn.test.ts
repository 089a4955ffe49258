/**
 * `generateSequence`'s splittable DoFn alone, driven as a runner drives it
 * (a tracker per call, the unclaimed rest split off on resume, the
 * restriction encoded and decoded as a checkpoint would), with a clock the
 * test steps: the initial split, the chunking of a fast sequence, the pace
 * of a paced one across a restore, and its timestamps and watermark.
 */
import { expect } from "chai";
import * as mr from "../../../index";
import { decodeFromBytes, encodeToBytes } from "../../../portability/coders/coder";
import { DEFAULT_RESTRICTION_CODER } from "../../../sdk/transforms/splittable/restriction_coder";
import { GenerateSequenceFn, MAX_NUMBERS_PER_CALL } from "../../../sdk/transforms/sequence/generate_sequence_fn";
import type { SequenceRange } from "../../../sdk/transforms/sequence/sequence_range_tracker";
import { MIN_TIMESTAMP } from "../../../model/time";

interface Call {
  readonly outputs: { value: number; timestamp: number }[];
  /** The rest of the restriction, when `process` resumed; undefined when it stopped. */
  readonly rest: SequenceRange | undefined;
  readonly delayMs: number;
}

/** One `process` call on `range`, as the operator makes it; the rest goes through the restriction coder, as in a checkpoint. */
function processOnce(fn: GenerateSequenceFn, range: SequenceRange): Call {
  const tracker = fn.newTracker(range);
  const outputs: { value: number; timestamp: number }[] = [];
  const ctx = {
    tracker,
    watermarkEstimator: fn.newWatermarkEstimator(MIN_TIMESTAMP),
    outputWithTimestamp: (value: number, timestamp: number) => outputs.push({ value, timestamp }),
  } as unknown as mr.SplittableProcessContext<number, SequenceRange, number>;
  const result = fn.process(new Uint8Array(0), ctx);
  if (!result.shouldResume) {
    tracker.checkDone();
    return { outputs, rest: undefined, delayMs: 0 };
  }
  const split = tracker.trySplit(0);
  const rest =
    split && (decodeFromBytes(DEFAULT_RESTRICTION_CODER, encodeToBytes(DEFAULT_RESTRICTION_CODER, split.residual)) as SequenceRange);
  return { outputs, rest, delayMs: result.resumeDelayMs };
}

describe("generateSequence as a splittable DoFn", () => {
  it("splits a bounded sequence into parts that cover it; each part is read once, in calls of at most MAX_NUMBERS_PER_CALL", () => {
    const fn = new GenerateSequenceFn({ from: 5, to: 5005 }, () => 1000);
    expect(fn.boundedness).to.equal("bounded");
    const parts = fn.splitRestriction(new Uint8Array(0), fn.initialRestriction());
    expect(parts.length).to.be.greaterThan(1);
    expect(parts[0]!.from).to.equal(5);
    expect(parts.at(-1)!.to).to.equal(5005);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.from).to.equal(parts[i - 1]!.to);
    const seen: number[] = [];
    let calls = 0;
    for (const part of parts) {
      for (let r: SequenceRange | undefined = part; r; calls++) {
        const call = processOnce(fn, r);
        expect(call.outputs.length).to.be.at.most(MAX_NUMBERS_PER_CALL);
        expect(call.delayMs).to.equal(0);
        seen.push(...call.outputs.map((o) => o.value));
        r = call.rest;
      }
    }
    expect(seen).to.deep.equal(Array.from({ length: 5000 }, (_, i) => i + 5));
    expect(calls).to.be.greaterThan(parts.length);
  });

  it("keeps an empty sequence whole; splits a paced bounded one into parts that share the pace's start", () => {
    const empty = new GenerateSequenceFn({ from: 5, to: 5 });
    expect(empty.splitRestriction(new Uint8Array(0), empty.initialRestriction())).to.deep.equal([{ from: 5, to: 5 }]);
    expect(processOnce(empty, { from: 5, to: 5 })).to.deep.equal({ outputs: [], rest: undefined, delayMs: 0 });
    const paced = new GenerateSequenceFn({ from: 0, to: 100_000, periodMs: 10, elementsPerPeriod: 3 }, () => 7);
    const parts = paced.splitRestriction(new Uint8Array(0), paced.initialRestriction());
    expect(parts.length).to.be.greaterThan(1);
    expect(parts.every((r) => r.startedAt === 7)).to.equal(true);
    // A later part waits for its numbers' time in the whole schedule: number 99_999 is due in period 33_333.
    const last = processOnce(paced, parts.at(-1)!);
    expect(last.outputs).to.deep.equal([]);
    expect(last.delayMs).to.equal(Math.floor((parts.at(-1)!.from - 0) / 3) * 10);
  });

  it("paces an unbounded sequence: elementsPerPeriod per period from its start, stamped with the time they are emitted, across a restore", () => {
    let now = 10_000;
    const fn = new GenerateSequenceFn({ from: 100, periodMs: 50, elementsPerPeriod: 3 }, () => now);
    expect(fn.boundedness).to.equal("unbounded");
    expect(fn.splitRestriction(new Uint8Array(0), fn.initialRestriction())).to.deep.equal([{ from: 100, to: Infinity, startedAt: 10_000 }]);

    const first = processOnce(fn, fn.initialRestriction());
    expect(first.outputs).to.deep.equal([100, 101, 102].map((value) => ({ value, timestamp: 10_000 })));
    expect(first.delayMs, "the next numbers are due one period after the start").to.equal(50);
    expect(first.rest).to.deep.equal({ from: 103, to: Infinity, startedAt: 10_000 });

    // Three periods later (the call was late): the numbers of the periods missed come at once.
    now = 10_170;
    const late = processOnce(fn, first.rest!);
    expect(late.outputs.map((o) => o.value)).to.deep.equal([103, 104, 105, 106, 107, 108, 109, 110, 111]);
    expect(late.outputs.every((o) => o.timestamp === 10_170)).to.equal(true);
    expect(late.delayMs, "the restored start keeps the pace: the next period starts at 10200").to.equal(30);

    // Called again before that: nothing is due yet.
    now = 10_190;
    const early = processOnce(fn, late.rest!);
    expect(early.outputs).to.deep.equal([]);
    expect(early.delayMs).to.equal(10);
    expect(early.rest).to.deep.equal({ from: 112, to: Infinity, startedAt: 10_000 });
  });

  it("reads an unpaced unbounded sequence in chunks, resuming at once", () => {
    const fn = new GenerateSequenceFn({ from: 0 }, () => 5);
    const first = processOnce(fn, fn.initialRestriction());
    expect(first.outputs.map((o) => o.value)).to.deep.equal(Array.from({ length: MAX_NUMBERS_PER_CALL }, (_, i) => i));
    expect(first.delayMs).to.equal(0);
    expect(first.rest!.from).to.equal(MAX_NUMBERS_PER_CALL);
  });

  it("keeps the pace in a part split off before its first call (the direct runner's random splits)", () => {
    let now = 0;
    const fn = new GenerateSequenceFn({ from: 0, to: 100, periodMs: 10, elementsPerPeriod: 2 }, () => now);
    const tracker = fn.newTracker(fn.initialRestriction());
    const split = tracker.trySplit(0.5)!;
    expect(split.residual).to.deep.equal({ from: 50, to: 100, startedAt: 0 });
    // Number 50 is due in period 25, at 250: the residual waits for it, as the whole sequence would.
    now = 30;
    const early = processOnce(fn, split.residual);
    expect(early.outputs).to.deep.equal([]);
    expect(early.delayMs).to.equal(220);
    now = 250;
    expect(processOnce(fn, split.residual).outputs.map((o) => o.value)).to.deep.equal([50, 51]);
  });

  it("stops a paced bounded sequence at its end", () => {
    let now = 0;
    const fn = new GenerateSequenceFn({ from: 0, to: 5, periodMs: 10, elementsPerPeriod: 2 }, () => now);
    const first = processOnce(fn, fn.initialRestriction());
    expect(first.outputs.map((o) => o.value)).to.deep.equal([0, 1]);
    now = 1000;
    const last = processOnce(fn, first.rest!);
    expect(last.outputs.map((o) => o.value)).to.deep.equal([2, 3, 4]);
    expect(last.rest).to.equal(undefined);
  });

  it("follows the wall clock with its watermark (outputs are stamped with processing time)", () => {
    const before = Date.now();
    const estimator = new GenerateSequenceFn({ from: 0 }).newWatermarkEstimator(MIN_TIMESTAMP);
    expect(estimator.currentWatermark()).to.be.at.least(before);
    expect(estimator).to.be.instanceOf(mr.WallTimeWatermarkEstimator);
  });
});
