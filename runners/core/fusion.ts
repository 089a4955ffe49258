/**
 * Fusion: turns the leaf transforms of a pipeline into fused stages and
 * shuffle nodes. Element-wise steps join the stage that produces their main
 * input; GroupByKey, Combine, Flatten and Reshuffle cut stages. A combine
 * whose input comes out of a stage is lifted: a precombine step is appended
 * to that stage, so only partial accumulators cross the shuffle.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { MillraceUrns, TransformUrns } from "../../portability/urns";
import { IsBounded, MergeStatus } from "../../portability/proto/messages";
import { isStatefulParDo } from "../../portability/harness/state_cell_specs";
import { accumulatorsOf, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../../portability/plan/execution_plan";

/** Composite URNs millrace runners execute natively; pass them to `fromProto`. */
export const NATIVE_COMPOSITES: readonly string[] = [TransformUrns.COMBINE_PER_KEY, TransformUrns.RESHUFFLE];

/**
 * {@link NATIVE_COMPOSITES} plus `io.writeText`'s `write_files` composite,
 * for runners with a file sink of their own (exactly-once on stream and
 * micro-batch): the plan then has a `writeText` step where the composite was.
 * The same runners write `io.kafka.write`'s sink composite with Kafka
 * transactions: a `writeKafka` step.
 */
export const NATIVE_COMPOSITES_WITH_FILE_SINK: readonly string[] = [
  ...NATIVE_COMPOSITES,
  TransformUrns.WRITE_FILES,
  MillraceUrns.KAFKA_WRITE,
];

/**
 * True when a stage reads keyed input: it starts with a stateful ParDo on
 * its root collection (fusion starts such a stage of its own), so runners
 * partition that input by key.
 */
export function isKeyedStage(model: PipelineModel, stage: FusedStage): boolean {
  const first = stage.steps[0];
  return (
    stage.root.kind === "pcollection" &&
    first?.kind === "pardo" &&
    first.input === stage.root.pcollection &&
    isStatefulParDo(model, first.transformId)
  );
}

/** The DoFn shape of a ParDo, undefined for other transforms. */
function shapeOf(model: PipelineModel, transformId: string | undefined): string | undefined {
  return transformId !== undefined && model.transform(transformId).spec?.urn === TransformUrns.PAR_DO
    ? model.doFnPayload(transformId).shape
    : undefined;
}

/** The splittable DoFn that is the only consumer of `pc`, if there is one. */
function soleSplittableConsumer(model: PipelineModel, pc: string): string | undefined {
  const consumers = model.consumersOf(pc);
  return consumers.length === 1 && shapeOf(model, consumers[0]) === "splittable" ? consumers[0] : undefined;
}

/** True when a ParDo's main output is an unbounded PCollection. */
function isUnboundedOutput(model: PipelineModel, transformId: string): boolean {
  const out = model.transform(transformId).outputs.main;
  return out !== undefined && model.pcollection(out).isBounded === IsBounded.UNBOUNDED;
}

/** Plans a validated model (built with {@link NATIVE_COMPOSITES}). */
export function planExecution(model: PipelineModel): ExecutionPlan {
  const stages: FusedStage[] = [];
  const shuffles: ShuffleNode[] = [];
  const stageOf = new Map<string, FusedStage>();

  const newStage = (root: FusedStage["root"]): FusedStage => {
    const stage: FusedStage = { id: `stage${stages.length}`, root, steps: [], materialized: [], sideInputs: [], produces: [] };
    stages.push(stage);
    return stage;
  };
  const stageReading = (pc: string): FusedStage => {
    let stage = stageOf.get(pc);
    if (!stage) {
      stage = newStage({ kind: "pcollection", pcollection: pc });
      stageOf.set(pc, stage);
    }
    return stage;
  };
  const materialize = (pc: string): void => {
    // Only the stage that produces a collection writes it; a stage that merely reads it does not.
    const stage = stageOf.get(pc);
    if (stage && stage.produces.includes(pc) && !stage.materialized.includes(pc)) stage.materialized.push(pc);
  };
  const onlyOutput = (id: string): string => {
    const outs = Object.values(model.transform(id).outputs);
    if (outs.length !== 1) throw new Error(`transform '${id}' should have exactly one output, has ${outs.length}`);
    return outs[0]!;
  };

  for (const leaf of model.leaves) {
    const t = leaf.proto;
    switch (leaf.urn) {
      case TransformUrns.IMPULSE: {
        const out = onlyOutput(leaf.id);
        const consumers = model.consumersOf(out);
        const sole = consumers.length === 1 ? consumers[0]! : undefined;
        const soleShape = shapeOf(model, sole);
        const sdfAfterCreate =
          sole && soleShape === "create" ? soleSplittableConsumer(model, model.transform(sole).outputs.main!) : undefined;
        if (sole && (soleShape === "splittable" || sdfAfterCreate)) {
          // A splittable DoFn reading an Impulse (or a Create's values): a source whose restrictions the runner holds.
          const sdf = sdfAfterCreate ?? sole;
          const input = sdfAfterCreate ? model.transform(sole).outputs.main! : out;
          const stage = newStage({
            kind: "splittable",
            transformId: sdf,
            seed: sdfAfterCreate ? sole : leaf.id,
            input,
            output: model.transform(sdf).outputs.main!,
          });
          stage.produces.push(input);
          stageOf.set(input, stage);
          stageOf.set(out, stage);
        } else if (sole && soleShape === "create") {
          // Impulse + Create values: a source the runner splits itself.
          const createOut = model.transform(sole).outputs.main!;
          const stage = newStage({ kind: "create", transformId: sole, output: createOut });
          stage.produces.push(createOut);
          stageOf.set(createOut, stage);
          stageOf.set(out, stage);
        } else {
          const stage = newStage({ kind: "impulse", transformId: leaf.id, output: out });
          stage.produces.push(out);
          stageOf.set(out, stage);
        }
        break;
      }
      case TransformUrns.PAR_DO: {
        const main = model.mainInput(leaf.id);
        if (main === undefined) throw new Error(`ParDo '${leaf.id}' has no main input`);
        const sideInputNames = Object.keys(model.parDoPayload(leaf.id).sideInputs);
        const rootOfMain = stageOf.get(main)?.root;
        if (rootOfMain?.kind === "create" && rootOfMain.transformId === leaf.id) break;
        if (rootOfMain?.kind === "splittable" && rootOfMain.seed === leaf.id) break;
        if (model.doFnPayload(leaf.id).shape === "splittable" && rootOfMain?.kind !== "splittable" && isUnboundedOutput(model, leaf.id)) {
          throw new Error(
            `'${leaf.id}' is an unbounded splittable DoFn: it must read from mr.impulse() or mr.create(...) (it is a source), not from '${main}'`,
          );
        }
        let stage: FusedStage;
        if (sideInputNames.length > 0 || isStatefulParDo(model, leaf.id)) {
          // A ParDo with side inputs waits for them, and they may be computed
          // from its own main input: fusing it upstream could make a stage
          // wait for itself. A stateful ParDo is keyed: its input is
          // partitioned by key. Either starts a stage of its own.
          materialize(main);
          stage = newStage({ kind: "pcollection", pcollection: main });
        } else {
          stage = stageReading(main);
        }
        stage.steps.push({ kind: "pardo", transformId: leaf.id, input: main, outputs: t.outputs });
        for (const out of Object.values(t.outputs)) {
          stageOf.set(out, stage);
          stage.produces.push(out);
        }
        for (const name of sideInputNames) {
          const pc = t.inputs[name]!;
          materialize(pc);
          if (!stage.sideInputs.includes(pc)) stage.sideInputs.push(pc);
        }
        break;
      }
      case TransformUrns.TEST_STREAM: {
        const out = onlyOutput(leaf.id);
        const stage = newStage({ kind: "testStream", transformId: leaf.id, output: out });
        stage.produces.push(out);
        stageOf.set(out, stage);
        break;
      }
      case TransformUrns.WINDOW_INTO: {
        const input = Object.values(t.inputs)[0]!;
        const out = onlyOutput(leaf.id);
        const stage = stageReading(input);
        stage.steps.push({ kind: "windowInto", transformId: leaf.id, input, output: out });
        stage.produces.push(out);
        stageOf.set(out, stage);
        break;
      }
      case TransformUrns.GROUP_BY_KEY:
      case TransformUrns.RESHUFFLE: {
        const input = Object.values(t.inputs)[0]!;
        materialize(input);
        const kind = leaf.urn === TransformUrns.GROUP_BY_KEY ? "groupByKey" : "reshuffle";
        shuffles.push({ kind, transformId: leaf.id, input, output: onlyOutput(leaf.id) });
        break;
      }
      case TransformUrns.FLATTEN: {
        const inputs = Object.values(t.inputs);
        inputs.forEach(materialize);
        shuffles.push({ kind: "flatten", transformId: leaf.id, inputs, output: onlyOutput(leaf.id) });
        break;
      }
      case TransformUrns.COMBINE_PER_KEY: {
        const input = Object.values(t.inputs)[0]!;
        const output = onlyOutput(leaf.id);
        const producer = stageOf.get(input);
        const ws = model.windowingOf(input);
        const merging = ws.mergeStatus === MergeStatus.NEEDS_MERGE;
        // Lifting is exact only when panes do not depend on element counts or
        // arrival: the default trigger over non-merging windows.
        const liftable = !merging && ws.trigger?.trigger === "default";
        if (producer && liftable) {
          const acc = accumulatorsOf(leaf.id);
          producer.steps.push({ kind: "precombine", combineId: leaf.id, input, output: acc });
          producer.materialized.push(acc);
          producer.produces.push(acc);
          shuffles.push({ kind: "combine", transformId: leaf.id, input: acc, output, lifted: true });
        } else {
          materialize(input);
          shuffles.push({ kind: "combine", transformId: leaf.id, input, output, lifted: false });
        }
        break;
      }
      case TransformUrns.WRITE_FILES: {
        // Only runners that write files natively decode this composite as a leaf.
        const input = Object.values(t.inputs)[0]!;
        const output = onlyOutput(leaf.id);
        const stage = stageReading(input);
        stage.steps.push({ kind: "writeText", transformId: leaf.id, input, output });
        stage.produces.push(output);
        stageOf.set(output, stage);
        break;
      }
      case MillraceUrns.KAFKA_WRITE: {
        // Only runners with a native Kafka sink decode this composite as a leaf.
        const input = Object.values(t.inputs)[0]!;
        const output = onlyOutput(leaf.id);
        const stage = stageReading(input);
        stage.steps.push({ kind: "writeKafka", transformId: leaf.id, input, output });
        stage.produces.push(output);
        stageOf.set(output, stage);
        break;
      }
      default:
        throw new Error(`transform '${leaf.id}' has URN '${leaf.urn}', which millrace runners do not execute`);
    }
  }
  return { stages, shuffles };
}
