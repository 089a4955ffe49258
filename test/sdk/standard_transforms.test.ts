/**
 * The standard transforms at construction time: the CombineFn-based ones
 * are combine composites a runner lifts (Beam's combine_per_key URN in the
 * proto), and bad arguments are refused with a message naming the transform.
 */
import { expect } from "chai";
import * as mr from "../../index";

const COMBINE_PER_KEY = "beam:transform:combine_per_key:v1";

/** The unique names of the transforms in the pipeline's proto that carry Beam's combine_per_key URN. */
function liftableCombines(p: mr.Pipeline): string[] {
  const model = mr.portability.fromProto(mr.portability.toProto(p));
  return Object.values(model.components.transforms)
    .filter((t) => t.spec?.urn === COMBINE_PER_KEY)
    .map((t) => t.uniqueName)
    .sort();
}

describe("standard transforms: construction", () => {
  it("the CombineFn-based transforms (and schema aggregations) are combine_per_key composites in the proto, so runners lift them", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const nums = p.apply(mr.create([1, 2, 3]));
    const keyed = nums.apply(mr.withKeys((n: number) => n % 2));
    nums.apply("S", mr.sample.fixedSize<number>(2));
    keyed.apply("SK", mr.sample.fixedSizePerKey<number, number>(2));
    nums.apply("U", mr.approximateUnique.globally<number>());
    nums.apply("H", mr.approximateCountDistinct.globally<number>());
    keyed.apply("HK", mr.approximateCountDistinct.perKey<number, number>());
    nums.apply("Q", mr.approximateQuantiles.globally<number>(3));
    keyed.apply("QK", mr.approximateQuantiles.perKey<number, number>(3));
    nums.apply("L", mr.latest.globally<number>());
    keyed.apply("LK", mr.latest.perKey<number, number>());
    p.apply("Rows", mr.createRows([{ k: "a", v: 1 }])).apply("G", mr.groupBy("k").aggregate("v", mr.combiners.sum(), "total"));
    const combines = liftableCombines(p);
    for (const name of ["S", "SK", "U", "H", "HK", "Q", "QK", "L", "LK", "G"]) {
      expect(
        combines.some((c) => c.startsWith(`${name}/`)),
        `${name} contains a combine_per_key (got ${combines.join(", ")})`,
      ).to.equal(true);
    }
  });

  it("refuses bad arguments, naming the transform", () => {
    expect(() => mr.sample.fixedSize(-1)).to.throw(/sample: the sample size must be a whole number >= 0, got -1/);
    expect(() => mr.approximateQuantiles.globally(1)).to.throw(/approximateQuantiles needs a whole number of quantiles >= 2/);
    expect(() => mr.approximateUnique.globally({ sampleSize: 8 })).to.throw(/sampleSize must be a whole number >= 16/);
    expect(() => mr.approximateUnique.globally({ sampleSize: 100, maximumEstimationError: 0.1 })).to.throw(/not both/);
    expect(() => mr.approximateCountDistinct.globally({ precision: 30 })).to.throw(/precision must be a whole number in \[10, 24\]/);
    expect(() => mr.deduplicate({ durationMs: 0 })).to.throw(/deduplicate: durationMs must be a number > 0/);
    expect(() => mr.deduplicate({ timeDomain: "wallTime" as "eventTime" })).to.throw(/deduplicate: timeDomain must be/);
    expect(() => mr.regex.find("(unclosed")).to.throw(/regex\.find: bad pattern "\(unclosed"/);
    expect(() => mr.waitOn()).to.throw(/waitOn needs at least one signal/);
    expect(() => mr.combiners.any(42 as unknown as (x: unknown) => boolean)).to.throw(/combiners\.any expects a predicate function/);
    expect(() => mr.withTimestamps((x: number) => x, { allowedSkewMs: 1, allowedTimestampSkewMs: 2 })).to.throw(/same option/);
  });

  it("waitOn refuses a signal of another pipeline", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const other = mr.Pipeline.create(["--runner=direct"]).apply(mr.create([1]));
    expect(() => p.apply(mr.create([1])).apply(mr.waitOn(other))).to.throw(/waitOn: signal 0 is not a collection of this pipeline/);
  });
});
