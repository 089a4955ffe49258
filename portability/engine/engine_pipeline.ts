/**
 * The pipeline as a Beam engine (Prism, Flink's or Spark's job server)
 * receives it. In-process runners read millrace's own environment
 * (`millrace:env:node_module:v1`, whose payload is the pipeline's origin);
 * an engine only knows Beam's standard environments, so before submission
 * the environment is replaced by the one the user chose with
 * `--environmentType`, with the capabilities of millrace's SDK harness and
 * the code bundle as its dependency. The origin travels on as a pipeline
 * option (and in the environment's own parameters), where the harness finds
 * it through the Provision API.
 *
 * @module
 */
import { decodeMessage, encodeMessage, type Pipeline, type MessageInit, type Environment, type ParDoPayload } from "../proto/messages";
import { protoRoot } from "../proto/proto_root";
import { decodeJsonPayload, type EnvironmentPayload } from "../payloads";
import {
  ArtifactUrns,
  CapabilityUrns,
  CoderUrns,
  CompositeTransformUrns,
  EnvironmentUrns,
  MillraceUrns,
  PrimitiveTransformUrns,
  RequirementUrns,
  SideInputUrns,
  SplittableComponentUrns,
} from "../urns";
import type { PipelineOrigin } from "../../sdk/user_code/user_code_source";
import { SDK_ENVIRONMENT_ID } from "../to_proto";
import { lengthPrefixUnknownCoders } from "./length_prefix_unknown_coders";
import { markKeyedConsumers } from "./keyed_consumer_marks";
import { lengthPrefixTestStreamKeys } from "./test_stream_keys_for_engine";

/** The pipeline option (a JSON string) that carries the pipeline's origin to the SDK harness. */
export const ORIGIN_OPTION = "millraceOrigin";

/** `ExternalPayload.params` / `ProcessPayload.env` entry that carries the origin (JSON) too. */
export const ORIGIN_PARAM = "MILLRACE_ORIGIN";

/** The name the code bundle is staged under (its `staging_to` role). */
export const CODE_BUNDLE_STAGED_NAME = "pipeline.bundle.mjs";

/**
 * What millrace's SDK harness declares it can do (`Environment.capabilities`).
 * Engines use these to decide e.g. whether to send ordered-list or multimap
 * state requests.
 */
export const HARNESS_CAPABILITIES: readonly string[] = [
  CapabilityUrns.PROGRESS_REPORTING,
  CapabilityUrns.MULTI_CORE_BUNDLE_PROCESSING,
  CapabilityUrns.ORDERED_LIST_STATE,
  CapabilityUrns.MULTIMAP_STATE,
  // Beam's Python SDK declares this one SDF component: the others are implied by running splittable DoFns at all.
  SplittableComponentUrns.TRUNCATE_SIZED_RESTRICTION,
];

/** How an engine starts millrace's SDK harness. */
export type HarnessEnvironment =
  /** Ask the worker pool (BeamFnExternalWorkerPool) at `endpoint` for each harness. */
  | { readonly kind: "external"; readonly endpoint: string }
  /** Run `command` (e.g. the `millrace-harness` executable), with `env` added. */
  | { readonly kind: "process"; readonly command: string; readonly env?: Readonly<Record<string, string>> };

/** The code bundle, as an artifact of the environment. */
export interface BundleArtifact {
  /** SHA-256 of the bundle's bytes, hex. */
  readonly sha256: string;
}

const type = (name: string) => protoRoot.lookupType(`org.apache.beam.model.pipeline.v1.${name}`);

function encode(name: string, value: Record<string, unknown>): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(value)).finish();
}

/** The `ArtifactInformation` of the code bundle: a file staged as {@link CODE_BUNDLE_STAGED_NAME}. */
export function bundleArtifactInformation(bundle: BundleArtifact): {
  typeUrn: string;
  typePayload: Uint8Array;
  roleUrn: string;
  rolePayload: Uint8Array;
} {
  return {
    typeUrn: ArtifactUrns.FILE,
    typePayload: encode("ArtifactFilePayload", { path: CODE_BUNDLE_STAGED_NAME, sha256: bundle.sha256 }),
    roleUrn: ArtifactUrns.STAGING_TO_ROLE,
    rolePayload: encode("ArtifactStagingToRolePayload", { stagedName: CODE_BUNDLE_STAGED_NAME }),
  };
}

/** The Beam `Environment` message for `env`. */
export function harnessEnvironment(
  env: HarnessEnvironment,
  origin: PipelineOrigin,
  bundle: BundleArtifact | undefined,
): MessageInit<Environment> {
  const originJson = JSON.stringify(origin);
  const common = {
    capabilities: [...HARNESS_CAPABILITIES],
    dependencies: bundle === undefined ? [] : [bundleArtifactInformation(bundle)],
  };
  switch (env.kind) {
    case "external":
      return {
        urn: EnvironmentUrns.EXTERNAL,
        payload: encode("ExternalPayload", { endpoint: { url: env.endpoint }, params: { [ORIGIN_PARAM]: originJson } }),
        ...common,
      };
    case "process":
      return {
        urn: EnvironmentUrns.PROCESS,
        payload: encode("ProcessPayload", { command: env.command, env: { ...(env.env ?? {}), [ORIGIN_PARAM]: originJson } }),
        ...common,
      };
  }
}

/** The pipeline's origin, read from millrace's environment in `pipelineProto`. */
export function originOf(pipelineProto: Uint8Array): PipelineOrigin {
  const pipeline = decodeMessage("Pipeline", pipelineProto);
  const env = pipeline.components?.environments[SDK_ENVIRONMENT_ID];
  if (env === undefined || env.urn !== MillraceUrns.ENVIRONMENT) {
    throw new Error(
      `the pipeline has no ${MillraceUrns.ENVIRONMENT} environment '${SDK_ENVIRONMENT_ID}': it was not made by millrace's toProto`,
    );
  }
  return decodeJsonPayload<EnvironmentPayload>(env.payload, "environment");
}

/**
 * `pipelineProto` with millrace's environment replaced by `environment`
 * (same id, so every transform keeps pointing at it), and each combine
 * composite placed in it: an engine that lifts a combine (Prism) gives the
 * phases it makes (precombine, merge, extract) the composite's environment,
 * and a phase without one is taken for the engine's own and never runs.
 * Last, millrace's own coders are length-prefixed wherever a PCollection
 * uses them (`length_prefix_unknown_coders.ts`), and in a TestStream's KV
 * elements wherever the engine keeps the key as it is
 * (`test_stream_keys_for_engine.ts`), and the PCollections a
 * GroupByKey reads are marked for the harness's errors
 * (`keyed_consumer_marks.ts`).
 */
export function pipelineForEngine(pipelineProto: Uint8Array, environment: MessageInit<Environment>): Uint8Array {
  const pipeline: Pipeline = decodeMessage("Pipeline", pipelineProto);
  if (pipeline.components?.environments[SDK_ENVIRONMENT_ID] === undefined) {
    throw new Error(`the pipeline has no environment '${SDK_ENVIRONMENT_ID}': it was not made by millrace's toProto`);
  }
  pipeline.components!.environments[SDK_ENVIRONMENT_ID] = environment as Environment;
  for (const t of Object.values(pipeline.components!.transforms)) {
    if (t.spec?.urn === CompositeTransformUrns.COMBINE_PER_KEY && !t.environmentId) t.environmentId = SDK_ENVIRONMENT_ID;
  }
  kvCodedMultimapSideInputs(pipeline);
  splittableDoFnsAsBeamExpects(pipeline);
  flattenInputsInTheOutputCoder(pipeline);
  lengthPrefixUnknownCoders(pipeline.components!);
  lengthPrefixTestStreamKeys(pipeline.components!);
  markKeyedConsumers(pipeline);
  return encodeMessage("Pipeline", pipeline);
}

/**
 * Gives each PCollection read as a multimap side input a KV coder: an engine
 * serves such a side input key by key, so it must see the keys (Prism refuses
 * the stage otherwise). A PCollection coded as a whole (millrace's value
 * coder, for KVs whose coder was inferred) gets KV<that coder, that coder>;
 * its producers and consumers all run in the harness, which reads the
 * coder from the descriptor, so they agree on the new encoding.
 */
function kvCodedMultimapSideInputs(pipeline: Pipeline): void {
  const components = pipeline.components!;
  for (const t of Object.values(components.transforms)) {
    if (t.spec?.urn !== PrimitiveTransformUrns.PAR_DO || !t.spec.payload) continue;
    const payload: ParDoPayload = decodeMessage("ParDoPayload", t.spec.payload);
    for (const [local, side] of Object.entries(payload.sideInputs ?? {})) {
      if (side.accessPattern?.urn !== SideInputUrns.MULTIMAP) continue;
      const pc = components.pcollections[t.inputs[local] ?? ""];
      if (pc === undefined || components.coders[pc.coderId]?.spec?.urn === CoderUrns.KV) continue;
      const kvId = `${pc.coderId}:kv`;
      components.coders[kvId] ??= {
        spec: { urn: CoderUrns.KV, payload: new Uint8Array(0) },
        componentCoderIds: [pc.coderId, pc.coderId],
      } as never;
      pc.coderId = kvId;
    }
  }
}

/**
 * Gives each splittable ParDo what an engine expects of it:
 * - its restriction coder codes the pair (restriction, watermark estimator
 *   state), as Beam's SDKs declare it: the engine pairs elements with it,
 *   and the harness keeps a checkpointed watermark across residuals;
 * - the pipeline declares `beam:requirement:pardo:finalization:v1`, since
 *   the ParDo requests finalization (an engine validates the two agree).
 */
function splittableDoFnsAsBeamExpects(pipeline: Pipeline): void {
  const components = pipeline.components!;
  for (const t of Object.values(components.transforms)) {
    if (t.spec?.urn !== PrimitiveTransformUrns.PAR_DO || !t.spec.payload) continue;
    const payload: ParDoPayload = decodeMessage("ParDoPayload", t.spec.payload);
    if (!payload.restrictionCoderId) continue;
    const watermarkStateId = addCoder(components, "millrace:watermark_state", {
      spec: { urn: MillraceUrns.JS_VALUE_CODER, payload: new Uint8Array(0) },
    });
    payload.restrictionCoderId = addCoder(components, `${payload.restrictionCoderId}:with_watermark_state`, {
      spec: { urn: CoderUrns.KV, payload: new Uint8Array(0) },
      componentCoderIds: [payload.restrictionCoderId, watermarkStateId],
    });
    t.spec.payload = encodeMessage("ParDoPayload", payload);
    if (payload.requestsFinalization && !pipeline.requirements.includes(RequirementUrns.FINALIZATION)) {
      pipeline.requirements.push(RequirementUrns.FINALIZATION);
      pipeline.requirements.sort();
    }
  }
}

function addCoder(components: NonNullable<Pipeline["components"]>, id: string, coder: Record<string, unknown>): string {
  components.coders[id] ??= coder as never;
  return id;
}

/** Transforms whose output the SDK harness encodes (with the coder the descriptor gives it). */
const HARNESS_PRODUCED: ReadonlySet<string> = new Set([PrimitiveTransformUrns.PAR_DO, PrimitiveTransformUrns.WINDOW_INTO]);

/**
 * Codes each input of a Flatten with the Flatten's output coder, when the
 * harness produces it: an engine (Prism) flattens by concatenating the
 * inputs' encoded elements, which the consumer then reads with the output's
 * coder, so an input coded otherwise (millrace's value coder beside a KV
 * coder, as before a CoGroupByKey's grouping) could not be read back.
 */
function flattenInputsInTheOutputCoder(pipeline: Pipeline): void {
  const components = pipeline.components!;
  const producerUrn = new Map<string, string>();
  for (const t of Object.values(components.transforms)) {
    if ((t.subtransforms ?? []).length > 0) continue;
    for (const pc of Object.values(t.outputs)) producerUrn.set(pc, t.spec?.urn ?? "");
  }
  // An input of two Flattens that want different coders keeps its own (no coder fits both).
  const wanted = new Map<string, string | null>();
  for (const t of Object.values(components.transforms)) {
    if (t.spec?.urn !== PrimitiveTransformUrns.FLATTEN) continue;
    const outputCoder = components.pcollections[Object.values(t.outputs)[0] ?? ""]?.coderId;
    if (outputCoder === undefined) continue;
    for (const id of Object.values(t.inputs)) {
      const prev = wanted.get(id);
      wanted.set(id, prev === undefined || prev === outputCoder ? outputCoder : null);
    }
  }
  for (const [id, coderId] of wanted) {
    const input = components.pcollections[id];
    if (input !== undefined && coderId !== null && HARNESS_PRODUCED.has(producerUrn.get(id) ?? "")) input.coderId = coderId;
  }
}
