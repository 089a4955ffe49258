// The conformance cases Prism cannot run with millrace's SDK harness: each is
// refused at submission, before Prism starts, with a message naming the
// feature, the transform and Prism's reason (the mechanism is checked with a
// refusal of the test's own while the list is empty). The list is asserted here by
// name (a case that starts or stops needing a refused feature changes it).
import { expect } from "chai";
import * as mr from "../../index";
import { unsupportedOnPrism, UnsupportedOnPrismError, type PrismRefusal } from "../../runners/portable/prism/prism_support";
import { ALL_CASES } from "./cases";
import { PRISM_DIVERGENCES } from "./prism_divergences";

// Splittable DoFns, refused until the SDK harness ran Beam's SDF phases, run on Prism now.
const REFUSED_ON_PRISM: Readonly<Record<string, readonly string[]>> = {
  "sessions: early afterCount firings count across merged sessions": [
    "a count or processing-time trigger on session windows in 'GroupByKey'",
  ],
};

describe("conformance on Prism: the cases refused at submission", () => {
  it("are exactly these, each with the feature and transform named", () => {
    const refused: Record<string, string[]> = {};
    for (const c of ALL_CASES) {
      const unsupported = unsupportedOnPrism(mr.portability.toProto(c.definition.create()));
      if (unsupported.length > 0) refused[c.definition.name] = unsupported.map((u) => `${u.feature} in '${u.transform}'`);
    }
    for (const [name, features] of Object.entries(refused)) console.log(`      refused on Prism: ${name}: ${features.join(", ")}`);
    expect(refused).to.deep.equal(REFUSED_ON_PRISM);
  });

  it("the refusal mechanism names the feature, the transform and Prism's reason", () => {
    const c = ALL_CASES.find((k) => k.definition.name === "splittable DoFn: bounded, over a Create's values, split into ranges")!;
    const refusal: PrismRefusal = {
      feature: "a feature for this test",
      reason: "the test says so",
      applies: (model, id) => model.transform(id).uniqueName === "CountTo",
    };
    const unsupported = unsupportedOnPrism(mr.portability.toProto(c.definition.create()), [refusal]);
    expect(unsupported).to.deep.equal([{ transform: "CountTo", feature: "a feature for this test", reason: "the test says so" }]);
    expect(new UnsupportedOnPrismError(unsupported).message).to.equal(
      "Prism cannot run this pipeline: a feature for this test in 'CountTo' (the test says so)",
    );
  });

  it("the cases listed as differing on Prism are cases of the suite, none also refused, each with a reason", () => {
    const names = new Set(ALL_CASES.map((c) => c.definition.name));
    for (const [name, d] of Object.entries(PRISM_DIVERGENCES)) {
      console.log(`      differs on Prism: ${name}: ${d.reason}`);
      expect(names.has(name), `'${name}' is no case of the suite (renamed?)`).to.equal(true);
      expect(REFUSED_ON_PRISM[name], `'${name}' is both refused and listed as differing`).to.equal(undefined);
      expect(d.reason).to.match(/Prism|harness/);
    }
  });
});
