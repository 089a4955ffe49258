// The conformance cases of splittable DoFns on Prism (scripts/prism.sh
// install; .ci/run does it): every case built on an SDF (the splittable
// cases, and generateSequence as a bounded source) runs on Prism through
// the SDK harness's SDF phases, with the same assertions and failures as on
// every millrace runner. (The whole suite on Prism lives in
// test/conformance; this file keeps the SDF cases in view on their own.)
import { expect } from "chai";
import * as mr from "../../../index";
import { RequirementUrns } from "../../../portability/urns";
import { ALL_CASES } from "../../conformance/cases";
import type { ConformanceCase } from "../../conformance/conformance_case";

/** The cases whose pipeline has a splittable ParDo (a restriction coder in its proto). */
function usesSplittableDoFn(c: ConformanceCase): boolean {
  const model = mr.portability.fromProto(mr.portability.toProto(c.definition.create()), {
    supportedRequirements: Object.values(RequirementUrns),
  });
  return model.leaves.some((t) => t.urn === "beam:transform:pardo:v1" && (model.parDoPayload(t.id).restrictionCoderId ?? "") !== "");
}

async function runOnPrism(c: ConformanceCase): Promise<void> {
  const result = c.definition.create(["--runner=prism"]).run();
  if (c.expectFailure === undefined) {
    expect(await result.waitUntilFinish(), "final state").to.equal("DONE");
    expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER] ?? 0, "assertions passed").to.equal(c.assertions);
    c.check?.(result);
    return;
  }
  const err = await result.waitUntilFinish().then(
    (state) => new Error(`the run should fail, but it ended in state ${state}`),
    (e: unknown) => e,
  );
  expect(err, String(err)).to.be.instanceOf(mr.PipelineExecutionError);
  if (c.expectFailure instanceof RegExp) expect((err as Error).message).to.match(c.expectFailure);
  else c.expectFailure(err as mr.PipelineExecutionError);
}

describe("conformance on Prism: the cases of splittable DoFns", function () {
  this.timeout(180_000);
  const cases = ALL_CASES.filter(usesSplittableDoFn);

  it("include the splittable cases and generateSequence's", () => {
    const names = cases.map((c) => c.definition.name);
    expect(names.filter((n) => n.startsWith("splittable DoFn:")).length).to.be.greaterThanOrEqual(5);
    expect(names).to.include("windowing: generateSequence({ from, to }) is a bounded source");
  });

  for (const c of cases) {
    it(c.definition.name, () => runOnPrism(c));
  }
});
