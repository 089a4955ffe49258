/**
 * A client of a Beam job service (Beam's Job API over gRPC): Prism, Flink's
 * or Spark's job server, or any other. Thin typed calls; what they mean for a
 * millrace job is in `portable_job.ts`.
 *
 * @module
 */
import type * as grpc from "@grpc/grpc-js";
import {
  BeamServices,
  beamServiceDefinition,
  createClient,
  serverStreamCall,
  unaryCall,
  waitForReady,
  type GenericClient,
  type GrpcMessage,
} from "../../portability/grpc";
import { optionsStruct } from "./pipeline_options_struct";

/** Beam's `JobState.Enum`, by name. */
export const JobState = {
  UNSPECIFIED: 0,
  STOPPED: 1,
  RUNNING: 2,
  DONE: 3,
  FAILED: 4,
  CANCELLED: 5,
  UPDATED: 6,
  DRAINING: 7,
  DRAINED: 8,
  STARTING: 9,
  CANCELLING: 10,
  UPDATING: 11,
} as const;

/** The name of a `JobState.Enum` value, for messages. */
export function jobStateName(state: number): string {
  return Object.entries(JobState).find(([, v]) => v === state)?.[0] ?? `state ${state}`;
}

/** True for the states a job never leaves. */
export function isTerminal(state: number): boolean {
  return (
    state === JobState.DONE ||
    state === JobState.FAILED ||
    state === JobState.CANCELLED ||
    state === JobState.UPDATED ||
    state === JobState.DRAINED
  );
}

/** Beam's `JobMessage.MessageImportance` value of an error. */
export const JOB_MESSAGE_ERROR = 5;

/** What Prepare answers. */
export interface PreparedJob {
  readonly preparationId: string;
  /** Where to stage artifacts; empty when the service stages on its own endpoint. */
  readonly artifactStagingEndpoint: string;
  readonly stagingSessionToken: string;
}

/** One event of GetStateStream. */
export interface JobStateEvent extends GrpcMessage {
  readonly state: number;
}

/** One event of GetMessageStream: a log message or a state change. */
export interface JobMessagesResponse extends GrpcMessage {
  readonly response?: "messageResponse" | "stateResponse";
  readonly messageResponse?: { messageId: string; time: string; importance: number; messageText: string };
  readonly stateResponse?: { state: number };
}

/** A MonitoringInfo as GetJobMetrics returns it. */
export interface MonitoringInfo {
  readonly urn: string;
  readonly type: string;
  readonly payload: Uint8Array;
  readonly labels: Record<string, string>;
}

/** A job service could not be reached or refused a call. */
export class JobServiceCallError extends Error {
  /** Always `"JobServiceCallError"`. */
  override readonly name = "JobServiceCallError";
}

/** Appends a length-delimited field `fieldNumber` holding `bytes` (protobuf wire type 2) to `out`. */
function lengthDelimitedField(fieldNumber: number, bytes: Uint8Array): Buffer {
  const head: number[] = [(fieldNumber << 3) | 2];
  let n = bytes.length;
  while (n > 0x7f) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  return Buffer.concat([Buffer.from(head), bytes]);
}

/** A connection to one job service. */
export class JobServiceClient {
  private constructor(
    private readonly client: GenericClient,
    /** The `host:port` connected to. */
    readonly endpoint: string,
  ) {}

  /**
   * Connects to the job service at `endpoint` (`host:port`), failing after
   * `timeoutMs` with an error that names the endpoint.
   */
  static async connect(endpoint: string, timeoutMs: number): Promise<JobServiceClient> {
    if (!/^[^\s/]+:\d+$/.test(endpoint)) {
      throw new JobServiceCallError(`--jobEndpoint must be host:port of a Beam job service (e.g. localhost:8099), not '${endpoint}'`);
    }
    const client = createClient(beamServiceDefinition(BeamServices.JobService), "JobService", endpoint);
    try {
      await waitForReady(client, `Beam job service at ${endpoint}`, timeoutMs);
    } catch (e) {
      client.close();
      throw new JobServiceCallError((e as Error).message, { cause: e });
    }
    return new JobServiceClient(client, endpoint);
  }

  private async call<T>(method: string, request: GrpcMessage | Uint8Array, timeoutMs?: number): Promise<T> {
    try {
      return await unaryCall<T & GrpcMessage>(this.client, method, request, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (e) {
      const details = (e as grpc.ServiceError).details ?? (e as Error).message;
      throw new JobServiceCallError(`the job service at ${this.endpoint} refused ${method}: ${details}`, { cause: e });
    }
  }

  /**
   * Prepares a job. The pipeline's bytes are sent exactly as given (spliced
   * into the request as its field 1), not decoded and re-encoded.
   */
  async prepare(pipelineProto: Uint8Array, options: Readonly<Record<string, unknown>>, jobName: string): Promise<PreparedJob> {
    const def = beamServiceDefinition(BeamServices.JobService).Prepare!;
    const rest = def.requestSerialize({ pipelineOptions: optionsStruct(options), jobName });
    const request = Buffer.concat([lengthDelimitedField(1, pipelineProto), rest]);
    const res = await this.call<{ preparationId: string; artifactStagingEndpoint: { url: string } | null; stagingSessionToken: string }>(
      "Prepare",
      request,
    );
    return {
      preparationId: res.preparationId,
      artifactStagingEndpoint: res.artifactStagingEndpoint?.url ?? "",
      stagingSessionToken: res.stagingSessionToken,
    };
  }

  /** Runs a prepared job; resolves with its id. */
  async run(preparationId: string, retrievalToken: string): Promise<string> {
    const res = await this.call<{ jobId: string }>("Run", { preparationId, retrievalToken });
    return res.jobId;
  }

  /** Asks the service to cancel the job; resolves with the state it answers. */
  async cancel(jobId: string): Promise<number> {
    return (await this.call<{ state: number }>("Cancel", { jobId })).state;
  }

  /** The job's current state. */
  async state(jobId: string): Promise<number> {
    return (await this.call<{ state: number }>("GetState", { jobId })).state;
  }

  /** The job's state now, then every change (GetStateStream). */
  stateStream(jobId: string): grpc.ClientReadableStream<JobStateEvent> {
    return serverStreamCall<JobStateEvent>(this.client, "GetStateStream", { jobId });
  }

  /** The job's log messages and state changes (GetMessageStream). */
  messageStream(jobId: string): grpc.ClientReadableStream<JobMessagesResponse> {
    return serverStreamCall<JobMessagesResponse>(this.client, "GetMessageStream", { jobId });
  }

  /** The job's metrics (GetJobMetrics): attempted and committed MonitoringInfos. */
  async metrics(jobId: string, timeoutMs?: number): Promise<{ attempted: MonitoringInfo[]; committed: MonitoringInfo[] }> {
    const res = await this.call<{ metrics: { attempted: MonitoringInfo[]; committed: MonitoringInfo[] } | null }>(
      "GetJobMetrics",
      { jobId },
      timeoutMs,
    );
    return { attempted: res.metrics?.attempted ?? [], committed: res.metrics?.committed ?? [] };
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }
}
