/**
 * What a job's "in" and "out" count, for every runner: "in" is the records
 * the pipeline's sources read (the elements of the collections its root
 * transforms output: 300 lines of a file read by `readText` count 300), and
 * "out" is the elements that reach its sinks (the input collections of the
 * transforms whose outputs nothing reads: the lines given to `writeText`,
 * the pairs given to a final `groupByKey`). Counting the reads of every
 * stage instead made the figure depend on how a runner fused and shuffled
 * (300 lines showed `in 49` on one runner, `in 83` on another).
 *
 * Each counted collection is counted once, in the stage that produces it
 * (or, for a shuffle's output, the first stage that reads it): the harness
 * counts there (`EdgeCounting`), whatever the runner.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type * as pb from "../../portability/proto/messages";
import { TransformUrns } from "../../portability/urns";
import type { ExecutionPlan, FusedStage } from "../../portability/plan/execution_plan";
import { shuffleInputs } from "../../portability/plan/execution_plan";

/** The collections a stage counts toward the job's "in" and "out". */
export interface StageEdges {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** The collections whose elements are the job's "in" and its "out". */
export interface PipelineEdges {
  /** Outputs of the pipeline's sources. */
  readonly sourceOutputs: ReadonlySet<string>;
  /** Inputs of the pipeline's sinks. */
  readonly sinkInputs: ReadonlySet<string>;
}

const NO_EDGES: StageEdges = { inputs: [], outputs: [] };

/**
 * The pipeline's sources and sinks, from its top-level transforms. A source
 * is a top-level transform without inputs (a composite such as `readText`
 * counts as one: its inner Impulse and file listing are not records). A
 * sink is a top-level transform none of whose outputs is read outside it.
 * A top-level wrapper without inputs or outputs is looked into.
 */
export function pipelineEdges(model: PipelineModel): PipelineEdges {
  const transforms = model.components.transforms;
  const sourceOutputs = new Set<string>();
  const sinkInputs = new Set<string>();
  const visit = (id: string): void => {
    const t = transforms[id]!;
    const inputs = Object.values(t.inputs);
    const outputs = Object.values(t.outputs);
    if (inputs.length === 0 && outputs.length === 0) {
      t.subtransforms.forEach(visit);
      return;
    }
    if (inputs.length === 0) for (const pc of outputs) sourceOutputs.add(pc);
    if (inputs.length > 0 && outputs.every((pc) => readOnlyInside(model, id, pc))) for (const pc of mainInputs(t)) sinkInputs.add(pc);
  };
  model.proto.rootTransformIds.forEach(visit);
  return { sourceOutputs, sinkInputs };
}

/** The stage of `plan` that counts each edge collection, for `buildStage`'s `edgeCounting`. */
export function stageEdges(model: PipelineModel, plan: ExecutionPlan): (stage: FusedStage) => StageEdges {
  const edges = pipelineEdges(model);
  const byStage = new Map<string, { inputs: string[]; outputs: string[] }>();
  const assign = (pc: string, role: "inputs" | "outputs", seen = new Set<string>()): void => {
    if (seen.has(pc)) return;
    seen.add(pc);
    const stage = countingStage(plan, pc);
    if (stage) {
      let e = byStage.get(stage.id);
      if (!e) byStage.set(stage.id, (e = { inputs: [], outputs: [] }));
      e[role].push(pc);
      return;
    }
    // A Flatten or Reshuffle read by no stage (e.g. straight into a GroupByKey) passes its inputs through: count those.
    const shuffle = plan.shuffles.find((s) => s.output === pc);
    if (shuffle && (shuffle.kind === "flatten" || shuffle.kind === "reshuffle"))
      for (const input of shuffleInputs(shuffle)) assign(input, role, seen);
    // A grouping's output read only by another shuffle is not counted: no stage sees its elements.
  };
  for (const pc of edges.sourceOutputs) assign(pc, "inputs");
  for (const pc of edges.sinkInputs) assign(pc, "outputs");
  return (stage) => byStage.get(stage.id) ?? NO_EDGES;
}

/** The stage that produces `pc`, or else the first that reads it as its root. */
function countingStage(plan: ExecutionPlan, pc: string): FusedStage | undefined {
  return (
    plan.stages.find((s) => s.produces.includes(pc)) ?? plan.stages.find((s) => s.root.kind === "pcollection" && s.root.pcollection === pc)
  );
}

/** The main input of a leaf ParDo (side inputs are not what a sink writes); every input of anything else. */
function mainInputs(t: pb.PTransform): string[] {
  if (t.spec?.urn === TransformUrns.PAR_DO && t.subtransforms.length === 0 && t.inputs.main !== undefined) return [t.inputs.main];
  return Object.values(t.inputs);
}

/** True when every leaf reading `pc` is inside transform `id`. */
function readOnlyInside(model: PipelineModel, id: string, pc: string): boolean {
  const inside = descendants(model, id);
  return model.consumersOf(pc).every((c) => inside.has(c));
}

function descendants(model: PipelineModel, id: string): Set<string> {
  const out = new Set<string>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const sub of model.components.transforms[stack.pop()!]!.subtransforms) {
      if (!out.has(sub)) {
        out.add(sub);
        stack.push(sub);
      }
    }
  }
  return out;
}
