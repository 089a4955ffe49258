/**
 * `millrace inspect`: the portable pipeline as text, JSON or Graphviz dot:
 * transforms, PCollections with their coders and windowing, and the fused
 * stages and shuffles the runners execute.
 */
import type { PipelineModel } from "../portability/pipeline_model";
import { IsBounded } from "../portability/proto/messages";
import type * as pb from "../portability/proto/messages";
import type { ExecutionPlan, FusedStage, ShuffleNode } from "../portability/plan/execution_plan";
import { shuffleInputs } from "../portability/plan/execution_plan";
import { windowingOf } from "../portability/windowing/windowing_from_proto";

/** The output formats. */
export type InspectFormat = "text" | "json" | "dot";

/** A coder as a readable expression, e.g. `kv(js_value, iterable(js_value))`. */
function coderExpr(model: PipelineModel, coderId: string): string {
  const c = model.components.coders[coderId]!;
  const name = c
    .spec!.urn.replace(/^beam:coder:/, "")
    .replace(/^millrace:coder:/, "")
    .replace(/:v\d+$/, "");
  return c.componentCoderIds.length === 0 ? name : `${name}(${c.componentCoderIds.map((id) => coderExpr(model, id)).join(", ")})`;
}

function windowingExpr(model: PipelineModel, pc: string): string {
  const w = windowingOf(model, pc);
  const fn = w.windowFn;
  const fnText =
    fn.kind === "global"
      ? "global"
      : fn.kind === "fixed"
        ? `fixed(${fn.sizeMs}ms)`
        : fn.kind === "sliding"
          ? `sliding(${fn.sizeMs}ms every ${fn.periodMs}ms)`
          : `sessions(gap ${fn.gapMs}ms)`;
  return `${fnText}, trigger ${w.trigger.kind}, ${w.accumulation}, lateness ${w.allowedLatenessMs}ms`;
}

function stageSummary(stage: FusedStage): string {
  const root = stage.root.kind === "pcollection" ? `reads ${stage.root.pcollection}` : `${stage.root.kind} ${stage.root.transformId}`;
  const steps = stage.steps.map((s) => (s.kind === "precombine" ? `precombine(${s.combineId})` : s.transformId));
  return `${stage.id}: ${root} -> [${steps.join(", ")}]${stage.sideInputs.length ? ` side inputs ${stage.sideInputs.join(", ")}` : ""}`;
}

function shuffleSummary(s: ShuffleNode): string {
  const lifted = s.kind === "combine" ? (s.lifted ? " (lifted)" : " (not lifted)") : "";
  return `${s.kind}${lifted} ${s.transformId}: ${shuffleInputs(s).join(" + ")} -> ${s.output}`;
}

/** The pipeline and its plan in `format`. */
export function formatInspection(model: PipelineModel, plan: ExecutionPlan, format: InspectFormat): string {
  const c = model.components;
  if (format === "json") {
    return JSON.stringify(
      {
        transforms: Object.values(c.transforms).map((t: pb.PTransform) => ({
          name: t.uniqueName,
          urn: t.spec?.urn ?? null,
          inputs: t.inputs,
          outputs: t.outputs,
          parts: t.subtransforms,
        })),
        pcollections: Object.entries(c.pcollections).map(([id, pc]) => ({
          id,
          coder: coderExpr(model, pc.coderId),
          windowing: windowingExpr(model, id),
          bounded: pc.isBounded === IsBounded.BOUNDED,
        })),
        stages: plan.stages,
        shuffles: plan.shuffles,
        requirements: model.proto.requirements,
      },
      null,
      2,
    );
  }
  if (format === "dot") {
    const lines = ["digraph pipeline {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];'];
    const q = (s: string): string => JSON.stringify(s);
    plan.stages.forEach((stage, i) => {
      lines.push(`  subgraph cluster_${i} {`, `    label=${q(stage.id)}; style=rounded;`);
      for (const step of stage.steps)
        lines.push(`    ${q(step.kind === "precombine" ? `precombine ${step.combineId}` : step.transformId)};`);
      if (stage.root.kind !== "pcollection") lines.push(`    ${q(stage.root.transformId)} [shape=oval];`);
      lines.push("  }");
    });
    for (const s of plan.shuffles) lines.push(`  ${q(s.transformId)} [shape=diamond];`);
    for (const leaf of model.leaves) {
      for (const pc of Object.values(leaf.proto.outputs)) {
        for (const consumer of model.consumersOf(pc))
          lines.push(`  ${q(leaf.id)} -> ${q(consumer)} [label=${q(coderExpr(model, c.pcollections[pc]!.coderId))}];`);
      }
    }
    lines.push("}");
    return lines.join("\n");
  }
  const out: string[] = ["Transforms:"];
  const walk = (id: string, depth: number): void => {
    const t = c.transforms[id]!;
    out.push(`${"  ".repeat(depth + 1)}${t.uniqueName.split("/").pop()}${t.spec?.urn ? `  [${t.spec.urn}]` : ""}`);
    for (const sub of t.subtransforms) walk(sub, depth + 1);
  };
  for (const root of model.proto.rootTransformIds) walk(root, 0);
  out.push("", "PCollections:");
  for (const [id, pc] of Object.entries(c.pcollections)) {
    out.push(
      `  ${id}: ${coderExpr(model, pc.coderId)}; ${windowingExpr(model, id)}; ${pc.isBounded === IsBounded.BOUNDED ? "bounded" : "unbounded"}`,
    );
  }
  out.push("", "Fused stages (every runner executes this plan):");
  for (const stage of plan.stages) out.push(`  ${stageSummary(stage)}`);
  out.push("", "Shuffles (stage boundaries):");
  for (const s of plan.shuffles) out.push(`  ${shuffleSummary(s)}`);
  if (model.proto.requirements.length > 0) out.push("", `Requirements: ${model.proto.requirements.join(", ")}`);
  return out.join("\n");
}
