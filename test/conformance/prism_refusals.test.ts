// The conformance cases Prism cannot run with millrace's SDK harness: each is
// refused at submission, before Prism starts, with a message naming the
// feature, the transform and Prism's reason. The list is asserted here by
// name (a case that starts or stops needing a refused feature changes it).
import { expect } from "chai";
import * as mr from "../../index";
import { unsupportedOnPrism } from "../../runners/portable/prism/prism_support";
import { ALL_CASES } from "./cases";
import { PRISM_DIVERGENCES } from "./prism_divergences";

const REFUSED_ON_PRISM: Readonly<Record<string, readonly string[]>> = {
  "windowing: generateSequence({ from, to }) is a bounded source": [
    "splittable DoFn in 'GenerateSequence/Numbers'",
    "splittable DoFn in 'Empty/Numbers'",
  ],
  "sessions: early afterCount firings count across merged sessions": [
    "a count or processing-time trigger on session windows in 'GroupByKey'",
  ],
  "splittable DoFn: bounded, over a Create's values, split into ranges": ["splittable DoFn in 'CountTo'"],
  "splittable DoFn: bounded, inside a stage, after other steps": ["splittable DoFn in 'CountTo'"],
  "splittable DoFn: object form reading an impulse, output timestamps windowed": ["splittable DoFn in 'SplittableParDo'"],
  "splittable DoFn: unbounded, checkpoints itself with resume, manual watermark": ["splittable DoFn in 'Ticks'"],
  "splittable DoFn: process that leaves its restriction unfinished fails": ["splittable DoFn in 'Lazy'"],
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

  it("a refused case fails before Prism starts, with the feature, the transform and Prism's reason", async () => {
    const c = ALL_CASES.find((k) => k.definition.name === "splittable DoFn: bounded, over a Create's values, split into ranges")!;
    // A binary that does not exist: the refusal comes before Prism would be looked for.
    const result = c.definition.create(["--runner=prism", "--prismBinary=/nonexistent/prism"]).run();
    const err = await result.waitUntilFinish().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err, "the run must fail").to.be.instanceOf(Error);
    expect(err!.message).to.match(/Prism cannot run this pipeline: splittable DoFn in 'CountTo' \(Prism expands a splittable DoFn/);
    expect(result.state).to.equal("FAILED");
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
