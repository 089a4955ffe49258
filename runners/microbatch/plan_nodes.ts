/**
 * The plan as the micro-batch drivers see it: one node per fused stage (a
 * map stage) and per shuffle (a reduce stage), what each reads and writes,
 * and how every materialized PCollection is partitioned. Shared by the
 * bounded driver and the micro-batch loop, so both cut and route alike.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { shuffleInputs, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../../portability/plan/execution_plan";
import { isKeyedStage } from "../core/fusion";
import type { Partitioner } from "./partitioning";

/** A node of the plan: a fused stage or a shuffle. */
export type PlanNode =
  | { readonly kind: "stage"; readonly id: string; readonly stage: FusedStage }
  | { readonly kind: "shuffle"; readonly id: string; readonly shuffle: ShuffleNode };

/** Every node of `plan`: stages first, then shuffles (not in topological order). */
export function planNodes(plan: ExecutionPlan): PlanNode[] {
  return [
    ...plan.stages.map((stage): PlanNode => ({ kind: "stage", id: stage.id, stage })),
    ...plan.shuffles.map((shuffle): PlanNode => ({ kind: "shuffle", id: shuffle.transformId, shuffle })),
  ];
}

/** The PCollections a node writes for later nodes. */
export function nodeOutputs(n: PlanNode): readonly string[] {
  return n.kind === "stage" ? n.stage.materialized : [n.shuffle.output];
}

/** The PCollections a node reads as main input. */
export function nodeMainInputs(n: PlanNode): readonly string[] {
  if (n.kind === "shuffle") return shuffleInputs(n.shuffle);
  return n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : [];
}

/** Everything a node reads: main and side inputs. */
export function nodeInputs(n: PlanNode): readonly string[] {
  return n.kind === "stage" ? [...nodeMainInputs(n), ...n.stage.sideInputs] : nodeMainInputs(n);
}

/** Every materialized PCollection is partitioned by key when a grouping or keyed stage reads it, round robin otherwise. */
export function planPartitioning(model: PipelineModel, plan: ExecutionPlan, nodes: readonly PlanNode[]): Map<string, Partitioner> {
  const keyed = new Set<string>();
  for (const s of plan.shuffles) if (s.kind === "groupByKey" || s.kind === "combine") keyed.add(s.input);
  for (const st of plan.stages) if (isKeyedStage(model, st) && st.root.kind === "pcollection") keyed.add(st.root.pcollection);
  const partitionerOf = new Map<string, Partitioner>();
  for (const n of nodes) for (const pc of nodeOutputs(n)) partitionerOf.set(pc, keyed.has(pc) ? "key" : "roundRobin");
  return partitionerOf;
}

/** The nodes in topological order: each after the producers of everything it reads. */
export function topologicalOrder(nodes: readonly PlanNode[]): PlanNode[] {
  const producerOf = new Map<string, PlanNode>();
  for (const n of nodes) for (const pc of n.kind === "stage" ? n.stage.produces : [n.shuffle.output]) producerOf.set(pc, n);
  const ordered: PlanNode[] = [];
  const seen = new Set<PlanNode>();
  const visit = (n: PlanNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const pc of nodeInputs(n)) {
      const p = producerOf.get(pc);
      if (p) visit(p);
    }
    ordered.push(n);
  };
  nodes.forEach(visit);
  return ordered;
}
