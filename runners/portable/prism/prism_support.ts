/**
 * What millrace pipelines Prism cannot run with millrace's SDK harness,
 * found before the job starts so that it is refused with the feature's name
 * rather than failing (or stalling) halfway through on the engine.
 *
 * @module
 */
import { fromProto } from "../../../portability/from_proto";
import { PrimitiveTransformUrns, RequirementUrns, WindowFnUrns } from "../../../portability/urns";
import type { Trigger } from "../../../portability/proto/messages";
import type { PipelineModel } from "../../../portability/pipeline_model";

/** One thing of the pipeline Prism cannot run, and why. */
export interface UnsupportedOnPrism {
  /** The transform that uses it. */
  readonly transform: string;
  /** The feature, as a user knows it. */
  readonly feature: string;
  /** Why Prism cannot run it. */
  readonly reason: string;
}

/** A feature Prism cannot run: how to find it in a transform, and why (tests pass their own to check the mechanism). */
export interface PrismRefusal {
  readonly feature: string;
  readonly reason: string;
  /** True when leaf transform `id` of `model` uses the feature. */
  applies(model: PipelineModel, id: string): boolean;
}

const MERGING_TRIGGER_REASON =
  "Prism does not keep the state of element-count or processing-time triggers across merging windows (apache/beam#31438) and refuses such a job at Prepare";

/** True when `trigger` keeps state (counts elements or waits on processing time) somewhere in it, as Prism's own check reads it. */
function hasStatefulTrigger(trigger: Trigger | null | undefined): boolean {
  if (!trigger) return false;
  if (trigger.elementCount || trigger.afterProcessingTime || trigger.afterSynchronizedProcessingTime) return true;
  const subs = [
    ...(trigger.afterAll?.subtriggers ?? []),
    ...(trigger.afterAny?.subtriggers ?? []),
    ...(trigger.afterEach?.subtriggers ?? []),
    trigger.afterEndOfWindow?.earlyFirings,
    trigger.afterEndOfWindow?.lateFirings,
    trigger.orFinally?.main,
    trigger.orFinally?.finally,
    trigger.repeat?.subtrigger,
  ];
  return subs.some((t) => hasStatefulTrigger(t));
}

/**
 * What Prism cannot run today, by name with Prism's reason. Splittable DoFns
 * were refused here until the SDK harness ran Beam's SDF components (pair
 * with restriction, split and size, process sized elements); they now run
 * on Prism like every other transform.
 */
const PRISM_REFUSALS: readonly PrismRefusal[] = [
  {
    feature: "a count or processing-time trigger on session windows",
    reason: MERGING_TRIGGER_REASON,
    applies(model, id) {
      const t = model.transform(id);
      if (t.spec?.urn !== PrimitiveTransformUrns.GROUP_BY_KEY) return false;
      const ws = model.windowingOf(Object.values(t.inputs)[0]!);
      return ws.windowFn?.urn === WindowFnUrns.SESSION && hasStatefulTrigger(ws.trigger);
    },
  },
];

/** The features of `pipelineProto` Prism cannot run, one per transform and feature; empty when it can run the whole pipeline. */
export function unsupportedOnPrism(pipelineProto: Uint8Array, refusals: readonly PrismRefusal[] = PRISM_REFUSALS): UnsupportedOnPrism[] {
  const model = fromProto(pipelineProto, { supportedRequirements: Object.values(RequirementUrns) });
  const out: UnsupportedOnPrism[] = [];
  for (const t of model.leaves) {
    for (const r of refusals) {
      if (r.applies(model, t.id)) out.push({ transform: t.proto.uniqueName, feature: r.feature, reason: r.reason });
    }
  }
  return out;
}

/** The error a pipeline with unsupported features is refused with, naming each. */
export class UnsupportedOnPrismError extends Error {
  override readonly name = "UnsupportedOnPrismError";
  constructor(readonly unsupported: readonly UnsupportedOnPrism[]) {
    super(`Prism cannot run this pipeline: ${unsupported.map((u) => `${u.feature} in '${u.transform}' (${u.reason})`).join("; ")}`);
  }
}
