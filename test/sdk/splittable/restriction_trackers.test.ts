/**
 * The restriction trackers and restrictions of splittable DoFns, alone:
 * claims, splits (checkpoint and at a fraction), done checks, progress; the
 * watermark estimators; the default restriction coder; and reading a text
 * file by byte ranges, where every split of a file reads each line once.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import { decodeFromBytes, encodeToBytes } from "../../../portability/coders/coder";
import { readLines, readLinesFrom } from "../../../sdk/io/text_lines";

describe("splittable DoFn restrictions", () => {
  describe("OffsetRange", () => {
    it("splits into contiguous parts that cover it, merging a too-small last part", () => {
      const parts = new mr.OffsetRange(3, 25).split(5, 3);
      expect(parts.map((r) => [r.from, r.to])).to.deep.equal([
        [3, 8],
        [8, 13],
        [13, 18],
        [18, 25],
      ]);
      expect(new mr.OffsetRange(0, Infinity).split(10)).to.have.length(1);
      expect(new mr.OffsetRange(0, 4).size()).to.equal(4);
    });
    it("refuses a reversed or fractional range", () => {
      expect(() => new mr.OffsetRange(5, 4)).to.throw(/must not be before/);
      expect(() => new mr.OffsetRange(0.5, 4)).to.throw(/whole number/);
    });
  });

  describe("OffsetRangeTracker", () => {
    it("claims offsets in the range in increasing order, and fails a claim at the end", () => {
      const t = new mr.OffsetRangeTracker(new mr.OffsetRange(10, 13));
      expect([t.tryClaim(10), t.tryClaim(12), t.tryClaim(13)]).to.deep.equal([true, true, false]);
      expect(() => t.tryClaim(11)).to.throw(/increasing order/);
      t.checkDone();
      expect(t.isBounded()).to.equal(true);
    });

    it("checkpoints with trySplit(0): the primary is what was claimed, the residual the rest", () => {
      const t = new mr.OffsetRangeTracker({ from: 0, to: 100 });
      t.tryClaim(0);
      t.tryClaim(9);
      const split = t.trySplit(0)!;
      expect([split.primary.from, split.primary.to, split.residual.from, split.residual.to]).to.deep.equal([0, 10, 10, 100]);
      expect(t.currentRestriction().to).to.equal(10);
      expect(t.tryClaim(10)).to.equal(false);
      t.checkDone();
    });

    it("splits at a fraction of the remainder, and not when nothing is left", () => {
      const t = new mr.OffsetRangeTracker(new mr.OffsetRange(0, 100));
      t.tryClaim(19);
      expect(t.getProgress()).to.deep.equal({ workCompleted: 20, workRemaining: 80 });
      const split = t.trySplit(0.25)!;
      expect([split.primary.to, split.residual.from, split.residual.to]).to.deep.equal([40, 40, 100]);
      const done = new mr.OffsetRangeTracker(new mr.OffsetRange(0, 2));
      done.tryClaim(1);
      expect(done.trySplit(0.5)).to.equal(undefined);
      expect(() => done.trySplit(2)).to.throw(/fractionOfRemainder/);
    });

    it("checkDone says what is left when the range is not finished", () => {
      const t = new mr.OffsetRangeTracker(new mr.OffsetRange(0, 5));
      t.tryClaim(0);
      expect(() => t.checkDone()).to.throw(/\[1, 5\) is left/);
      new mr.OffsetRangeTracker(new mr.OffsetRange(4, 4)).checkDone();
    });
  });

  describe("GrowableOffsetRangeTracker", () => {
    it("is unbounded, splits at a fraction of the estimated end, and ends by claiming Infinity", () => {
      let end = 50;
      const t = new mr.GrowableOffsetRangeTracker(new mr.OffsetRange(0, Infinity), () => end);
      expect(t.isBounded()).to.equal(false);
      t.tryClaim(9);
      expect(t.getProgress()).to.deep.equal({ workCompleted: 10, workRemaining: 40 });
      const split = t.trySplit(0.5)!;
      expect([split.primary.to, split.residual.from, split.residual.to]).to.deep.equal([30, 30, Infinity]);
      end = 5; // the estimate lags behind what was claimed: no negative work
      expect(t.getProgress().workRemaining).to.equal(20);

      const open = new mr.GrowableOffsetRangeTracker(new mr.OffsetRange(7, Infinity));
      expect(() => open.checkDone()).to.throw(/is not done/);
      expect(open.trySplit(0.5), "an unknown end cannot be split at a fraction").to.equal(undefined);
      expect(open.tryClaim(Infinity)).to.equal(false);
      open.checkDone();
    });
  });

  it("ProcessContinuation: stop, resume with a delay, a bad delay refused", () => {
    expect(mr.ProcessContinuation.stop().shouldResume).to.equal(false);
    const r = mr.ProcessContinuation.resume(250);
    expect([r.shouldResume, r.resumeDelayMs]).to.deep.equal([true, 250]);
    expect(() => mr.ProcessContinuation.resume(-1)).to.throw(/resumeDelayMs/);
  });

  describe("watermark estimators", () => {
    it("manual: set by the DoFn, never backwards, restored from its state", () => {
      const m = new mr.ManualWatermarkEstimator();
      expect(m.currentWatermark()).to.equal(mr.MIN_TIMESTAMP);
      m.setWatermark(100);
      m.setWatermark(50);
      expect(m.currentWatermark()).to.equal(100);
      expect(new mr.ManualWatermarkEstimator(m.getState()).currentWatermark()).to.equal(100);
    });
    it("monotonically increasing: the latest output timestamp", () => {
      const m = new mr.MonotonicallyIncreasingWatermarkEstimator(10);
      m.observeTimestamp(30);
      m.observeTimestamp(20);
      expect([m.currentWatermark(), m.getState()]).to.deep.equal([30, 30]);
    });
    it("wall time: at least the clock, never backwards", () => {
      const before = Date.now();
      const w = new mr.WallTimeWatermarkEstimator(before + 3_600_000);
      expect(w.currentWatermark()).to.equal(before + 3_600_000);
      expect(new mr.WallTimeWatermarkEstimator().currentWatermark()).to.be.at.least(before);
    });
  });

  it("the default restriction coder gives OffsetRanges back as OffsetRanges, and codes plain data", () => {
    const coder = new mr.DefaultRestrictionCoder();
    const back = decodeFromBytes(coder, encodeToBytes(coder, new mr.OffsetRange(5, Infinity)));
    expect(back).to.be.instanceOf(mr.OffsetRange);
    expect([(back as mr.OffsetRange).from, (back as mr.OffsetRange).to]).to.deep.equal([5, Infinity]);
    const plain = { seen: ["a", "b"], startedAt: 12, done: false };
    expect(decodeFromBytes(coder, encodeToBytes(coder, plain))).to.deep.equal(plain);
    expect(() => encodeToBytes(coder, new Map() as never)).to.throw(/restrictionCoder/);
  });

  it("WatchedFilesTracker: claims new files once; a checkpoint keeps every file seen in the residual", () => {
    const t = new mr.io.WatchedFilesTracker({ seen: ["/d/a"], startedAt: 0, done: false });
    expect(t.hasSeen("/d/a")).to.equal(true);
    expect(t.tryClaim({ file: "/d/b" })).to.equal(true);
    expect(() => t.tryClaim({ file: "/d/b" })).to.throw(/already claimed/);
    expect(t.trySplit(0.5), "only a checkpoint splits a watch").to.equal(undefined);
    const split = t.trySplit(0)!;
    expect(split.primary).to.deep.equal({ seen: ["/d/a", "/d/b"], startedAt: 0, done: true });
    expect(split.residual).to.deep.equal({ seen: ["/d/a", "/d/b"], startedAt: 0, done: false });
    expect(t.tryClaim({ file: "/d/c" })).to.equal(false);
    t.checkDone();
    const ending = new mr.io.WatchedFilesTracker(split.residual);
    expect(() => ending.checkDone()).to.throw(/not over/);
    expect(ending.tryClaim({ end: true })).to.equal(true);
    ending.checkDone();
  });

  describe("reading text by byte ranges", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-ranges-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The lines of `file` read as the parts of `size` bytes a splittable read makes of it, with claims checked by a tracker. */
    function readInParts(file: string, size: number): string[] {
      const lines: string[] = [];
      for (const part of new mr.OffsetRange(0, fs.statSync(file).size).split(size, 1)) {
        const tracker = new mr.OffsetRangeTracker(part);
        const end = readLinesFrom(
          file,
          part.from,
          (o) => tracker.tryClaim(o),
          (l) => lines.push(l),
        );
        if (!end.refused) tracker.tryClaim(Math.max(end.next, part.to));
        tracker.checkDone();
      }
      return lines;
    }

    it("every split size reads each line exactly once, as reading the whole file does", () => {
      const file = path.join(dir, "mixed.txt");
      const text = "\uFEFFfirst\r\n\nsecond é€😀\nthird\r\n" + "x".repeat(70) + "\n\nlast without newline";
      fs.writeFileSync(file, text);
      const whole: string[] = [];
      readLines(file, (l) => whole.push(l));
      expect(whole).to.deep.equal(["first", "", "second é€😀", "third", "x".repeat(70), "", "last without newline"]);
      for (const size of [1, 2, 3, 5, 7, 16, 64, 1000]) expect(readInParts(file, size), `parts of ${size} bytes`).to.deep.equal(whole);
    });

    it("a file ending with a newline, or holding only a byte order mark, gives no extra line", () => {
      const file = path.join(dir, "final.txt");
      fs.writeFileSync(file, "a\nb\n");
      for (const size of [1, 2, 4]) expect(readInParts(file, size)).to.deep.equal(["a", "b"]);
      const bom = path.join(dir, "bom.txt");
      fs.writeFileSync(bom, "\uFEFF");
      expect(readInParts(bom, 1)).to.deep.equal([]);
    });

    it("a strict read names the line of invalid UTF-8, counted from the start of the file whichever part reads it", () => {
      const file = path.join(dir, "bad.txt");
      fs.writeFileSync(file, Buffer.concat([Buffer.from("ok\nalso\nca"), Buffer.from([0xe9]), Buffer.from("\n")]));
      expect(() => readLines(file, () => undefined, { onInvalidUtf8: "fail" })).to.throw(`'${file}' is not valid UTF-8 (in line 3)`);
      expect(() =>
        readLinesFrom(
          file,
          4,
          () => true,
          () => undefined,
          { onInvalidUtf8: "fail" },
        ),
      ).to.throw(`'${file}' is not valid UTF-8 (in line 3)`);
    });
  });
});
