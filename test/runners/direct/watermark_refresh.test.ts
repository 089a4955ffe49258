/**
 * The direct runner's refresh set (runners/direct/watermark_refresh): after
 * a piece of work only the nodes it touched are refreshed, in topological
 * order, and a moved watermark reaches exactly the nodes that read it. This
 * is what keeps the runner's cost per bundle from growing with the number of
 * nodes (figures: bench/direct_bundles.ts).
 */
import { expect } from "chai";
import { WatermarkRefresh } from "../../../runners/direct/watermark_refresh";
import { topologicalOrder, type ExecNode } from "../../../runners/direct/direct_nodes";

/** A stage reading `reads` (main) and `side` (side inputs), producing `produces`: only the fields the refresh set reads. */
function stage(id: string, reads: string[], produces: string[], side: string[] = []): ExecNode {
  return {
    kind: "stage",
    order: -1,
    sideMoved: false,
    stage: {
      id,
      root: reads.length > 0 ? { kind: "pcollection", pcollection: reads[0]! } : { kind: "impulse", transformId: id, output: produces[0]! },
      sideInputs: side,
      produces,
    },
  } as unknown as ExecNode;
}

function idOf(n: ExecNode): string {
  return n.kind === "stage" ? n.stage.id : n.node.transformId;
}

describe("direct runner: watermark refresh set", () => {
  // source -> a -> b, source -> other; b reads other's output as a side input.
  const build = (): { nodes: ExecNode[]; time: WatermarkRefresh; byId: Map<string, ExecNode> } => {
    const nodes = topologicalOrder([
      stage("b", ["pa"], ["pb"], ["po"]),
      stage("a", ["src"], ["pa"]),
      stage("other", ["src"], ["po"]),
      stage("source", [], ["src"]),
    ]);
    return { nodes, time: new WatermarkRefresh(nodes), byId: new Map(nodes.map((n) => [idOf(n), n])) };
  };

  it("refreshes every node once at first, producers before readers", () => {
    const { time } = build();
    const seen: string[] = [];
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen).to.have.length(4);
    expect(seen.indexOf("source")).to.be.lessThan(seen.indexOf("a"));
    expect(seen.indexOf("a")).to.be.lessThan(seen.indexOf("b"));
    expect(seen.indexOf("other")).to.be.lessThan(seen.indexOf("b"));
  });

  it("after work on one node, refreshes only that node when its watermark does not move", () => {
    const { time, byId } = build();
    time.refresh(() => undefined);
    const seen: string[] = [];
    time.mark(byId.get("a")!);
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen).to.deep.equal(["a"]);
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen, "nothing marked, nothing refreshed").to.deep.equal(["a"]);
  });

  it("a moved watermark marks the readers of the PCollection, main and side, in the same pass", () => {
    const { time, byId } = build();
    time.refresh(() => undefined);
    const seen: string[] = [];
    time.mark(byId.get("other")!);
    time.refresh((n) => {
      seen.push(idOf(n));
      if (idOf(n) === "other") time.set("po", 10);
    });
    expect(seen).to.deep.equal(["other", "b"]);
    expect(time.of("po")).to.equal(10);
    const b = byId.get("b")!;
    expect(b.kind === "stage" && b.sideMoved, "b is told its side input moved").to.equal(true);
  });

  it("setting an unchanged watermark marks nobody", () => {
    const { time } = build();
    time.refresh(() => undefined);
    time.set("pa", 5);
    const seen: string[] = [];
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen).to.deep.equal(["b"]);
    time.set("pa", 5);
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen).to.deep.equal(["b"]);
  });

  it("refreshes marked nodes in topological order, whatever order they were marked in", () => {
    const { time, byId } = build();
    time.refresh(() => undefined);
    for (const id of ["b", "a", "source"]) time.mark(byId.get(id)!);
    const seen: string[] = [];
    time.refresh((n) => seen.push(idOf(n)));
    expect(seen).to.deep.equal(["source", "a", "b"]);
  });
});
