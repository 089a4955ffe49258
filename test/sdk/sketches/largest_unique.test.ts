/** Beam's ApproximateUnique estimator: exact below the sample size, within its error above. */
import { expect } from "chai";
import {
  addToLargestUnique,
  emptyLargestUnique,
  estimateUnique,
  mergeLargestUnique,
  sampleSizeFromEstimationError,
  checkSampleSize,
} from "../../../sdk/transforms/sketches/largest_unique";
import { hashValue } from "../../../sdk/transforms/sketches/value_hash";

function estimateOf(values: readonly unknown[], sampleSize: number): number {
  const acc = emptyLargestUnique();
  for (const v of values) addToLargestUnique(acc, hashValue(v), sampleSize);
  return estimateUnique(acc, sampleSize);
}

describe("approximateUnique estimator (largest hashes)", () => {
  it("counts exactly below the sample size, repeats once", () => {
    const values = Array.from({ length: 500 }, (_, i) => `v${i % 300}`);
    expect(estimateOf(values, 1000)).to.equal(300);
    expect(estimateOf([], 16)).to.equal(0);
  });

  it("estimates above the sample size within 4 / sqrt(sampleSize)", () => {
    for (const n of [5_000, 50_000]) {
      const values = Array.from({ length: n }, (_, i) => i);
      const est = estimateOf(values, 1024);
      expect(Math.abs(est - n) / n, `n=${n}: estimate ${est}`).to.be.below(4 / Math.sqrt(1024));
    }
  });

  it("merging parts gives the estimate of the whole", () => {
    const parts = [0, 1, 2].map((k) => {
      const acc = emptyLargestUnique();
      for (let i = k * 3000; i < (k + 1) * 3000; i++) addToLargestUnique(acc, hashValue(i), 256);
      return acc;
    });
    const whole = Array.from({ length: 9000 }, (_, i) => i);
    expect(estimateUnique(mergeLargestUnique(parts, 256), 256)).to.equal(estimateOf(whole, 256));
  });

  it("derives the sample size from the error as Beam (ceil(4 / e^2)) and checks both", () => {
    expect(sampleSizeFromEstimationError(0.02)).to.equal(10_000);
    expect(sampleSizeFromEstimationError(0.5)).to.equal(16);
    expect(() => sampleSizeFromEstimationError(0.001)).to.throw(/\[0.01, 0.5\]/);
    expect(() => checkSampleSize(15)).to.throw(/>= 16/);
  });
});
