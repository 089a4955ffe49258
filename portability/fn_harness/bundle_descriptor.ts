/**
 * Reads a `ProcessBundleDescriptor`: the fused stage an engine asks the
 * harness to run, with the data ports at its edges. The engine has already
 * fused; the harness turns the descriptor into the same `PipelineModel` and
 * `FusedStage` our own runners build, so `portability/harness`'s
 * `buildStage` runs it with the same operators as every runner.
 */
import type * as protobuf from "protobufjs";
import { PipelineModel } from "../pipeline_model";
import { decodeMessage } from "../proto/messages";
import type * as pb from "../proto/messages";
import { fnApiRoot, fnApiType } from "../proto/fn_api_root";
import type { FusedStage, StageStep } from "../plan/execution_plan";
import { CombineComponentUrns, PrimitiveTransformUrns, SplittableComponentUrns } from "../urns";
import type { SplittablePhase } from "../plan/execution_plan";
import { DataPortUrns } from "./fn_api_urns";

/** A data port of the bundle: a source the engine writes elements to, or a sink it reads them from. */
export interface DataPort {
  /** The id of the `beam:runner:source:v1` / `beam:runner:sink:v1` transform (the data stream's `transform_id`). */
  readonly transformId: string;
  /** The PCollection the port produces (source) or consumes (sink). */
  readonly pcollection: string;
  /** The id of the (windowed value) coder of the port's elements. */
  readonly coderId: string;
  /** Where the engine serves the data stream; "" when it did not say (the control endpoint's data service). */
  readonly dataEndpoint: string;
}

/** A descriptor, read: what to build and where its data comes from and goes. */
export interface BundleDescriptorPlan {
  readonly id: string;
  /** The descriptor's components as a pipeline model (transforms, PCollections, coders, windowing). */
  readonly model: PipelineModel;
  /** The stage to build with `buildStage`: its root is the sources' PCollection. */
  readonly stage: FusedStage;
  readonly sources: readonly DataPort[];
  readonly sinks: readonly DataPort[];
  /** Where to reach the State API (side inputs, user state), or "". */
  readonly stateEndpoint: string;
  /** Where timers travel on the data plane, or "". */
  readonly timerEndpoint: string;
}

/** Thrown for a descriptor the harness cannot run: names the transform and what is wrong. */
export class UnsupportedDescriptorError extends Error {
  override readonly name = "UnsupportedDescriptorError";
}

/** Decodes a descriptor's bytes (from `GetProcessBundleDescriptor`) and reads it. */
export function readBundleDescriptor(bytes: Uint8Array): BundleDescriptorPlan {
  return planOf(fnApiType("ProcessBundleDescriptor").decode(bytes) as unknown as RawDescriptor);
}

/** Reads a descriptor already decoded with the Fn API root (a protobufjs message or its plain-object form). */
export function planOf(raw: RawDescriptor): BundleDescriptorPlan {
  const model = modelOf(raw);
  const transforms = model.components.transforms;
  const sources: DataPort[] = [];
  const sinks: DataPort[] = [];
  for (const [id, t] of Object.entries(transforms)) {
    const urn = t.spec?.urn ?? "";
    if (urn === DataPortUrns.SOURCE) sources.push(portOf(id, t, Object.values(t.outputs)[0], "source"));
    if (urn === DataPortUrns.SINK) sinks.push(portOf(id, t, Object.values(t.inputs)[0], "sink"));
  }
  const stage = stageOf(raw.id ?? "", model, sources, sinks);
  return {
    id: raw.id ?? "",
    model,
    stage,
    sources,
    sinks,
    stateEndpoint: raw.stateApiServiceDescriptor?.url ?? "",
    timerEndpoint: raw.timerApiServiceDescriptor?.url ?? "",
  };
}

/** The descriptor fields the harness reads (protobufjs message or plain object). */
export interface RawDescriptor {
  id?: string;
  transforms?: Record<string, unknown>;
  pcollections?: Record<string, unknown>;
  windowingStrategies?: Record<string, unknown>;
  coders?: Record<string, unknown>;
  environments?: Record<string, unknown>;
  stateApiServiceDescriptor?: { url?: string } | null;
  timerApiServiceDescriptor?: { url?: string } | null;
}

/**
 * The descriptor's components as a Runner API `Pipeline` whose roots are its
 * transforms, decoded by the same function as every pipeline (so every field
 * has the shape the rest of portability expects).
 */
function modelOf(raw: RawDescriptor): PipelineModel {
  const pipelineType: protobuf.Type = fnApiRoot.lookupType("org.apache.beam.model.pipeline.v1.Pipeline");
  const transforms = raw.transforms ?? {};
  const bytes = pipelineType
    .encode(
      pipelineType.fromObject({
        components: {
          transforms,
          pcollections: raw.pcollections ?? {},
          windowingStrategies: raw.windowingStrategies ?? {},
          coders: raw.coders ?? {},
          environments: raw.environments ?? {},
        },
        rootTransformIds: Object.keys(transforms).sort(),
      }),
    )
    .finish();
  const pipeline = decodeMessage("Pipeline", bytes);
  for (const [id, t] of Object.entries(pipeline.components!.transforms)) {
    for (const sub of t.subtransforms) {
      if (!pipeline.components!.transforms[sub]) {
        throw new UnsupportedDescriptorError(`transform '${id}' of the bundle lists subtransform '${sub}', which the bundle does not have`);
      }
    }
  }
  return new PipelineModel(pipeline, new Set());
}

function portOf(id: string, t: pb.PTransform, pcollection: string | undefined, kind: "source" | "sink"): DataPort {
  if (pcollection === undefined) throw new UnsupportedDescriptorError(`data ${kind} '${id}' has no PCollection`);
  const port = fnApiType("RemoteGrpcPort").decode(t.spec!.payload) as unknown as {
    apiServiceDescriptor?: { url?: string } | null;
    coderId?: string;
  };
  if (!port.coderId) throw new UnsupportedDescriptorError(`data ${kind} '${id}' names no coder`);
  return { transformId: id, pcollection, coderId: port.coderId, dataEndpoint: port.apiServiceDescriptor?.url ?? "" };
}

/**
 * The bundle's transforms as a fused stage rooted at the PCollection its
 * sources produce. Several sources are read into one root only when they
 * all feed one Flatten (the engine fused the flatten into the bundle).
 */
function stageOf(id: string, model: PipelineModel, sources: readonly DataPort[], sinks: readonly DataPort[]): FusedStage {
  if (sources.length === 0) throw new UnsupportedDescriptorError(`bundle '${id}' has no data source (${DataPortUrns.SOURCE})`);
  const skipped = new Set<string>([...sources, ...sinks].map((p) => p.transformId));
  let root = sources[0]!.pcollection;
  if (sources.length > 1 || sources.some((s) => s.pcollection !== root)) {
    const flatten = singleFlattenOf(model, sources);
    if (!flatten) {
      throw new UnsupportedDescriptorError(
        `bundle '${id}' reads several data sources (${sources.map((s) => s.transformId).join(", ")}) that do not meet in one Flatten`,
      );
    }
    skipped.add(flatten.id);
    root = flatten.output;
  }
  const steps: StageStep[] = [];
  const produces: string[] = [root];
  for (const leaf of model.leaves) {
    if (skipped.has(leaf.id)) continue;
    const step = stepOf(model, leaf.id, leaf.urn);
    steps.push(step);
    produces.push(...("outputs" in step ? Object.values(step.outputs) : [step.output]));
  }
  const sideInputs = steps.flatMap((s) =>
    s.kind === "pardo"
      ? Object.keys(model.parDoPayload(s.transformId).sideInputs).map((tag) => model.transform(s.transformId).inputs[tag]!)
      : [],
  );
  return {
    id,
    root: { kind: "pcollection", pcollection: root },
    steps,
    materialized: [...new Set(sinks.map((s) => s.pcollection))],
    sideInputs,
    produces,
  };
}

function singleFlattenOf(model: PipelineModel, sources: readonly DataPort[]): { id: string; output: string } | undefined {
  const consumers = new Set(sources.flatMap((s) => model.consumersOf(s.pcollection)));
  if (consumers.size !== 1) return undefined;
  const id = [...consumers][0]!;
  const t = model.transform(id);
  if (t.spec?.urn !== PrimitiveTransformUrns.FLATTEN) return undefined;
  return { id, output: Object.values(t.outputs)[0]! };
}

function soleInput(model: PipelineModel, id: string): string {
  const input = model.mainInput(id);
  if (input === undefined) throw new UnsupportedDescriptorError(`transform '${id}' of the bundle has no input`);
  return input;
}

function soleOutput(model: PipelineModel, id: string): string {
  const outs = Object.values(model.transform(id).outputs);
  if (outs.length !== 1) throw new UnsupportedDescriptorError(`transform '${id}' of the bundle should have one output, has ${outs.length}`);
  return outs[0]!;
}

/** The stage step that runs transform `id` of URN `urn`. */
function stepOf(model: PipelineModel, id: string, urn: string): StageStep {
  switch (urn) {
    case PrimitiveTransformUrns.PAR_DO:
      return { kind: "pardo", transformId: id, input: soleInput(model, id), outputs: model.transform(id).outputs };
    case PrimitiveTransformUrns.WINDOW_INTO:
      return { kind: "windowInto", transformId: id, input: soleInput(model, id), output: soleOutput(model, id) };
    case CombineComponentUrns.COMBINE_PER_KEY_PRECOMBINE:
      return { kind: "precombine", combineId: id, input: soleInput(model, id), output: soleOutput(model, id) };
    case CombineComponentUrns.COMBINE_PER_KEY_MERGE_ACCUMULATORS:
      return {
        kind: "combinePhase",
        phase: "mergeAccumulators",
        transformId: id,
        input: soleInput(model, id),
        output: soleOutput(model, id),
      };
    case CombineComponentUrns.COMBINE_PER_KEY_EXTRACT_OUTPUTS:
      return { kind: "combinePhase", phase: "extractOutputs", transformId: id, input: soleInput(model, id), output: soleOutput(model, id) };
    case CombineComponentUrns.COMBINE_GROUPED_VALUES:
      return {
        kind: "combinePhase",
        phase: "combineGroupedValues",
        transformId: id,
        input: soleInput(model, id),
        output: soleOutput(model, id),
      };
    case SplittableComponentUrns.PAIR_WITH_RESTRICTION:
    case SplittableComponentUrns.SPLIT_AND_SIZE_RESTRICTIONS:
    case SplittableComponentUrns.TRUNCATE_SIZED_RESTRICTION:
    case SplittableComponentUrns.PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS:
      return {
        kind: "splittablePhase",
        phase: SPLITTABLE_PHASES[urn]!,
        transformId: id,
        input: soleInput(model, id),
        output: sdfOutput(model, id),
      };
    default:
      throw new UnsupportedDescriptorError(
        `transform '${id}' of the bundle has URN '${urn || "(none)"}', which this SDK harness does not run`,
      );
  }
}

const SPLITTABLE_PHASES: Readonly<Record<string, SplittablePhase>> = {
  [SplittableComponentUrns.PAIR_WITH_RESTRICTION]: "pairWithRestriction",
  [SplittableComponentUrns.SPLIT_AND_SIZE_RESTRICTIONS]: "splitAndSize",
  [SplittableComponentUrns.TRUNCATE_SIZED_RESTRICTION]: "truncate",
  [SplittableComponentUrns.PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS]: "processSized",
};

/** The output of an SDF phase: its one output, or the DoFn's main output (a splittable DoFn has no other). */
function sdfOutput(model: PipelineModel, id: string): string {
  const outputs = model.transform(id).outputs;
  return outputs.main ?? soleOutput(model, id);
}
