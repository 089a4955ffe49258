import { expect } from "chai";
import * as mr from "../../index";
import { NATIVE_COMPOSITES, planExecution } from "../../runners/core/fusion";
import { accumulatorsOf } from "../../portability/plan/execution_plan";

function planOf(p: mr.Pipeline) {
  return planExecution(mr.portability.fromProto(mr.portability.toProto(p), { nativeComposites: NATIVE_COMPOSITES }));
}

describe("fusion and combiner lifting", () => {
  it("fuses element-wise steps into the Create's stage and lifts the combine before the shuffle", () => {
    const p = mr.Pipeline.create();
    p.apply("Words", mr.create(["a", "b"]))
      .apply(
        "Upper",
        mr.map((w: string) => w.toUpperCase()),
      )
      .apply("Count", mr.countPerElement());
    const plan = planOf(p);
    const source = plan.stages.find((s) => s.root.kind === "create")!;
    expect(source.steps.map((s) => (s.kind === "precombine" ? `precombine ${s.combineId}` : s.transformId))).to.deep.equal([
      "Upper",
      "Count/PairWithNull",
      "precombine Count/Count",
    ]);
    expect(source.materialized).to.deep.equal([accumulatorsOf("Count/Count")]);
    expect(plan.shuffles).to.deep.equal([
      {
        kind: "combine",
        transformId: "Count/Count",
        input: accumulatorsOf("Count/Count"),
        output: "Count/Count/CombineValues.main",
        lifted: true,
      },
    ]);
  });

  it("cuts stages at GroupByKey and starts a stage at its output", () => {
    const p = mr.Pipeline.create();
    p.apply("Nums", mr.create([1]))
      .apply(
        "Key",
        mr.withKeys(() => 0),
      )
      .apply("Group", mr.groupByKey())
      .apply(
        "Sizes",
        mr.map((kv: mr.KV<number, number[]>) => kv.value.length),
      );
    const plan = planOf(p);
    expect(plan.shuffles.map((s) => s.kind)).to.deep.equal(["groupByKey"]);
    const after = plan.stages.find((s) => s.root.kind === "pcollection")!;
    expect(after.root).to.deep.equal({ kind: "pcollection", pcollection: "Group.main" });
    expect(after.steps.map((s) => s.kind === "pardo" && s.transformId)).to.deep.equal(["Sizes"]);
  });

  it("gives a ParDo with side inputs its own stage, so a side input computed from its main input cannot make a stage wait for itself", () => {
    const p = mr.Pipeline.create();
    const nums = p.apply("Nums", mr.create([1, 2, 3]));
    const total = nums.apply("Total", mr.combineGlobally(mr.combiners.sum()));
    nums.apply(
      "Share",
      mr.map((x: number, ctx) => x / ctx.sideInput("total"), { sideInputs: { total: mr.views.singleton(total) } }),
    );
    const plan = planOf(p);
    const shareStage = plan.stages.find((s) => s.steps.some((st) => st.kind === "pardo" && st.transformId === "Share"))!;
    expect(shareStage.root).to.deep.equal({ kind: "pcollection", pcollection: "Nums/Values.main" });
    expect(shareStage.sideInputs).to.have.length(1);
    const source = plan.stages.find((s) => s.root.kind === "create" && s.root.transformId === "Nums/Values")!;
    expect(source.materialized).to.include("Nums/Values.main");
    expect(source.steps.some((st) => st.kind === "pardo" && st.transformId === "Share")).to.equal(false);
  });

  it("plans Flatten and Reshuffle as shuffle nodes", () => {
    const p = mr.Pipeline.create();
    const a = p.apply("A", mr.create([1]));
    const b = p.apply("B", mr.create([2]));
    p.apply("Both", mr.flatten([a, b])).apply("Spread", mr.reshuffle());
    expect(planOf(p).shuffles.map((s) => s.kind)).to.deep.equal(["flatten", "reshuffle"]);
  });
});
