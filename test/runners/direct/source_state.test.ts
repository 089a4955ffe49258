/**
 * Where a direct-runner stage's source is: when a splittable source counts
 * as idle (its stage may then flush its partial combines) and how many
 * pieces of work it holds (the split policy stops splitting at a bound).
 */
import { expect } from "chai";
import { sourceIdle, sourcePieces, type SourceState } from "../../../runners/direct/source_state";
import { SeededRandom } from "../../../runners/direct/seeded_random";
import type { SplittableDoFnOperator } from "../../../portability/harness/splittable_dofn_operator";
import type { SplittableWork } from "../../../portability/harness/splittable_work";

/** A splittable source whose pieces resume at these processing times (the operator is never called here). */
function splittable(resumeAts: number[]): SourceState {
  return {
    kind: "splittable",
    op: {} as SplittableDoFnOperator,
    seeds: [],
    pending: resumeAts.map((resumeAt) => ({ work: {} as SplittableWork, resumeAt })),
    random: new SeededRandom(1),
  };
}

describe("direct runner: source state", () => {
  it("a splittable source with work due now is busy, so its stage does not flush partial combines after each bundle", () => {
    expect(sourceIdle(splittable([5, 500]), 10)).to.equal(false);
  });

  it("a splittable source is idle when its work resumes later, or when it has none left", () => {
    expect(sourceIdle(splittable([100, 500]), 10)).to.equal(true);
    expect(sourceIdle(splittable([]), 10)).to.equal(true);
  });

  it("counts a splittable source's pieces, and none for other sources", () => {
    expect(sourcePieces(splittable([1, 2, 3]))).to.equal(3);
    expect(sourcePieces({ kind: "once", done: false })).to.equal(0);
    expect(sourcePieces(undefined)).to.equal(0);
  });
});
