/**
 * A millrace job on a Beam engine, behind the same {@link PipelineResult}
 * as every runner. Behind it: the pipeline's module is bundled, the
 * environment set up (`--environmentType`), the pipeline rewritten for the
 * engine, the job prepared, its code bundle staged through the reverse
 * artifact stream, run, and followed through GetStateStream and
 * GetMessageStream until it ends; metrics come from GetJobMetrics.
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PIPELINE_BUNDLE_ARTIFACT } from "../../portability/job_api/job_api_protocol";
import type { MetricResults, PipelineResult, PipelineState } from "../../model/pipeline_result";
import type { RunRequest } from "../../sdk/options/runner_registry";
import { JobHandle } from "../core/job_handle";
import { bundlePipelineModule } from "../../portability/job_api/code_bundle";
import {
  ORIGIN_OPTION,
  bundleArtifactInformation,
  harnessEnvironment,
  originOf,
  pipelineForEngine,
  type BundleArtifact,
} from "../../portability/engine/engine_pipeline";
import { stageArtifacts, type StagedArtifact } from "./artifact_staging";
import { engineFailure } from "./engine_failure";
import { environmentTypeOf, prepareEnvironment, type PreparedEnvironment } from "./harness_environment";
import { JOB_MESSAGE_ERROR, JobServiceCallError, JobServiceClient, JobState, isTerminal, jobStateName } from "./job_service_client";
import { metricResultsOf } from "./job_metrics";

/** Where and how a portable job is submitted. */
export interface PortableJobSettings {
  /** How the engine is named in messages, e.g. "Prism" or "the job service at host:port". */
  readonly engine: string;
  /** The job service's `host:port`; may start the engine first (Prism). */
  readonly jobEndpoint: () => Promise<string>;
  /** What the engine is known not to run: an error refuses the job before the engine starts. */
  readonly refuse?: (pipelineProto: Uint8Array) => Error | undefined;
  /** How long to wait for the job service to answer at all. */
  readonly connectTimeoutMs: number;
  /** Added to a failure's message: what the engine printed, when it is ours to show. */
  readonly diagnostics?: () => string;
  /**
   * How the engine process ended, if it has or does within a moment (an
   * engine we started: a broken call is often the engine dying); undefined
   * while it runs.
   */
  readonly engineExit?: () => Promise<string | undefined>;
  /** Called once when the job has ended, whatever the outcome (stops an engine we started). */
  readonly onEnd?: () => Promise<void>;
}

/** gRPC's status code for a peer that is not there (any more). */
const GRPC_UNAVAILABLE = 14;

/** How long to wait for the message stream to deliver the engine's reason once the job is FAILED. */
const FAILURE_REASON_WAIT_MS = 10_000;

/** A job running on a Beam engine. */
export class PortableJob implements PipelineResult {
  private readonly handle = new JobHandle();
  private client: JobServiceClient | undefined;
  private jobId: string | undefined;
  private latestMetrics: MetricResults | undefined;
  private metricsInFlight = false;
  /** The engine's own state, by Beam's name (STARTING, RUNNING, ...), for progress displays and tests. */
  engineState = "STOPPED";
  /** The job service's `host:port`, once known. */
  engineEndpoint: string | undefined;

  constructor(
    private readonly request: RunRequest,
    private readonly settings: PortableJobSettings,
  ) {
    setImmediate(() => void this.start());
  }

  get state(): PipelineState {
    return this.handle.state;
  }

  /** The engine's id of the job, once it runs. */
  get engineJobId(): string | undefined {
    return this.jobId;
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.handle.waitUntilFinish();
  }

  cancel(): void {
    if (this.handle.state !== "RUNNING") return;
    this.handle.cancel();
    // Before Run, start() sees the request and cancels right after; after it, ask the engine now.
    if (this.client !== undefined && this.jobId !== undefined) void this.client.cancel(this.jobId).catch(() => undefined);
  }

  metrics(): MetricResults {
    // Refreshed in the background: metrics() is synchronous, the engine is not.
    if (this.handle.state === "RUNNING") this.refreshMetrics();
    return structuredClone(this.latestMetrics ?? this.handle.metrics());
  }

  private refreshMetrics(): void {
    if (this.metricsInFlight || this.client === undefined || this.jobId === undefined) return;
    this.metricsInFlight = true;
    this.client
      .metrics(this.jobId, 10_000)
      .then((m) => (this.latestMetrics = metricResultsOf(m.committed.length > 0 ? m.committed : m.attempted)))
      .catch(() => undefined)
      .finally(() => (this.metricsInFlight = false));
  }

  private async start(): Promise<void> {
    let env: PreparedEnvironment | undefined;
    try {
      const options = this.request.options;
      const refused = this.settings.refuse?.(this.request.pipelineProto);
      if (refused) throw refused;
      const origin = originOf(this.request.pipelineProto);
      env = await prepareEnvironment(environmentTypeOf(options.environmentType), stringOption(options.environmentConfig));
      const staged: StagedArtifact[] = [];
      let bundle: BundleArtifact | undefined;
      if (origin.module !== null) {
        const code = await codeBundleOf(origin.module);
        bundle = { sha256: createHash("sha256").update(code).digest("hex") };
        staged.push({ typePayload: bundleArtifactInformation(bundle).typePayload, bytes: code, description: "the pipeline's code bundle" });
      }
      const pipeline = pipelineForEngine(this.request.pipelineProto, harnessEnvironment(env.environment, origin, bundle));
      const endpoint = await this.settings.jobEndpoint();
      this.engineEndpoint = endpoint;
      this.client = await JobServiceClient.connect(endpoint, this.settings.connectTimeoutMs);
      const jobName = stringOption(options.jobName) ?? "job";
      const prepared = await this.client.prepare(pipeline, { ...options, [ORIGIN_OPTION]: JSON.stringify(origin) }, jobName);
      if (staged.length > 0) {
        await stageArtifacts(
          prepared.artifactStagingEndpoint || endpoint,
          prepared.stagingSessionToken,
          staged,
          this.settings.connectTimeoutMs,
        );
      }
      if (this.handle.isCancelRequested) {
        this.handle.finish();
        return;
      }
      this.jobId = await this.client.run(prepared.preparationId, prepared.stagingSessionToken);
      if (this.handle.isCancelRequested) await this.client.cancel(this.jobId);
      await this.follow(this.client, this.jobId);
    } catch (e) {
      const extra = this.settings.diagnostics?.() ?? "";
      // A call the engine answered with a reason (e.g. Prepare refused) is not a dead engine.
      const answered = e instanceof JobServiceCallError && (e.cause as { code?: number } | undefined)?.code !== GRPC_UNAVAILABLE;
      const exit = answered ? undefined : await this.settings.engineExit?.();
      // An engine that died explains the broken call better than the call's own error.
      const error = exit === undefined ? e : new Error(`${this.settings.engine} ${exit} while running the job`, { cause: e });
      this.handle.failWith(error, extra === "" ? "" : `${this.settings.engine} said:\n${extra}`);
    } finally {
      this.client?.close();
      // The engine this job started is stopped alongside the worker pool, not after it: a pool
      // closing waits for its harnesses, whose streams the engine may hold open (seen with Prism
      // after a failed job: the pool never closed and Prism was never stopped).
      await Promise.all([env?.close().catch(() => undefined), this.settings.onEnd?.().catch(() => undefined)]);
    }
  }

  /** Follows the job to its end and settles the handle accordingly. */
  private async follow(client: JobServiceClient, jobId: string): Promise<void> {
    const errors: string[] = [];
    const messages: string[] = [];
    const messagesEnded = (async () => {
      for await (const m of client.messageStream(jobId)) {
        if (m.messageResponse) {
          messages.push(m.messageResponse.messageText);
          if (m.messageResponse.importance >= JOB_MESSAGE_ERROR) errors.push(m.messageResponse.messageText);
        }
      }
    })().catch(() => undefined);

    let terminal: number | undefined;
    try {
      for await (const ev of client.stateStream(jobId)) {
        this.engineState = jobStateName(ev.state);
        if (isTerminal(ev.state)) {
          terminal = ev.state;
          break;
        }
      }
    } catch {
      // The stream broke (engine gone?): ask once more below.
    }
    terminal ??= await client.state(jobId);
    this.engineState = jobStateName(terminal);

    switch (terminal) {
      case JobState.DONE:
      case JobState.DRAINED:
      case JobState.UPDATED:
        await this.finalMetrics(client, jobId);
        this.handle.finish();
        return;
      case JobState.CANCELLED:
        this.handle.cancel();
        this.handle.finish();
        return;
      case JobState.FAILED: {
        await Promise.race([messagesEnded, new Promise((r) => setTimeout(r, FAILURE_REASON_WAIT_MS).unref())]);
        this.handle.failWith(engineFailure(this.settings.engine, errors.length > 0 ? errors : messages.slice(-5)));
        return;
      }
      default:
        throw new Error(`the job on ${this.settings.engine} ended in state ${jobStateName(terminal)}`);
    }
  }

  private async finalMetrics(client: JobServiceClient, jobId: string): Promise<void> {
    try {
      const m = await client.metrics(jobId, 10_000);
      this.latestMetrics = metricResultsOf(m.committed.length > 0 ? m.committed : m.attempted);
    } catch {
      // A finished job whose metrics cannot be fetched is still finished.
    }
  }
}

/**
 * The code bundle of the pipeline's module. A module that is already a
 * staged bundle (the pipeline runs inside millrace's job service) is sent as
 * it is: bundling a bundle would declare its prelude twice.
 */
async function codeBundleOf(module: string): Promise<Buffer> {
  const file = module.startsWith("file:") ? fileURLToPath(module) : module;
  if (path.basename(file) === PIPELINE_BUNDLE_ARTIFACT) return fs.promises.readFile(file);
  return Buffer.from((await bundlePipelineModule(module)).code, "utf8");
}

function stringOption(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Starts `request` on a Beam engine. */
export function runPortableJob(request: RunRequest, settings: PortableJobSettings): PortableJob {
  return new PortableJob(request, settings);
}
