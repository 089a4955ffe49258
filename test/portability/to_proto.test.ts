import { expect } from "chai";
import * as mr from "../../index";
import { decodeMessage, encodeMessage, IsBounded, MergeStatus, AccumulationMode, OutputTime } from "../../portability/proto/messages";
import { TransformUrns, MillraceUrns, CoderUrns, WindowFnUrns, SideInputUrns } from "../../portability/urns";

function sampleProto() {
  const p = mr.Pipeline.create();
  const words = p.apply("Words", mr.create(["a", "b", "a"]));
  const total = words.apply("Total", mr.countGlobally());
  words
    .apply(
      "Share",
      mr.map((w: string, ctx) => `${w}/${ctx.sideInput("total")}`, { sideInputs: { total: mr.views.singleton(total) } }),
    )
    .apply(
      "Pair",
      mr.withKeys((s: string) => s.length),
    )
    .apply("Group", mr.groupByKey());
  words
    .apply(
      "Sum",
      mr.map(() => 1),
    )
    .apply(
      "Counted",
      mr.withKeys(() => "k"),
    )
    .apply("PerKey", mr.combinePerKey(mr.combiners.sum()));
  return decodeMessage("Pipeline", mr.portability.toProto(p));
}

describe("toProto", () => {
  it("emits a Beam Runner API Pipeline with standard URNs for standard transforms", () => {
    const proto = sampleProto();
    const t = proto.components!.transforms;
    expect(t["Words/Impulse"]!.spec!.urn).to.equal(TransformUrns.IMPULSE);
    expect(t["Words/Values"]!.spec!.urn).to.equal(TransformUrns.PAR_DO);
    expect(t["Group"]!.spec!.urn).to.equal(TransformUrns.GROUP_BY_KEY);
    expect(t["PerKey"]!.spec!.urn).to.equal(TransformUrns.COMBINE_PER_KEY);
    expect(t["PerKey"]!.subtransforms).to.deep.equal(["PerKey/GroupByKey", "PerKey/CombineValues"]);
    expect(proto.rootTransformIds).to.include.members(["Words", "Total", "Share", "Pair", "Group", "Sum", "Counted", "PerKey"]);
  });

  it("names the SDK environment on user-code leaves only: not on Impulse, GroupByKey, Flatten or composites", () => {
    const proto = sampleProto();
    const t = proto.components!.transforms;
    expect(t["Words/Impulse"]!.environmentId).to.equal("");
    expect(t["Group"]!.environmentId).to.equal("");
    expect(t["Total/Count/Merge"]!.spec!.urn).to.equal(TransformUrns.FLATTEN);
    expect(t["Total/Count/Merge"]!.environmentId).to.equal("");
    expect(t["PerKey"]!.environmentId).to.equal("");
    expect(t["Share"]!.environmentId).to.equal("millrace_node");
    const env = proto.components!.environments["millrace_node"]!;
    expect(env.urn).to.equal(MillraceUrns.ENVIRONMENT);
    const origin = JSON.parse(Buffer.from(env.payload).toString("utf8"));
    expect(origin).to.include.keys("module", "definition", "args", "runIndex", "fingerprint");
  });

  it("carries user functions by reference under millrace URNs, with side inputs among the inputs as in Beam", () => {
    const proto = sampleProto();
    const share = proto.components!.transforms["Share"]!;
    const payload = decodeMessage("ParDoPayload", share.spec!.payload);
    expect(payload.doFn!.urn).to.equal(MillraceUrns.DO_FN);
    expect(JSON.parse(Buffer.from(payload.doFn!.payload).toString())).to.deep.equal({
      ref: "Share#fn",
      shape: "map",
      additionalOutputs: [],
    });
    expect(Object.keys(share.inputs).sort()).to.deep.equal(["main", "total"]);
    expect(payload.sideInputs["total"]!.accessPattern!.urn).to.equal(SideInputUrns.ITERABLE);
    expect(payload.sideInputs["total"]!.viewFn!.urn).to.equal(MillraceUrns.VIEW_FN);
    const combine = decodeMessage("CombinePayload", proto.components!.transforms["PerKey"]!.spec!.payload);
    expect(combine.combineFn!.urn).to.equal(MillraceUrns.COMBINE_FN);
    expect(proto.components!.coders[combine.accumulatorCoderId]!.spec!.urn).to.equal(MillraceUrns.JS_VALUE_CODER);
  });

  it("gives PCollections KV and iterable coders where grouping needs them, deduplicated", () => {
    const proto = sampleProto();
    const c = proto.components!;
    const coderOf = (pc: string) => c.coders[c.pcollections[pc]!.coderId]!;
    const gbkOut = coderOf(c.transforms["Group"]!.outputs.main!);
    expect(gbkOut.spec!.urn).to.equal(CoderUrns.KV);
    expect(c.coders[gbkOut.componentCoderIds[1]!]!.spec!.urn).to.equal(CoderUrns.ITERABLE);
    expect(coderOf(c.transforms["Group"]!.inputs.main!).spec!.urn).to.equal(CoderUrns.KV);
    const shapes = Object.values(c.coders).map((x) => JSON.stringify([x.spec!.urn, x.componentCoderIds]));
    expect(new Set(shapes).size, "no two coders are identical").to.equal(shapes.length);
    for (const pc of Object.values(c.pcollections)) expect(pc.isBounded).to.equal(IsBounded.BOUNDED);
  });

  it("writes the global windowing strategy in full", () => {
    const proto = sampleProto();
    const strategies = Object.values(proto.components!.windowingStrategies);
    expect(strategies).to.have.length(1);
    const ws = strategies[0]!;
    expect(ws.windowFn!.urn).to.equal(WindowFnUrns.GLOBAL);
    expect(ws.mergeStatus).to.equal(MergeStatus.NON_MERGING);
    expect(proto.components!.coders[ws.windowCoderId]!.spec!.urn).to.equal(CoderUrns.GLOBAL_WINDOW);
    expect(ws.trigger!.trigger).to.equal("default");
    expect(ws.accumulationMode).to.equal(AccumulationMode.DISCARDING);
    expect(ws.outputTime).to.equal(OutputTime.END_OF_WINDOW);
    expect(ws.assignsToOneWindow).to.equal(true);
  });

  it("is deterministic: the same pipeline gives the same bytes", () => {
    const build = () => {
      const p = mr.Pipeline.create();
      p.apply(mr.create([1, 2])).apply(mr.countPerElement());
      return Buffer.from(mr.portability.toProto(p));
    };
    expect(build().equals(build())).to.equal(true);
  });

  it("round-trips through encode/decode byte for byte", () => {
    const p = mr.Pipeline.create();
    p.apply(mr.create(["x"])).apply(mr.distinct());
    const bytes = mr.portability.toProto(p);
    expect(Buffer.from(encodeMessage("Pipeline", decodeMessage("Pipeline", bytes) as never)).equals(Buffer.from(bytes))).to.equal(true);
  });
});
