/**
 * The job graph: the shared execution plan as Flink's runtime sees it.
 * Each fused stage (a chain of element-wise operators, already chained by
 * fusion) and each shuffle node is a vertex run as `parallelism` subtasks;
 * edges say how records move between subtasks: kept on the same subtask
 * (forward), routed by key group (hash), spread round robin (rebalance), or
 * copied to every subtask (broadcast, for side inputs).
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { isKeyedStage } from "../core/fusion";
import { shuffleInputs, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../../portability/plan/execution_plan";

/** How an edge routes records from producer subtasks to consumer subtasks. */
export type Partitioning = "forward" | "hash" | "rebalance" | "broadcast";

/** A connection between two vertices, carrying one PCollection. */
export interface JobEdge {
  /** Index in {@link JobGraph.edges}. */
  readonly index: number;
  readonly pcollection: string;
  readonly from: number;
  readonly to: number;
  readonly partitioning: Partitioning;
  /** True when the consumer reads the PCollection as a side input. */
  readonly side: boolean;
}

/** A task: a source or chained stage, or a shuffle node (grouping, flatten, reshuffle). */
export type JobVertex =
  | {
      readonly index: number;
      readonly kind: "stage";
      readonly id: string;
      readonly stage: FusedStage;
      readonly inputs: JobEdge[];
      readonly outputs: JobEdge[];
    }
  | {
      readonly index: number;
      readonly kind: "shuffle";
      readonly id: string;
      readonly node: ShuffleNode;
      readonly inputs: JobEdge[];
      readonly outputs: JobEdge[];
    };

/** The vertices and edges of a job, in topological order. */
export interface JobGraph {
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
}

/** Builds the job graph of a plan. Deterministic: every worker computes the same graph. */
export function buildJobGraph(model: PipelineModel, plan: ExecutionPlan): JobGraph {
  const nodes: ({ kind: "stage"; stage: FusedStage } | { kind: "shuffle"; node: ShuffleNode })[] = [
    ...plan.stages.map((stage) => ({ kind: "stage" as const, stage })),
    ...plan.shuffles.map((node) => ({ kind: "shuffle" as const, node })),
  ];
  const producerOf = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const pc of n.kind === "stage" ? n.stage.produces : [n.node.output]) producerOf.set(pc, i);
  });
  const readsOf = (n: (typeof nodes)[number]): { pc: string; side: boolean }[] =>
    n.kind === "stage"
      ? [
          ...(n.stage.root.kind === "pcollection" ? [{ pc: n.stage.root.pcollection, side: false }] : []),
          ...n.stage.sideInputs.map((pc) => ({ pc, side: true })),
        ]
      : shuffleInputs(n.node).map((pc) => ({ pc, side: false }));

  // Topological order: producers before consumers.
  const order: number[] = [];
  const state = new Map<number, "visiting" | "done">();
  const visit = (i: number): void => {
    if (state.get(i) === "done") return;
    if (state.get(i) === "visiting") throw new Error(`internal: the plan has a cycle at ${nodeId(nodes[i]!)}`);
    state.set(i, "visiting");
    for (const { pc } of readsOf(nodes[i]!)) {
      const p = producerOf.get(pc);
      if (p !== undefined) visit(p);
    }
    state.set(i, "done");
    order.push(i);
  };
  nodes.forEach((_, i) => visit(i));

  const position = new Map(order.map((nodeIndex, pos) => [nodeIndex, pos]));
  const vertices: JobVertex[] = order.map((nodeIndex, index) => {
    const n = nodes[nodeIndex]!;
    return n.kind === "stage"
      ? { index, kind: "stage", id: n.stage.id, stage: n.stage, inputs: [], outputs: [] }
      : { index, kind: "shuffle", id: n.node.transformId, node: n.node, inputs: [], outputs: [] };
  });
  const edges: JobEdge[] = [];
  for (const v of vertices) {
    const n = v.kind === "stage" ? { kind: "stage" as const, stage: v.stage } : { kind: "shuffle" as const, node: v.node };
    for (const { pc, side } of readsOf(n)) {
      const p = producerOf.get(pc);
      if (p === undefined) throw new Error(`internal: nothing produces ${pc}, read by ${v.id}`);
      const from = vertices[position.get(p)!]!;
      const partitioning: Partitioning = side
        ? "broadcast"
        : v.kind === "shuffle"
          ? v.node.kind === "groupByKey" || v.node.kind === "combine"
            ? "hash"
            : v.node.kind === "reshuffle"
              ? "rebalance"
              : "forward"
          : isKeyedStage(model, v.stage)
            ? "hash"
            : "forward";
      const edge: JobEdge = { index: edges.length, pcollection: pc, from: from.index, to: v.index, partitioning, side };
      edges.push(edge);
      from.outputs.push(edge);
      v.inputs.push(edge);
    }
  }
  return { vertices, edges };
}

function nodeId(n: { kind: "stage"; stage: FusedStage } | { kind: "shuffle"; node: ShuffleNode }): string {
  return n.kind === "stage" ? n.stage.id : n.node.transformId;
}

/** The subtasks of `edge`'s consumer that subtask `from` of its producer sends to. */
export function targetsOf(edge: JobEdge, from: number, parallelism: number): number[] {
  if (edge.partitioning === "forward") return [from];
  return Array.from({ length: parallelism }, (_, i) => i);
}
