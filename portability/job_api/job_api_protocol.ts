/**
 * The job service's messages, modeled on Beam's Job API (JobService and
 * ArtifactStagingService in beam_job_api.proto / beam_artifact_api.proto):
 *
 *   prepare -> stageArtifact* -> run -> getMessageStream / getState /
 *   getMetrics / cancel; getJobs lists every job; watch streams all jobs'
 *   states and progress (the dashboard); getPipelineGraph gives a job's plan.
 *
 * Every message is one JSON text frame. Requests carry a numeric `id`; the
 * reply to a request carries the same `id` (`<type>Response`, or `error`).
 * Events carry no `id`. Bytes (the pipeline proto, artifacts) travel as
 * base64. The service greets each connection with `hello`, which states the
 * largest message it accepts, so clients can refuse to send a larger one.
 */
import type { CheckpointSummary, BatchSummary } from "../../model/progress_summaries";

/** The protocol's version, in `hello`. */
export const PROTOCOL_VERSION = 1;

/** A job's state, as Beam's `JobState.Enum` names it. */
export type JobState = "STARTING" | "RUNNING" | "CANCELLING" | "DONE" | "FAILED" | "CANCELLED";

/** States a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(["DONE", "FAILED", "CANCELLED"]);

/** How much a job message matters, after Beam's `JobMessage.MessageImportance`. */
export type MessageImportance = "DEBUG" | "BASIC" | "WARNING" | "ERROR";

/** A log line of a job: from the service, or from the job's own stdout and stderr. */
export interface JobMessage {
  /** Unique within the job, increasing. */
  readonly messageId: number;
  /** Epoch ms. */
  readonly time: number;
  /** How much it matters. */
  readonly importance: MessageImportance;
  /** The text, one line. */
  readonly text: string;
  /** Set when the line was printed by the job itself, on that stream. */
  readonly stream?: "stdout" | "stderr";
}

/** Why a job failed, as the runner reported it. */
export interface JobFailure {
  /** The error message. */
  readonly message: string;
  /** The unique name of the transform that failed, when known. */
  readonly transform?: string;
  /** The element being processed, rendered and truncated, when known. */
  readonly element?: string;
}

/** A metric snapshot: the same shape as `PipelineResult.metrics()`. */
export interface MetricsSnapshot {
  /** Counter totals by name. */
  readonly counters: Record<string, number>;
  /** Distribution summaries by name. */
  readonly distributions: Record<string, { sum: number; count: number; min: number; max: number }>;
  /** Latest gauge values by name. */
  readonly gauges: Record<string, { value: number; timestamp: number }>;
}

/** Element counts and rates of one node of the plan (a fused stage, or a shuffle node by transform id). */
export interface StageProgress {
  /** Elements read so far. */
  readonly elementsIn: number;
  /** Elements written so far. */
  readonly elementsOut: number;
  /** Elements read per second, over the last report interval. */
  readonly inRate: number;
  /** Elements written per second, over the last report interval. */
  readonly outRate: number;
}

/**
 * A completed checkpoint (stream runner) and a committed micro-batch
 * (micro-batch runner): what the runners record in their progress, sent as is.
 */
export type { CheckpointSummary as CheckpointInfo, BatchSummary as BatchInfo } from "../../model/progress_summaries";

/** A job's progress as its runner reports it, with rates worked out by the service. */
export interface ProgressSnapshot {
  /** When it was taken, epoch ms. */
  readonly at: number;
  /** Elements read by the job's stages. */
  readonly elementsIn: number;
  /** Elements that reached the end of the pipeline. */
  readonly elementsOut: number;
  /** Elements read per second, over the last report interval. */
  readonly inRate: number;
  /** The job's event-time watermark in ms; null before any (minus infinity), `"+inf"` at the end of time. */
  readonly watermark: number | null | "+inf";
  /** The runner's own one-line view. */
  readonly detail: string;
  /** Per plan node: counts and rates. */
  readonly stages: Record<string, StageProgress>;
  /** Completed checkpoints (stream runner). */
  readonly checkpointsCompleted: number;
  /** The latest completed checkpoints, oldest first. */
  readonly recentCheckpoints: readonly CheckpointSummary[];
  /** Committed micro-batches (micro-batch runner). */
  readonly batchesCompleted: number;
  /** The latest committed batches, oldest first. */
  readonly recentBatches: readonly BatchSummary[];
}

/** One job as `getJobs` and `watch` list it. */
export interface JobInfo {
  /** The service's id for the job. */
  readonly jobId: string;
  /** The `--jobName` it was submitted with (by default, named after its file or its `definePipeline` name). */
  readonly jobName: string;
  /** The pipeline's source file on the submitting machine, when known. */
  readonly file?: string;
  /** The runner it runs on. */
  readonly runner: string;
  /** Its state. */
  readonly state: JobState;
  /** When it was submitted, epoch ms. */
  readonly submittedAt: number;
  /** When it reached a terminal state, epoch ms. */
  readonly endedAt?: number;
  /** Why it failed. */
  readonly failure?: JobFailure;
  /** Its latest progress, when the runner reported any. */
  readonly progress?: ProgressSnapshot;
}

/** A node of a job's plan, for the dashboard's graph. */
export interface GraphNode {
  /** The fused stage's id, or the shuffle node's transform id (the keys of {@link ProgressSnapshot.stages}). */
  readonly id: string;
  /** A fused stage, or a shuffle node (group by key, combine, flatten, reshuffle). */
  readonly kind: "stage" | "shuffle";
  /** A short title: the stage id, or the shuffle's kind. */
  readonly title: string;
  /** The transforms it runs, in order. */
  readonly transforms: readonly string[];
}

/** A job's plan as a graph: nodes and the PCollections between them. */
export interface PipelineGraph {
  /** Stages and shuffle nodes. */
  readonly nodes: readonly GraphNode[];
  /** Data flows between nodes, `side` for side inputs. */
  readonly edges: readonly { readonly from: string; readonly to: string; readonly pcollection: string; readonly side: boolean }[];
  /** The graph drawn as SVG; each node is a `<g class="node" data-node="<id>">` with a `<text class="counts">` to fill in. */
  readonly svg: string;
}

/** What a client may send. */
export type ClientRequest =
  | {
      readonly type: "prepare";
      readonly id: number;
      readonly jobName: string;
      readonly pipeline: string;
      readonly options: Record<string, string | number | boolean>;
      /** The pipeline's source file, as the submitter names it (shown by the dashboard). */
      readonly file?: string;
    }
  | {
      readonly type: "stageArtifact";
      readonly id: number;
      readonly preparationId: string;
      readonly name: string;
      readonly sha256: string;
      readonly data: string;
    }
  | {
      readonly type: "run";
      readonly id: number;
      readonly preparationId: string;
      /** Streams the job's messages to this connection from its very start (as `getMessageStream` would, with nothing missed). */
      readonly stream?: boolean;
    }
  | { readonly type: "getJobs"; readonly id: number }
  | { readonly type: "getState"; readonly id: number; readonly jobId: string }
  | { readonly type: "getMessageStream"; readonly id: number; readonly jobId: string }
  | { readonly type: "getMetrics"; readonly id: number; readonly jobId: string }
  | { readonly type: "getPipelineGraph"; readonly id: number; readonly jobId: string }
  | { readonly type: "cancel"; readonly id: number; readonly jobId: string }
  | { readonly type: "watch"; readonly id: number };

/** The name of the staged artifact that holds the bundled pipeline module. */
export const PIPELINE_BUNDLE_ARTIFACT = "pipeline.bundle.cjs";

/** What the service sends. */
export type ServerMessage =
  | { readonly type: "hello"; readonly protocol: number; readonly maxMessageBytes: number; readonly runners: readonly string[] }
  | { readonly type: "error"; readonly id: number | null; readonly message: string }
  | { readonly type: "prepareResponse"; readonly id: number; readonly preparationId: string; readonly artifacts: readonly string[] }
  | { readonly type: "stageArtifactResponse"; readonly id: number; readonly name: string; readonly size: number }
  | { readonly type: "runResponse"; readonly id: number; readonly jobId: string }
  | { readonly type: "getJobsResponse"; readonly id: number; readonly jobs: readonly JobInfo[] }
  | { readonly type: "getStateResponse"; readonly id: number; readonly jobId: string; readonly state: JobState; readonly timestamp: number }
  | { readonly type: "getMessageStreamResponse"; readonly id: number; readonly jobId: string }
  | { readonly type: "getMetricsResponse"; readonly id: number; readonly jobId: string; readonly metrics: MetricsSnapshot }
  | { readonly type: "getPipelineGraphResponse"; readonly id: number; readonly jobId: string; readonly graph: PipelineGraph }
  | { readonly type: "cancelResponse"; readonly id: number; readonly jobId: string; readonly state: JobState }
  | { readonly type: "watchResponse"; readonly id: number; readonly jobs: readonly JobInfo[] }
  | {
      readonly type: "stateEvent";
      readonly jobId: string;
      readonly state: JobState;
      readonly timestamp: number;
      readonly failure?: JobFailure;
    }
  | { readonly type: "messageEvent"; readonly jobId: string; readonly message: JobMessage }
  | { readonly type: "metricsEvent"; readonly jobId: string; readonly metrics: MetricsSnapshot }
  | { readonly type: "progressEvent"; readonly jobId: string; readonly progress: ProgressSnapshot }
  | { readonly type: "jobEvent"; readonly job: JobInfo };

/** A request that breaks the protocol; the service answers it with an `error` and keeps the connection. */
export class ProtocolError extends Error {
  /** Always `"ProtocolError"`. */
  override readonly name = "ProtocolError";
  /**
   * @param message what is wrong, for the client.
   * @param id the request's id, when it could be read.
   */
  constructor(
    message: string,
    readonly id: number | null = null,
  ) {
    super(message);
  }
}

const FIELDS: Record<ClientRequest["type"], Record<string, "string" | "object">> = {
  prepare: { jobName: "string", pipeline: "string", options: "object" },
  stageArtifact: { preparationId: "string", name: "string", sha256: "string", data: "string" },
  run: { preparationId: "string" },
  getJobs: {},
  getState: { jobId: "string" },
  getMessageStream: { jobId: "string" },
  getMetrics: { jobId: "string" },
  getPipelineGraph: { jobId: "string" },
  cancel: { jobId: "string" },
  watch: {},
};

const OPTIONAL_FIELDS: Partial<Record<ClientRequest["type"], Record<string, "string" | "boolean">>> = {
  prepare: { file: "string" },
  run: { stream: "boolean" },
};

/** Parses and checks one frame from a client; throws a {@link ProtocolError} that says what is wrong. */
export function parseClientRequest(frame: string): ClientRequest {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (e) {
    throw new ProtocolError(`malformed message: not JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ProtocolError("malformed message: expected a JSON object");
  const msg = value as Record<string, unknown>;
  const id = typeof msg.id === "number" && Number.isSafeInteger(msg.id) ? msg.id : null;
  if (id === null) throw new ProtocolError("malformed message: `id` must be an integer");
  const fields = typeof msg.type === "string" && Object.hasOwn(FIELDS, msg.type) ? FIELDS[msg.type as ClientRequest["type"]] : undefined;
  if (!fields)
    throw new ProtocolError(`unknown message type ${JSON.stringify(msg.type)}; expected one of ${Object.keys(FIELDS).join(", ")}`, id);
  for (const [name, type] of Object.entries(fields)) {
    const v = msg[name];
    const ok = type === "object" ? v !== null && typeof v === "object" && !Array.isArray(v) : typeof v === type;
    if (!ok)
      throw new ProtocolError(
        `malformed ${String(msg.type)} message: \`${name}\` must be ${type === "object" ? "an object" : "a string"}`,
        id,
      );
  }
  for (const [name, type] of Object.entries(OPTIONAL_FIELDS[msg.type as ClientRequest["type"]] ?? {})) {
    if (msg[name] !== undefined && typeof msg[name] !== type)
      throw new ProtocolError(`malformed ${String(msg.type)} message: \`${name}\` must be a ${type}`, id);
  }
  if (msg.type === "prepare") {
    for (const [k, v] of Object.entries(msg.options as Record<string, unknown>)) {
      if (!["string", "number", "boolean"].includes(typeof v))
        throw new ProtocolError(`malformed prepare message: option '${k}' must be a string, number or boolean`, id);
    }
  }
  return msg as unknown as ClientRequest;
}

/** Base64 text to bytes; throws a {@link ProtocolError} naming `what` when it is not base64. */
export function decodeBase64(text: string, what: string, id: number): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new ProtocolError(`malformed ${what}: not base64`, id);
  return new Uint8Array(Buffer.from(text, "base64"));
}
