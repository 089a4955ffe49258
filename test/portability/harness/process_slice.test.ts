// Process slices on their own: a sliced tracker checkpoints at the first
// claim after its slice ended (never before a first claim, so every call
// makes progress), keeps the tracker's class and methods, and the shared
// splittable operator turns the checkpoint into a residual marked `sliced`
// with the estimator's state, while a DoFn's own resume() stays unmarked.
import { expect } from "chai";
import * as mr from "../../../index";
import { sliceTracker, timeSlice, type ProcessSlice } from "../../../portability/harness/process_slice";
import { SplittableDoFnOperator } from "../../../portability/harness/splittable_dofn_operator";
import { MetricsContainer } from "../../../portability/harness/metrics_container";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

/** A slice that ends after `claims` questions. */
function afterClaims(claims: number): ProcessSlice {
  let asked = 0;
  return { ended: () => ++asked > claims };
}

function numbers(n: number, resumeAt?: number): mr.SplittableDoFnObject<number, number, mr.OffsetRange> {
  return {
    initialRestriction: () => new mr.OffsetRange(0, n),
    newTracker: (r: mr.OffsetRange) => new mr.OffsetRangeTracker(r),
    process(_n: number, ctx) {
      for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) {
        ctx.outputWithTimestamp(i, i);
        if (i + 1 === resumeAt) return mr.ProcessContinuation.resume(7);
      }
      return mr.ProcessContinuation.stop();
    },
  };
}

function operator(fn: mr.SplittableDoFnObject<number, number, mr.OffsetRange>, out: number[]): SplittableDoFnOperator {
  const noSideInputs = { get: () => undefined as never };
  return new SplittableDoFnOperator(
    "Numbers",
    fn as never,
    { receive: (v) => out.push(v as number) },
    noSideInputs,
    new MetricsContainer(),
    false,
  );
}

describe("process slices (the harness's own checkpoints of a splittable DoFn's call)", () => {
  it("a sliced tracker checkpoints at the first claim after the slice ended, keeping its class", () => {
    const tracker = new mr.OffsetRangeTracker(new mr.OffsetRange(0, 100));
    const checkpoint = sliceTracker(tracker, afterClaims(3));
    const claimed: number[] = [];
    for (let i = 0; tracker.tryClaim(i); i++) claimed.push(i);
    expect(claimed).to.deep.equal([0, 1, 2, 3]);
    expect(tracker).to.be.instanceOf(mr.OffsetRangeTracker);
    expect(checkpoint.residual?.toString()).to.equal(new mr.OffsetRange(4, 100).toString());
    expect(tracker.currentRestriction().toString()).to.equal(new mr.OffsetRange(0, 4).toString());
    tracker.checkDone();
  });

  it("never checkpoints before the first claim, so a call always makes progress", () => {
    const tracker = new mr.OffsetRangeTracker(new mr.OffsetRange(10, 20));
    const checkpoint = sliceTracker(tracker, { ended: () => true });
    expect(tracker.tryClaim(10)).to.equal(true);
    expect(tracker.tryClaim(11)).to.equal(false);
    expect(checkpoint.residual?.toString()).to.equal(new mr.OffsetRange(11, 20).toString());
  });

  it("a time slice reads the clock once per 64 claims and ends when its time has come", () => {
    let now = 1_000;
    let reads = 0;
    const slice = timeSlice(50, () => (reads++, now));
    now = 2_000;
    const answers = Array.from({ length: 128 }, () => slice.ended());
    expect(reads).to.equal(1 + 2);
    expect(answers.filter((a) => a)).to.have.length(2);
  });

  it("the shared operator keeps a slice's rest as sliced work, and a resume() as the DoFn's residual", () => {
    const out: number[] = [];
    const op = operator(numbers(10), out);
    const [work] = op.initialWork(10, 0, IN_GLOBAL_WINDOW);
    const residuals = op.processWork(work!, NO_FIRING, afterClaims(4));
    expect(out).to.deep.equal([0, 1, 2, 3, 4]);
    expect(residuals.map((r) => [r.sliced, r.delayMs, String(r.work.restriction), r.work.watermarkState])).to.deep.equal([
      [true, 0, new mr.OffsetRange(5, 10).toString(), 4],
    ]);

    const resumed: number[] = [];
    const own = operator(numbers(10, 3), resumed);
    const [w] = own.initialWork(10, 0, IN_GLOBAL_WINDOW);
    const [r] = own.processWork(w!, NO_FIRING, afterClaims(100));
    expect(resumed).to.deep.equal([0, 1, 2]);
    expect([r!.sliced, r!.delayMs, String(r!.work.restriction)]).to.deep.equal([undefined, 7, new mr.OffsetRange(3, 10).toString()]);
  });
});
