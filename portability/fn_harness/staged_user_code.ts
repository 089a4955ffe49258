/**
 * User code for a harness away from the submitting process (PROCESS and
 * EXTERNAL environments): rebuilt from the staged bundle, as the job
 * service does. The engine's Provision service says which artifacts the job
 * staged; the Artifact Retrieval service streams the ES module bundle; the
 * pipeline's origin (which pipeline of the module, its arguments and
 * fingerprint) comes with the worker's parameters (`MILLRACE_ORIGIN`), the
 * pipeline options (`millraceOrigin`) or the bundle descriptor's environment; `rebuildUserCode` loads the bundle in
 * rebuild mode and checks the rebuilt pipeline is the one submitted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { PipelineOrigin, UserCodeSource } from "../../sdk/user_code/user_code_source";
import { rebuildUserCode } from "../user_code/rebuild_user_code";
import { beamServiceDefinition, BeamServices } from "../grpc/beam_services";
import { createClient, type GenericClient } from "../grpc/channels";
import { PIPELINE_BUNDLE_ARTIFACT } from "../job_api/job_api_protocol";
import { linkBundleToLibrary } from "../job_api/code_bundle";
import { decodeJsonPayload } from "../payloads";
import { MillraceUrns } from "../urns";
import type { BundleDescriptorPlan } from "./bundle_descriptor";
import { ORIGIN_OPTION, ORIGIN_PARAM } from "../engine/engine_pipeline";
import { fnApiRoot } from "../proto/fn_api_root";
import { EnvironmentUrns } from "../urns";

/** Where a worker finds its job's staged code. */
export interface StagedCodeSource {
  /** The engine's Provision service (`--provision_endpoint`). */
  readonly provisionEndpoint: string;
  /** The Artifact Retrieval service (`--artifact_endpoint`; default: the one the provision info names). */
  readonly artifactEndpoint?: string;
  /** The worker's parameters (StartWorkerRequest.params) or environment variables, where the origin may be. */
  readonly params?: Readonly<Record<string, string | undefined>>;
  /** The worker id, sent as metadata. */
  readonly workerId: string;
}

/** Thrown when the staged code cannot be found or loaded; says what was missing. */
export class StagedCodeError extends Error {
  override readonly name = "StagedCodeError";
}

interface ProvisionInfo {
  controlEndpoint?: { url?: string } | null;
  loggingEndpoint?: { url?: string } | null;
  pipelineOptions?: { fields?: Record<string, { stringValue?: string }> } | null;
  artifactEndpoint?: { url?: string } | null;
  dependencies?: ArtifactInfo[];
}

interface ArtifactInfo {
  typeUrn?: string;
  typePayload?: Uint8Array;
  roleUrn?: string;
  rolePayload?: Uint8Array;
}

/**
 * The user code of the job a worker serves, loaded on first use: the plan
 * of the first bundle is where the origin is looked up last.
 */
export function stagedUserCode(source: StagedCodeSource): (plan: BundleDescriptorPlan) => Promise<UserCodeSource> {
  let loaded: Promise<UserCodeSource> | undefined;
  return (plan) => {
    loaded ??= load(source, plan);
    loaded.catch(() => (loaded = undefined));
    return loaded;
  };
}

async function load(source: StagedCodeSource, plan: BundleDescriptorPlan): Promise<UserCodeSource> {
  const provision = createClient(beamServiceDefinition(BeamServices.ProvisionService), "ProvisionService", source.provisionEndpoint);
  let info: ProvisionInfo;
  try {
    info = (await provisionInfo(provision, source.workerId)).info ?? {};
  } catch (e) {
    throw new StagedCodeError(`cannot get the job's provision info from ${source.provisionEndpoint}: ${(e as Error).message}`);
  } finally {
    provision.close();
  }
  const origin = originOf(source.params ?? {}, info, plan);
  const artifactEndpoint = source.artifactEndpoint || info.artifactEndpoint?.url || "";
  if (!artifactEndpoint) throw new StagedCodeError("the engine named no artifact endpoint to fetch the pipeline's code from");
  const artifact = bundleArtifact(info.dependencies ?? []);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-harness-"));
  const file = path.join(dir, PIPELINE_BUNDLE_ARTIFACT);
  await fetchArtifact(artifactEndpoint, artifact, file, source.workerId);
  // The bundle imports millrace through placeholders: point them at this harness's own copy, as the job service does.
  fs.writeFileSync(file, linkBundleToLibrary(fs.readFileSync(file, "utf8")));
  return rebuildUserCode({ ...origin, module: file });
}

/** The control and logging endpoints the provision info names (for a harness started with only `--provision_endpoint`). */
export async function provisionedEndpoints(provisionEndpoint: string, workerId: string): Promise<{ control: string; logging: string }> {
  const client = createClient(beamServiceDefinition(BeamServices.ProvisionService), "ProvisionService", provisionEndpoint);
  try {
    const info = (await provisionInfo(client, workerId)).info ?? {};
    return { control: info.controlEndpoint?.url ?? "", logging: info.loggingEndpoint?.url ?? "" };
  } catch (e) {
    throw new StagedCodeError(`cannot get the job's provision info from ${provisionEndpoint}: ${(e as Error).message}`);
  } finally {
    client.close();
  }
}

/** The origin, from the first place that has it. */
function originOf(params: Readonly<Record<string, string | undefined>>, info: ProvisionInfo, plan: BundleDescriptorPlan): PipelineOrigin {
  const fields = info.pipelineOptions?.fields ?? {};
  const fromOption = fields[`beam:option:${ORIGIN_OPTION}:v1`]?.stringValue ?? fields[ORIGIN_OPTION]?.stringValue;
  const text = params[ORIGIN_PARAM] ?? fromOption ?? originInEnvironments(plan);
  if (text) {
    try {
      return JSON.parse(text) as PipelineOrigin;
    } catch (e) {
      throw new StagedCodeError(`${ORIGIN_PARAM} is not the JSON of a pipeline origin: ${(e as Error).message}`);
    }
  }
  throw new StagedCodeError(
    `the pipeline's origin was not given: expected ${ORIGIN_PARAM} in the worker's parameters or environment, ` +
      `the pipeline option ${ORIGIN_OPTION}, or in the bundle's environment`,
  );
}

/** The origin (JSON) in the bundle's environments: millrace's own, or the params/env of an external/process one. */
function originInEnvironments(plan: BundleDescriptorPlan): string | undefined {
  for (const env of Object.values(plan.model.components.environments)) {
    if (env.urn === MillraceUrns.ENVIRONMENT) return JSON.stringify(decodeJsonPayload<PipelineOrigin>(env.payload, "environment"));
    if (env.urn === EnvironmentUrns.EXTERNAL) {
      const payload = fnApiRoot.lookupType("org.apache.beam.model.pipeline.v1.ExternalPayload").decode(env.payload) as unknown as {
        params?: Record<string, string>;
      };
      if (payload.params?.[ORIGIN_PARAM]) return payload.params[ORIGIN_PARAM];
    }
    if (env.urn === EnvironmentUrns.PROCESS) {
      const payload = fnApiRoot.lookupType("org.apache.beam.model.pipeline.v1.ProcessPayload").decode(env.payload) as unknown as {
        env?: Record<string, string>;
      };
      if (payload.env?.[ORIGIN_PARAM]) return payload.env[ORIGIN_PARAM];
    }
  }
  return undefined;
}

/** The staged bundle among the job's artifacts: the one staged under the bundle's name, else the only one. */
function bundleArtifact(dependencies: readonly ArtifactInfo[]): ArtifactInfo {
  const named = dependencies.find((a) =>
    Buffer.from(a.rolePayload ?? [])
      .toString("latin1")
      .includes(PIPELINE_BUNDLE_ARTIFACT),
  );
  if (named) return named;
  if (dependencies.length === 1) return dependencies[0]!;
  throw new StagedCodeError(
    `cannot tell the pipeline's code among the job's ${dependencies.length} staged artifacts (none is staged as ${PIPELINE_BUNDLE_ARTIFACT})`,
  );
}

/** Metadata every call carries: engines tell workers apart by it (Prism refuses calls without it). */
function workerMetadata(workerId: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set("worker_id", workerId);
  return m;
}

function provisionInfo(client: GenericClient, workerId: string): Promise<{ info?: ProvisionInfo }> {
  type Unary = (
    req: unknown,
    m: grpc.Metadata,
    o: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, r?: { info?: ProvisionInfo }) => void,
  ) => void;
  return new Promise((resolve, reject) =>
    (client["GetProvisionInfo"] as Unary).call(client, {}, workerMetadata(workerId), { deadline: Date.now() + 60_000 }, (e, r) =>
      e ? reject(e) : resolve(r ?? {}),
    ),
  );
}

async function fetchArtifact(endpoint: string, artifact: ArtifactInfo, file: string, workerId: string): Promise<void> {
  const client = createClient(beamServiceDefinition(BeamServices.ArtifactRetrievalService), "ArtifactRetrievalService", endpoint);
  const out = fs.createWriteStream(file);
  try {
    type Stream = (req: unknown, m: grpc.Metadata, o: grpc.CallOptions) => AsyncIterable<{ data?: Uint8Array }>;
    const stream = (client["GetArtifact"] as Stream).call(client, { artifact }, workerMetadata(workerId), {
      deadline: Date.now() + 300_000,
    });
    for await (const chunk of stream) {
      if (chunk.data && chunk.data.length > 0 && !out.write(chunk.data)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (e) {
    out.destroy();
    throw new StagedCodeError(
      `cannot fetch the pipeline's code from the artifact service at ${endpoint}: ${(e as grpc.ServiceError).message}`,
    );
  } finally {
    client.close();
  }
}
