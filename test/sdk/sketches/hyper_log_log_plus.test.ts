/**
 * HyperLogLog++ (Beam's ApproximateCountDistinct defaults): estimates of
 * known distinct counts within the sketch's error bound, in both the sparse
 * and the dense representation, and merging equal to sketching the union.
 */
import { expect } from "chai";
import { addHash, emptySketch, estimate, mergeSketches, type HllSketch } from "../../../sdk/transforms/sketches/hyper_log_log_plus";
import { hashValue } from "../../../sdk/transforms/sketches/value_hash";

function sketchOf(values: Iterable<unknown>, p?: number, sp?: number): HllSketch {
  const s = emptySketch(p, sp);
  for (const v of values) addHash(s, hashValue(v));
  return s;
}

function* range(from: number, to: number, map: (i: number) => unknown = (i) => i): Generator<unknown> {
  for (let i = from; i < to; i++) yield map(i);
}

/** Three standard errors of a HyperLogLog of precision p: 3 * 1.04 / sqrt(2^p). */
const threeSigma = (p: number) => (3 * 1.04) / Math.sqrt(2 ** p);

describe("HyperLogLog++ sketch", () => {
  it("an empty sketch estimates 0; one element, 1; repeats count once", () => {
    expect(estimate(emptySketch())).to.equal(0);
    expect(estimate(sketchOf(["a"]))).to.equal(1);
    expect(estimate(sketchOf(["a", "a", "a", { x: 1, y: 2 }, { y: 2, x: 1 }]))).to.equal(2);
  });

  it("small counts stay sparse and are almost exact (linear counting at sparse precision 20)", () => {
    for (const n of [10, 100, 1000, 5000]) {
      const s = sketchOf(range(0, n, (i) => `user-${i}`));
      expect(s.dense, `n=${n} is still sparse`).to.equal(null);
      expect(Math.abs(estimate(s) - n) / n, `n=${n}`).to.be.below(0.01);
    }
  });

  it("large counts go dense and stay within three standard errors at Beam's precision 15", () => {
    for (const n of [30_000, 100_000, 250_000]) {
      const s = sketchOf(range(0, n));
      const est = estimate(s);
      expect(s.dense, `n=${n} is dense`).to.not.equal(null);
      expect(Math.abs(est - n) / n, `n=${n}: estimate ${est}`).to.be.below(threeSigma(15));
    }
  });

  it("a lower precision has the larger error bound it should, and stays within it", () => {
    const n = 50_000;
    const err = Math.abs(estimate(sketchOf(range(0, n), 10, 15)) - n) / n;
    expect(err).to.be.below(threeSigma(10));
  });

  it("merging sketches of parts gives the estimate of the whole (sparse, dense and mixed)", () => {
    for (const n of [2_000, 80_000]) {
      const parts = [0, 1, 2, 3].map((k) => sketchOf(range((k * n) / 4, ((k + 1) * n) / 4)));
      const whole = sketchOf(range(0, n));
      expect(estimate(mergeSketches(parts, 15, 20)), `n=${n}`).to.equal(estimate(whole));
    }
    const mixed = mergeSketches([sketchOf(range(0, 100)), sketchOf(range(100, 60_000))], 15, 20);
    expect(estimate(mixed)).to.equal(estimate(sketchOf(range(0, 60_000))));
    // Overlapping parts: the union counts each element once.
    const overlapping = mergeSketches([sketchOf(range(0, 40_000)), sketchOf(range(20_000, 60_000))], 15, 20);
    expect(Math.abs(estimate(overlapping) - 60_000) / 60_000).to.be.below(threeSigma(15));
  });

  it("merging leaves its inputs as they were", () => {
    const a = sketchOf(range(0, 500));
    const before = JSON.stringify(a);
    mergeSketches([a, sketchOf(range(0, 40_000))], 15, 20);
    expect(JSON.stringify(a)).to.equal(before);
  });

  it("refuses precisions outside Beam's bounds and merges of different precisions", () => {
    expect(() => emptySketch(3, 20)).to.throw(/precision/);
    expect(() => emptySketch(15, 14)).to.throw(/sparse precision/);
    expect(() => mergeSketches([emptySketch(14, 20)], 15, 20)).to.throw(/precisions/);
  });
});
