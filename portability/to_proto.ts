/**
 * SDK graph -> Beam Runner API `Pipeline` bytes. This is the only way a
 * pipeline reaches a runner.
 */
import type { Pipeline } from "../sdk/pipeline";
import type { PCollection } from "../sdk/pcollection";
import type { TransformNode } from "../sdk/graph/transform_node";
import type { PrimitiveSpec } from "../sdk/graph/primitive_spec";
import type { WindowingStrategy, TriggerSpec, WindowFnSpec } from "../sdk/windowing/windowing_strategy";
import type { Coder } from "./coders/coder";
import { coders, defaultCoderRegistry, encodeToBytes } from "./coders";
import {
  encodeMessage,
  IsBounded,
  MergeStatus,
  AccumulationMode,
  OutputTime,
  ClosingBehavior,
  OnTimeBehavior,
  TimeDomain,
} from "./proto/messages";
import type * as pb from "./proto/messages";
import { TransformUrns, WindowFnUrns, SideInputUrns, MillraceUrns, RequirementUrns, UserStateProtocolUrns } from "./urns";
import type { StateSpec } from "../sdk/state/state_specs";
import {
  encodeJsonPayload,
  type DoFnPayload,
  type CombineFnPayload,
  type ViewFnPayload,
  type UserCoderPayload,
  type TextSinkPayload,
} from "./payloads";

/** The id of the one environment millrace pipelines use. */
export const SDK_ENVIRONMENT_ID = "millrace_node";

/** Options of {@link toProto}. */
export interface ToProtoOptions {
  /** For scripts that run several pipelines: which `run()` this is. */
  readonly runIndex?: number;
}

/**
 * Translates a pipeline to a Beam Runner API `Pipeline` message, encoded.
 *
 * @example
 * ```ts
 * const bytes = mr.portability.toProto(p);
 * const model = mr.portability.fromProto(bytes);
 * ```
 */
export function toProto(pipeline: Pipeline, options: ToProtoOptions = {}): Uint8Array {
  return encodeMessage("Pipeline", toPipelineMessage(pipeline, options));
}

/** The `Pipeline` message as a plain object, before encoding. */
export function toPipelineMessage(pipeline: Pipeline, options: ToProtoOptions = {}): pb.MessageInit<pb.Pipeline> {
  const b = new ComponentsBuilder(pipeline);
  const roots = pipeline._root.parts.map((n) => b.addTransform(n));
  b.environments[SDK_ENVIRONMENT_ID] = {
    urn: MillraceUrns.ENVIRONMENT,
    payload: encodeJsonPayload(pipeline._origin(options.runIndex ?? 0)),
  };
  return {
    components: {
      transforms: b.transforms,
      pcollections: b.pcollections,
      windowingStrategies: b.windowingStrategies,
      coders: b.coders,
      environments: b.environments,
    },
    rootTransformIds: roots,
    requirements: [...b.requirements].sort(),
  };
}

class ComponentsBuilder {
  readonly transforms: Record<string, pb.MessageInit<pb.PTransform>> = {};
  readonly pcollections: Record<string, pb.MessageInit<pb.PCollection>> = {};
  readonly windowingStrategies: Record<string, pb.MessageInit<pb.WindowingStrategy>> = {};
  readonly coders: Record<string, pb.MessageInit<pb.Coder>> = {};
  readonly environments: Record<string, pb.MessageInit<pb.Environment>> = {};
  private readonly coderIds = new Map<Coder<unknown>, string>();
  private readonly coderIdsByShape = new Map<string, string>();
  private readonly windowingIds = new Map<string, string>();

  constructor(private readonly pipeline: Pipeline) {}

  addTransform(node: TransformNode): string {
    const id = node.uniqueName;
    const parts = node.parts.map((n) => this.addTransform(n));
    const inputs: Record<string, string> = {};
    for (const [tag, pc] of Object.entries(node.inputs)) inputs[tag] = this.addPCollection(pc);
    const outputs: Record<string, string> = {};
    for (const [tag, pc] of Object.entries(node.outputs)) outputs[tag] = this.addPCollection(pc);
    const message: pb.MessageInit<pb.PTransform> = { uniqueName: node.uniqueName, subtransforms: parts, inputs, outputs };
    if (node.spec) {
      const { spec, usesEnvironment } = this.specOf(node.spec, inputs, node);
      message.spec = spec;
      if (usesEnvironment && parts.length === 0) message.environmentId = SDK_ENVIRONMENT_ID;
    }
    this.transforms[id] = message;
    return id;
  }

  private specOf(
    spec: PrimitiveSpec,
    inputs: Record<string, string>,
    node: TransformNode,
  ): { spec: pb.MessageInit<pb.FunctionSpec>; usesEnvironment: boolean } {
    switch (spec.kind) {
      case "impulse":
        return { spec: { urn: TransformUrns.IMPULSE }, usesEnvironment: false };
      case "groupByKey":
        return { spec: { urn: TransformUrns.GROUP_BY_KEY }, usesEnvironment: false };
      case "flatten":
        return { spec: { urn: TransformUrns.FLATTEN }, usesEnvironment: false };
      case "reshuffle":
        return { spec: { urn: TransformUrns.RESHUFFLE }, usesEnvironment: false };
      case "writeFiles":
        return {
          spec: {
            urn: TransformUrns.WRITE_FILES,
            payload: encodeMessage("WriteFilesPayload", {
              sink: { urn: MillraceUrns.TEXT_SINK, payload: encodeJsonPayload(spec.sink satisfies TextSinkPayload) },
              windowedWrites: false,
              runnerDeterminedSharding: false,
            }),
          },
          usesEnvironment: false,
        };
      case "kafkaWrite":
        return { spec: { urn: MillraceUrns.KAFKA_WRITE, payload: encodeJsonPayload(spec.sink) }, usesEnvironment: false };
      case "testStream": {
        // Elements travel encoded with the output's coder, as in Beam: the stream is data, not code.
        const output = node.outputs.main!;
        const coder = output.coder;
        const events = spec.events.map((e): pb.MessageInit<pb.TestStreamEvent> => {
          switch (e.kind) {
            case "elements":
              return {
                elementEvent: {
                  elements: e.elements.map((el) => ({ encodedElement: encodeToBytes(coder, el.value), timestamp: el.timestamp })),
                },
              };
            case "watermark":
              return { watermarkEvent: { newWatermark: e.watermark } };
            case "processingTime":
              return { processingTimeEvent: { advanceDuration: e.advanceMs } };
          }
        });
        const payload = encodeMessage("TestStreamPayload", { coderId: this.addCoder(coder, output.id), events });
        return { spec: { urn: TransformUrns.TEST_STREAM, payload }, usesEnvironment: true };
      }
      case "windowInto":
        return {
          spec: {
            urn: TransformUrns.WINDOW_INTO,
            payload: encodeMessage("WindowIntoPayload", { windowFn: windowFnSpec(spec.windowing.windowFn) }),
          },
          usesEnvironment: true,
        };
      case "combinePerKey":
      case "combineGlobally": {
        const fnPayload: CombineFnPayload = { ref: spec.combineFnRef };
        const payload = encodeMessage("CombinePayload", {
          combineFn: { urn: MillraceUrns.COMBINE_FN, payload: encodeJsonPayload(fnPayload) },
          accumulatorCoderId: this.addCoder(spec.accumulatorCoder),
        });
        const urn = spec.kind === "combinePerKey" ? TransformUrns.COMBINE_PER_KEY : TransformUrns.COMBINE_GLOBALLY;
        return { spec: { urn, payload }, usesEnvironment: true };
      }
      case "pardo": {
        const fnPayload: DoFnPayload = {
          ref: spec.fnRef,
          shape: spec.shape,
          additionalOutputs: spec.additionalOutputs,
          ...(spec.allowsTimestampSkew ? { allowsTimestampSkew: true } : {}),
          ...(spec.allowedTimestampSkewMs ? { allowedTimestampSkewMs: spec.allowedTimestampSkewMs } : {}),
          ...(spec.createCount !== undefined ? { createCount: spec.createCount } : {}),
        };
        const sideInputs: Record<string, pb.MessageInit<pb.SideInput>> = {};
        for (const [name, si] of Object.entries(spec.sideInputs)) {
          // Beam lists side inputs among the transform's inputs under their local names.
          inputs[name] = this.addPCollection(si.pcollection);
          const view: ViewFnPayload = { kind: si.view, ...(si.defaultRef ? { defaultRef: si.defaultRef } : {}) };
          sideInputs[name] = {
            accessPattern: { urn: si.view === "map" || si.view === "multimap" ? SideInputUrns.MULTIMAP : SideInputUrns.ITERABLE },
            viewFn: { urn: MillraceUrns.VIEW_FN, payload: encodeJsonPayload(view) },
            windowMappingFn: { urn: MillraceUrns.WINDOW_MAPPING_FN, payload: encodeJsonPayload({ kind: "default" }) },
          };
        }
        const stateSpecs: Record<string, pb.MessageInit<pb.StateSpec>> = {};
        for (const [name, { spec: st, combineFnRef }] of Object.entries(spec.state ?? {}))
          stateSpecs[name] = { ...this.stateSpec(st, combineFnRef), protocol: { urn: stateProtocol(st) } };
        const timerFamilySpecs: Record<string, pb.MessageInit<pb.TimerFamilySpec>> = {};
        if (spec.timers && Object.keys(spec.timers).length > 0) {
          const mainInput = node.inputs.main!;
          const windowCoder = mainInput.windowing.windowFn.kind === "global" ? coders.globalWindow() : coders.intervalWindow();
          const timerCoderId = this.addCoder(coders.timer(spec.keyCoder ?? coders.jsValue(), windowCoder) as Coder<unknown>);
          for (const [name, t] of Object.entries(spec.timers)) {
            timerFamilySpecs[name] = {
              timeDomain: t.domain === "eventTime" ? TimeDomain.EVENT_TIME : TimeDomain.PROCESSING_TIME,
              timerFamilyCoderId: timerCoderId,
            };
          }
        }
        if (Object.keys(stateSpecs).length > 0 || Object.keys(timerFamilySpecs).length > 0) this.requirements.add(RequirementUrns.STATEFUL);
        // A splittable DoFn is Beam's unexpanded SDF ParDo: its restriction coder marks it, and an engine expands it.
        if (spec.restrictionCoder) this.requirements.add(RequirementUrns.SPLITTABLE_DOFN);
        const payload = encodeMessage("ParDoPayload", {
          doFn: { urn: MillraceUrns.DO_FN, payload: encodeJsonPayload(fnPayload) },
          sideInputs,
          stateSpecs,
          timerFamilySpecs,
          ...(spec.restrictionCoder
            ? { restrictionCoderId: this.addCoder(spec.restrictionCoder, `${node.uniqueName}#restriction`), requestsFinalization: true }
            : {}),
        });
        return { spec: { urn: TransformUrns.PAR_DO, payload }, usesEnvironment: true };
      }
    }
  }

  /** Requirement URNs the pipeline's transforms need. */
  readonly requirements = new Set<string>();

  private stateSpec(st: StateSpec, combineFnRef: string | undefined): pb.MessageInit<pb.StateSpec> {
    const js = coders.jsValue();
    switch (st.kind) {
      case "value":
        return { readModifyWriteSpec: { coderId: this.addCoder(st.coder ?? js) } };
      case "bag":
        return { bagSpec: { elementCoderId: this.addCoder(st.coder ?? js) } };
      case "combining": {
        const fn: CombineFnPayload = { ref: combineFnRef! };
        return {
          combiningSpec: {
            accumulatorCoderId: this.addCoder(st.accumulatorCoder ?? js),
            combineFn: { urn: MillraceUrns.COMBINE_FN, payload: encodeJsonPayload(fn) },
          },
        };
      }
      case "map":
        return { mapSpec: { keyCoderId: this.addCoder(st.keyCoder ?? js), valueCoderId: this.addCoder(st.valueCoder ?? js) } };
      case "set":
        return { setSpec: { elementCoderId: this.addCoder(st.coder ?? js) } };
      case "orderedList":
        return { orderedListSpec: { elementCoderId: this.addCoder(st.coder ?? js) } };
    }
  }

  addPCollection(pc: PCollection<unknown>): string {
    const id = pc.id;
    if (!this.pcollections[id]) {
      this.pcollections[id] = {
        uniqueName: id,
        coderId: this.addCoder(pc.coder, id),
        isBounded: pc.isBounded ? IsBounded.BOUNDED : IsBounded.UNBOUNDED,
        windowingStrategyId: this.addWindowing(pc.windowing),
      };
    }
    return id;
  }

  /** Adds a coder (and its components), reusing the id of an identical one. */
  addCoder(coder: Coder<unknown>, ownerId?: string): string {
    const known = this.coderIds.get(coder);
    if (known) return known;
    let spec: pb.MessageInit<pb.Coder>;
    if (defaultCoderRegistry.has(coder.urn)) {
      const componentIds = coder.components.map((c) => this.addCoder(c, ownerId));
      spec = { spec: { urn: coder.urn, ...(coder.payload ? { payload: coder.payload } : {}) }, componentCoderIds: componentIds };
    } else {
      // A user's own coder travels by reference, like user functions.
      const ref = `${ownerId ?? "coder"}#coder`;
      this.pipeline._userCode.put(ref, coder);
      const payload: UserCoderPayload = { ref };
      spec = { spec: { urn: MillraceUrns.USER_CODER, payload: encodeJsonPayload(payload) }, componentCoderIds: [] };
    }
    const shape = JSON.stringify(spec, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));
    let id = this.coderIdsByShape.get(shape);
    if (!id) {
      id = `c${this.coderIdsByShape.size}_${coder.urn.replace(/^.*?:coder:/, "").replace(/:v\d+$/, "")}`;
      this.coderIdsByShape.set(shape, id);
      this.coders[id] = spec;
    }
    this.coderIds.set(coder, id);
    return id;
  }

  private addWindowing(w: WindowingStrategy): string {
    const key = JSON.stringify(w);
    let id = this.windowingIds.get(key);
    if (id) return id;
    id = `w${this.windowingIds.size}_${w.windowFn.kind}`;
    this.windowingIds.set(key, id);
    const windowCoder = w.windowFn.kind === "global" ? coders.globalWindow() : coders.intervalWindow();
    this.windowingStrategies[id] = {
      windowFn: windowFnSpec(w.windowFn),
      mergeStatus: w.windowFn.kind === "sessions" ? MergeStatus.NEEDS_MERGE : MergeStatus.NON_MERGING,
      windowCoderId: this.addCoder(windowCoder),
      trigger: triggerMessage(w.trigger),
      accumulationMode: w.accumulation === "accumulating" ? AccumulationMode.ACCUMULATING : AccumulationMode.DISCARDING,
      outputTime:
        w.timestampCombiner === "earliest"
          ? OutputTime.EARLIEST_IN_PANE
          : w.timestampCombiner === "latest"
            ? OutputTime.LATEST_IN_PANE
            : OutputTime.END_OF_WINDOW,
      closingBehavior: w.closingBehavior === "emitAlways" ? ClosingBehavior.EMIT_ALWAYS : ClosingBehavior.EMIT_IF_NONEMPTY,
      allowedLateness: w.allowedLatenessMs,
      onTimeBehavior: w.onTimeBehavior === "fireAlways" ? OnTimeBehavior.FIRE_ALWAYS : OnTimeBehavior.FIRE_IF_NONEMPTY,
      assignsToOneWindow: w.windowFn.kind === "global" || w.windowFn.kind === "fixed",
      environmentId: SDK_ENVIRONMENT_ID,
    };
    return id;
  }
}

/**
 * The Fn API state protocol a cell uses (`StateSpec.protocol`, which engines
 * such as Prism require): single values, bags and combining cells are bags
 * (Beam's SDKs do the same); maps and sets are multimaps keyed by the map key
 * or the set element; ordered lists have their own protocol.
 */
export function stateProtocol(st: StateSpec): string {
  switch (st.kind) {
    case "value":
    case "bag":
    case "combining":
      return UserStateProtocolUrns.BAG;
    case "map":
    case "set":
      return UserStateProtocolUrns.MULTIMAP;
    case "orderedList":
      return UserStateProtocolUrns.ORDERED_LIST;
  }
}

function duration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** The standard window fn `FunctionSpec` for a window fn. */
export function windowFnSpec(fn: WindowFnSpec): pb.MessageInit<pb.FunctionSpec> {
  switch (fn.kind) {
    case "global":
      return { urn: WindowFnUrns.GLOBAL, payload: encodeMessage("GlobalWindowsPayload", {}) };
    case "fixed":
      return {
        urn: WindowFnUrns.FIXED,
        payload: encodeMessage("FixedWindowsPayload", { size: duration(fn.sizeMs), offset: duration(fn.offsetMs) }),
      };
    case "sliding":
      return {
        urn: WindowFnUrns.SLIDING,
        payload: encodeMessage("SlidingWindowsPayload", {
          size: duration(fn.sizeMs),
          offset: duration(fn.offsetMs),
          period: duration(fn.periodMs),
        }),
      };
    case "sessions":
      return { urn: WindowFnUrns.SESSION, payload: encodeMessage("SessionWindowsPayload", { gapSize: duration(fn.gapMs) }) };
  }
}

/** The `Trigger` message for a trigger tree. */
export function triggerMessage(t: TriggerSpec): pb.MessageInit<pb.Trigger> {
  switch (t.kind) {
    case "default":
      return { default: {} };
    case "never":
      return { never: {} };
    case "always":
      return { always: {} };
    case "afterSynchronizedProcessingTime":
      return { afterSynchronizedProcessingTime: {} };
    case "afterCount":
      return { elementCount: { elementCount: t.count } };
    case "repeatedly":
      return { repeat: { subtrigger: triggerMessage(t.trigger) } };
    case "afterEach":
      return { afterEach: { subtriggers: t.triggers.map(triggerMessage) } };
    case "afterFirst":
      return { afterAny: { subtriggers: t.triggers.map(triggerMessage) } };
    case "afterAll":
      return { afterAll: { subtriggers: t.triggers.map(triggerMessage) } };
    case "orFinally":
      return { orFinally: { main: triggerMessage(t.main), finally: triggerMessage(t.until) } };
    case "afterWatermark":
      return {
        afterEndOfWindow: {
          ...(t.early ? { earlyFirings: triggerMessage(t.early) } : {}),
          ...(t.late ? { lateFirings: triggerMessage(t.late) } : {}),
        },
      };
    case "afterProcessingTime": {
      const transforms: pb.MessageInit<pb.TimestampTransform>[] = [];
      if (t.delayMs > 0) transforms.push({ delay: { delayMillis: t.delayMs } });
      if (t.alignToMs !== undefined) transforms.push({ alignTo: { period: t.alignToMs, offset: t.offsetMs ?? 0 } });
      return { afterProcessingTime: { timestampTransforms: transforms } };
    }
  }
}
