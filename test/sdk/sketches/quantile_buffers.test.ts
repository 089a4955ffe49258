/**
 * Beam's ApproximateQuantilesCombineFn: exact on inputs that fit in a
 * buffer (Beam's own test values), and within its rank error of
 * 1 / numQuantiles when buffers collapse, including across merged shards.
 */
import { expect } from "chai";
import {
  addToQuantiles,
  emptyQuantileState,
  extractQuantiles,
  mergeQuantileStates,
  quantileSizes,
  type QuantileSizes,
  type QuantileState,
} from "../../../sdk/transforms/sketches/quantile_buffers";

const byNumber = (a: number, b: number) => a - b;

function stateOf(values: readonly number[], sizes: QuantileSizes): QuantileState<number> {
  const s = emptyQuantileState<number>();
  for (const v of values) addToQuantiles(s, v, sizes, byNumber);
  return s;
}

/** A deterministic shuffle of 0..n-1 (a linear congruential permutation). */
function shuffled(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("approximate quantiles (Munro-Paterson buffers)", () => {
  it("sizes the buffers as Beam does for 1e9 elements", () => {
    // Beam: b = 25, k = 60 for numQuantiles 5 (epsilon 0.2); b = 20, k = 1908 for 101.
    expect(quantileSizes(5)).to.deep.equal({ numQuantiles: 5, bufferSize: 60, numBuffers: 25 });
    expect(quantileSizes(101)).to.deep.equal({ numQuantiles: 101, bufferSize: 1908, numBuffers: 20 });
  });

  it("gives Beam's result for 0..100 in 5 quantiles: [0, 25, 50, 75, 100]", () => {
    const sizes = quantileSizes(5);
    expect(extractQuantiles(stateOf(shuffled(101), sizes), sizes, byNumber)).to.deep.equal([0, 25, 50, 75, 100]);
  });

  it("is empty for no input, and the element itself for one", () => {
    const sizes = quantileSizes(3);
    expect(extractQuantiles(emptyQuantileState<number>(), sizes, byNumber)).to.deep.equal([]);
    expect(extractQuantiles(stateOf([7], sizes), sizes, byNumber)).to.deep.equal([7, 7, 7]);
  });

  it("stays within a rank error of n / numQuantiles when buffers collapse", () => {
    const n = 200_000;
    const sizes = quantileSizes(101);
    const state = stateOf(shuffled(n), sizes);
    expect(
      state.buffers.some((b) => b.level > 0),
      "buffers were collapsed",
    ).to.equal(true);
    const q = extractQuantiles(state, sizes, byNumber);
    expect(q).to.have.length(101);
    expect(q[0]).to.equal(0);
    expect(q[100]).to.equal(n - 1);
    // Values are their own ranks: quantile i should be near i/100 of the way.
    for (let i = 1; i < 100; i++) expect(Math.abs(q[i]! - (i * (n - 1)) / 100), `quantile ${i}`).to.be.at.most(n / 101);
  });

  it("merging shards' states is within the same bound", () => {
    const n = 120_000;
    const sizes = quantileSizes(11);
    const all = shuffled(n);
    const shards = [0, 1, 2, 3, 4, 5].map((k) =>
      stateOf(
        all.filter((_, i) => i % 6 === k),
        sizes,
      ),
    );
    const q = extractQuantiles(mergeQuantileStates(shards, sizes, byNumber), sizes, byNumber);
    expect(q[0]).to.equal(0);
    expect(q[10]).to.equal(n - 1);
    for (let i = 1; i < 10; i++) expect(Math.abs(q[i]! - (i * (n - 1)) / 10), `quantile ${i}`).to.be.at.most(n / 11);
  });

  it("refuses fewer than 2 quantiles", () => {
    expect(() => quantileSizes(1)).to.throw(/quantiles >= 2/);
  });
});
