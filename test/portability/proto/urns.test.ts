import { expect } from "chai";
import {
  ALL_REQUIREMENT_URNS,
  CoderUrns,
  CombineComponentUrns,
  CompositeTransformUrns,
  EnvironmentUrns,
  MillraceUrns,
  PrimitiveTransformUrns,
  RequirementUrns,
  SideInputUrns,
  TransformUrns,
  WindowFnUrns,
} from "../../../portability/urns";

describe("portability/urns", () => {
  it("spells the README's URNs exactly", () => {
    expect(TransformUrns.PAR_DO).to.equal("beam:transform:pardo:v1");
    expect(TransformUrns.TEST_STREAM).to.equal("beam:transform:teststream:v1");
    expect(TransformUrns.COMBINE_PER_KEY_MERGE_ACCUMULATORS).to.equal("beam:transform:combine_per_key_merge_accumulators:v1");
    expect(CoderUrns.KV).to.equal("beam:coder:kv:v1");
    expect(WindowFnUrns.FIXED).to.equal("beam:window_fn:fixed_windows:v1");
    expect(SideInputUrns.ITERABLE).to.equal("beam:side_input:iterable:v1");
    expect(EnvironmentUrns.DEFAULT).to.equal("beam:env:default:v1");
    expect(RequirementUrns.TIME_SORTED_INPUT).to.equal("beam:requirement:pardo:time_sorted_input:v1");
    expect(MillraceUrns.JS_VALUE_CODER).to.equal("millrace:coder:js_value:v1");
  });

  it("has the README's counts per group", () => {
    expect(Object.keys(PrimitiveTransformUrns)).to.have.length(8);
    expect(Object.keys(CompositeTransformUrns)).to.have.length(4);
    expect(Object.keys(CombineComponentUrns)).to.have.length(4);
    expect(Object.keys(TransformUrns)).to.have.length(16);
    expect(Object.keys(CoderUrns)).to.have.length(18);
    expect(Object.keys(WindowFnUrns)).to.have.length(4);
    expect(Object.keys(SideInputUrns)).to.have.length(2);
    expect(Object.keys(EnvironmentUrns)).to.have.length(4);
    expect(ALL_REQUIREMENT_URNS.size).to.equal(6);
  });

  it("uses beam: for standard URNs and millrace: for ours, with no duplicates", () => {
    const groups = [TransformUrns, CoderUrns, WindowFnUrns, SideInputUrns, EnvironmentUrns, RequirementUrns];
    const all = groups.flatMap((g) => Object.values(g) as string[]);
    for (const urn of all) expect(urn).to.match(/^beam:[a-z_]+:[a-z0-9_:]+:v1$/);
    for (const urn of Object.values(MillraceUrns)) expect(urn).to.match(/^millrace:[a-z_:]+:v1$/);
    const everything = [...all, ...Object.values(MillraceUrns)];
    expect(new Set(everything).size).to.equal(everything.length);
  });
});
