/**
 * The stream runner's job graph: vertices in topological order, and how
 * each edge routes records: by key group into groupings, combines and
 * stateful ParDos (hash), round robin into a reshuffle (rebalance), to
 * every subtask for side inputs (broadcast), on the same subtask otherwise
 * (forward). Also which subtasks can ever see data (active subtasks).
 */
import { expect } from "chai";
import * as mr from "../../../index";
import { NATIVE_COMPOSITES_WITH_FILE_SINK, planExecution } from "../../../runners/core/fusion";
import { RequirementUrns } from "../../../portability/urns";
import { buildJobGraph, targetsOf, type JobEdge, type JobGraph, type JobVertex } from "../../../runners/stream/job_graph";
import { activeSubtasks } from "../../../runners/stream/active_subtasks";

function graphOf(p: mr.Pipeline): { graph: JobGraph; active: (parallelism: number) => boolean[][] } {
  const model = mr.portability.fromProto(mr.portability.toProto(p), {
    nativeComposites: NATIVE_COMPOSITES_WITH_FILE_SINK,
    supportedRequirements: [RequirementUrns.STATEFUL, RequirementUrns.SPLITTABLE_DOFN],
  });
  const graph = buildJobGraph(model, planExecution(model));
  return { graph, active: (parallelism) => activeSubtasks(model, p._userCode, graph, parallelism) };
}

/** A vertex by what it holds: a stage containing the transform, or the shuffle of that transform. */
function vertexWith(graph: JobGraph, transformId: string): JobVertex {
  const v = graph.vertices.find((x) =>
    x.kind === "shuffle"
      ? x.node.transformId === transformId
      : x.stage.steps.some((s) => "transformId" in s && s.transformId === transformId) ||
        ("transformId" in x.stage.root && x.stage.root.transformId === transformId),
  );
  if (!v) throw new Error(`no vertex holds ${transformId}: ${graph.vertices.map((x) => x.id).join(", ")}`);
  return v;
}

/** The edge from the vertex holding `from` to the vertex holding `to`. */
function edge(graph: JobGraph, from: string, to: string): JobEdge {
  const a = vertexWith(graph, from);
  const b = vertexWith(graph, to);
  const e = graph.edges.find((x) => x.from === a.index && x.to === b.index);
  if (!e) throw new Error(`no edge ${a.id} -> ${b.id}`);
  return e;
}

function expectWellFormed(graph: JobGraph): void {
  graph.vertices.forEach((v, i) => expect(v.index).to.equal(i));
  graph.edges.forEach((e, i) => {
    expect(e.index).to.equal(i);
    expect(e.from, `edge ${i} goes from a producer to a later consumer`).to.be.below(e.to);
    expect(graph.vertices[e.from]!.outputs).to.include(e);
    expect(graph.vertices[e.to]!.inputs).to.include(e);
  });
}

describe("stream runner: job graph", () => {
  it("routes a lifted combine's partial accumulators by key (hash), and its output forward", () => {
    const p = mr.Pipeline.create();
    p.apply("Words", mr.create(["a", "b", "a"]))
      .apply(
        "Upper",
        mr.map((w: string) => w.toUpperCase()),
      )
      .apply("Count", mr.countPerElement())
      .apply(
        "Format",
        mr.map((kv: mr.KV<string, number>) => `${kv.key}:${kv.value}`),
      );
    const { graph } = graphOf(p);
    expectWellFormed(graph);
    // The element-wise steps are chained with the source; the combine is its own task.
    expect(vertexWith(graph, "Upper")).to.equal(vertexWith(graph, "Words/Values"));
    const combine = vertexWith(graph, "Count/Count");
    expect(combine.kind).to.equal("shuffle");
    expect(edge(graph, "Upper", "Count/Count")).to.include({ partitioning: "hash", side: false });
    expect(edge(graph, "Count/Count", "Format")).to.include({ partitioning: "forward", side: false });
    expect(graph.edges).to.have.length(2);
  });

  it("routes a GroupByKey's input by key (hash)", () => {
    const p = mr.Pipeline.create();
    p.apply("Nums", mr.create([1, 2, 3]))
      .apply(
        "Key",
        mr.withKeys((x: number) => x % 2),
      )
      .apply("Group", mr.groupByKey())
      .apply(
        "Sizes",
        mr.map((kv: mr.KV<number, number[]>) => kv.value.length),
      );
    const { graph } = graphOf(p);
    expectWellFormed(graph);
    expect(edge(graph, "Key", "Group")).to.include({ partitioning: "hash" });
    expect(edge(graph, "Group", "Sizes")).to.include({ partitioning: "forward" });
  });

  it("routes a stateful ParDo's input by key (hash), so each key's state lives on one subtask", () => {
    const p = mr.Pipeline.create();
    p.apply("Nums", mr.create([1, 2, 3]))
      .apply(
        "Key",
        mr.withKeys((x: number) => x % 2),
      )
      .apply(
        "Running",
        mr.parDo({
          state: { sum: mr.state.value<number>() },
          process({ value }: mr.KV<number, number>, ctx) {
            const sum = (ctx.state.sum.read() ?? 0) + value;
            ctx.state.sum.write(sum);
            ctx.output(sum);
          },
        }),
      )
      .apply(
        "Double",
        mr.map((x: number) => x * 2),
      );
    const { graph } = graphOf(p);
    expectWellFormed(graph);
    const stateful = vertexWith(graph, "Running");
    expect(stateful).to.not.equal(vertexWith(graph, "Key"));
    expect(edge(graph, "Key", "Running")).to.include({ partitioning: "hash", side: false });
    // What follows the stateful ParDo is chained with it.
    expect(vertexWith(graph, "Double")).to.equal(stateful);
  });

  it("keeps a stateless ParDo reading a shuffle's output on the same subtask (forward)", () => {
    const p = mr.Pipeline.create();
    const grouped = p
      .apply("Nums", mr.create([1, 2]))
      .apply(
        "Key",
        mr.withKeys(() => 0),
      )
      .apply("Group", mr.groupByKey());
    grouped.apply(
      "Sizes",
      mr.map((kv: mr.KV<number, number[]>) => kv.value.length),
    );
    const { graph } = graphOf(p);
    expect(edge(graph, "Group", "Sizes").partitioning).to.equal("forward");
  });

  it("broadcasts side inputs to every subtask and keeps the main input forward", () => {
    const p = mr.Pipeline.create();
    const nums = p.apply("Nums", mr.create([1, 2, 3]));
    const total = nums.apply("Total", mr.combineGlobally(mr.combiners.sum()));
    nums.apply(
      "Share",
      mr.map((x: number, ctx) => x / ctx.sideInput("total"), { sideInputs: { total: mr.views.singleton(total) } }),
    );
    const { graph } = graphOf(p);
    expectWellFormed(graph);
    const share = vertexWith(graph, "Share");
    const side = share.inputs.filter((e) => e.side);
    const main = share.inputs.filter((e) => !e.side);
    expect(side).to.have.length(1);
    expect(side[0]!.partitioning).to.equal("broadcast");
    expect(main).to.have.length(1);
    expect(main[0]!.partitioning).to.equal("forward");
    expect(graph.vertices[main[0]!.from]).to.equal(vertexWith(graph, "Nums/Values"));
  });

  it("feeds a Flatten forward from each input, and a Reshuffle round robin (rebalance)", () => {
    const p = mr.Pipeline.create();
    const a = p.apply("A", mr.create([1]));
    const b = p.apply("B", mr.create([2]));
    p.apply("Both", mr.flatten([a, b]))
      .apply("Spread", mr.reshuffle())
      .apply(
        "Inc",
        mr.map((x: number) => x + 1),
      );
    const { graph } = graphOf(p);
    expectWellFormed(graph);
    const both = vertexWith(graph, "Both");
    expect(both.inputs.map((e) => e.partitioning)).to.deep.equal(["forward", "forward"]);
    expect(both.inputs.map((e) => graph.vertices[e.from]!.kind)).to.deep.equal(["stage", "stage"]);
    const spread = vertexWith(graph, "Spread");
    expect(spread.inputs.map((e) => e.partitioning)).to.deep.equal(["rebalance"]);
    expect(spread.outputs.map((e) => e.partitioning)).to.deep.equal(["forward"]);
  });

  it("sends forward edges to the same subtask only, and every other kind to all subtasks", () => {
    const mk = (partitioning: JobEdge["partitioning"]): JobEdge => ({
      index: 0,
      pcollection: "pc",
      from: 0,
      to: 1,
      partitioning,
      side: partitioning === "broadcast",
    });
    expect(targetsOf(mk("forward"), 2, 4)).to.deep.equal([2]);
    for (const k of ["hash", "rebalance", "broadcast"] as const) expect(targetsOf(mk(k), 2, 4)).to.deep.equal([0, 1, 2, 3]);
  });

  it("is deterministic: the same pipeline built twice gives the same graph (every task manager computes its own)", () => {
    const build = (): mr.Pipeline => {
      const p = mr.Pipeline.create();
      const nums = p.apply("Nums", mr.create([1, 2, 3]));
      const total = nums.apply("Total", mr.combineGlobally(mr.combiners.sum()));
      nums
        .apply(
          "Share",
          mr.map((x: number, ctx) => x / ctx.sideInput("total"), { sideInputs: { total: mr.views.singleton(total) } }),
        )
        .apply("Count", mr.countPerElement());
      return p;
    };
    const shape = (g: JobGraph): unknown => ({
      vertices: g.vertices.map((v) => v.id),
      edges: g.edges.map(({ from, to, partitioning, side, pcollection }) => ({ from, to, partitioning, side, pcollection })),
    });
    expect(shape(graphOf(build()).graph)).to.deep.equal(shape(graphOf(build()).graph));
  });
});

describe("stream runner: active subtasks", () => {
  it("leaves a Create's empty splits, and the forward chain after them, inactive; a hash exchange activates every consumer", () => {
    const p = mr.Pipeline.create();
    p.apply("Three", mr.create([1, 2, 3]))
      .apply(
        "Key",
        mr.withKeys((x: number) => x),
      )
      .apply("Group", mr.groupByKey())
      .apply(
        "Sizes",
        mr.map((kv: mr.KV<number, number[]>) => kv.value.length),
      );
    const { graph, active } = graphOf(p);
    const a = active(4);
    // Split i of n values is [floor(i*n/p), floor((i+1)*n/p)): 3 values over 4 subtasks leave subtask 0 empty.
    expect(a[vertexWith(graph, "Key").index]).to.deep.equal([false, true, true, true]);
    expect(a[vertexWith(graph, "Group").index]).to.deep.equal([true, true, true, true]);
    expect(a[vertexWith(graph, "Sizes").index]).to.deep.equal([true, true, true, true]);
    expect(active(2)[vertexWith(graph, "Key").index]).to.deep.equal([true, true]);
  });

  it("reads an Impulse on subtask 0 only", () => {
    const p = mr.Pipeline.create();
    p.apply("Start", mr.impulse()).apply(
      "Len",
      mr.map((b: Uint8Array) => b.length),
    );
    const { graph, active } = graphOf(p);
    expect(active(3)[vertexWith(graph, "Len").index]).to.deep.equal([true, false, false]);
  });

  it("reads a TestStream on subtask 0 only, and keeps a keyed consumer of it active everywhere", () => {
    const p = mr.Pipeline.create();
    p.apply("Events", mr.testing.testStream<number>().addElements(1, 2).advanceWatermarkToInfinity())
      .apply(
        "Key",
        mr.withKeys((x: number) => x),
      )
      .apply("Window", mr.windowInto(mr.windows.fixed(1000)))
      .apply("Group", mr.groupByKey());
    const { graph, active } = graphOf(p);
    expect(active(3)[vertexWith(graph, "Key").index]).to.deep.equal([true, false, false]);
    expect(active(3)[vertexWith(graph, "Group").index]).to.deep.equal([true, true, true]);
  });

  it("reads a sequence (a splittable DoFn) on every subtask: each takes a share of its restrictions, bounded or not", () => {
    const short = mr.Pipeline.create();
    short.apply("Two", mr.generateSequence({ from: 10, to: 12 })).apply(
      "Inc",
      mr.map((x: number) => x + 1),
    );
    const s = graphOf(short);
    // A share may be empty (two numbers, four subtasks): that subtask ends at once.
    expect(s.active(4)[vertexWith(s.graph, "Inc").index]).to.deep.equal([true, true, true, true]);
    const endless = mr.Pipeline.create();
    endless.apply("Ticks", mr.generateSequence({ from: 0, periodMs: 1000 })).apply(
      "Inc",
      mr.map((x: number) => x + 1),
    );
    const e = graphOf(endless);
    expect(e.active(4)[vertexWith(e.graph, "Inc").index]).to.deep.equal([true, true, true, true]);
  });

  it("keeps a Flatten active where any forward input is", () => {
    const p = mr.Pipeline.create();
    const one = p.apply("One", mr.create([1]));
    const two = p.apply("Two", mr.create([1, 2]));
    p.apply("Both", mr.flatten([one, two])).apply(
      "Inc",
      mr.map((x: number) => x + 1),
    );
    const { graph, active } = graphOf(p);
    const a = active(3);
    // One value: [0, 0, 1) on subtask 2; two values: subtasks 1 and 2.
    expect(a[vertexWith(graph, "Both").index]).to.deep.equal([false, true, true]);
  });
});
