/**
 * `--jobEndpoint=ws://host:port`: a pipeline submitted to a job service
 * instead of run in this process. `Pipeline.run()` returns a
 * {@link RemoteJob} at once, which behaves as a local job's result does
 * (state, waitUntilFinish, cancel, metrics) while, behind it, the pipeline's
 * module is bundled, the job prepared, its code staged and the job run, and
 * the service's state, metrics and log stream back. The job's own output
 * (what its code prints) is echoed here, on the same streams.
 */
import { createHash } from "node:crypto";
import {
  PipelineExecutionError,
  emptyMetrics,
  type MetricResults,
  type PipelineResult,
  type PipelineState,
} from "../../model/pipeline_result";
import type { PipelineOrigin } from "../../sdk/user_code/user_code_source";
import { whyNotShippable } from "../user_code/rebuild_user_code";
import { bundlePipelineModule } from "./code_bundle";
import { JobServiceClient, type ServiceEvent } from "./job_client";
import { PIPELINE_BUNDLE_ARTIFACT, TERMINAL_STATES, type JobFailure, type JobState } from "./job_api_protocol";

/** What is submitted. */
export interface RemoteRunRequest {
  /** The portable pipeline. */
  readonly pipelineProto: Uint8Array;
  /** The options the job runs with (runner and its flags, the pipeline's flags). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Where the pipeline is built: its module is bundled and staged. */
  readonly origin: PipelineOrigin;
  /** The job's name. */
  readonly jobName: string;
}

/** Where to submit, and how to show what comes back. */
export interface RemoteRunSettings {
  /** `ws://host:port` (a `?token=` in it is used when `token` is absent). */
  readonly endpoint: string;
  /** The job service's token. */
  readonly token?: string;
  /** Echo the job's own stdout and stderr lines here (default true). */
  readonly echoOutput?: boolean;
  /** Also print the service's log lines (state changes) on stderr (default: when MILLRACE_PROGRESS=1). */
  readonly showServiceLog?: boolean;
}

/** A job running on a job service, seen from the submitting process. */
export class RemoteJob implements PipelineResult {
  private currentState: PipelineState = "RUNNING";
  private latestMetrics: MetricResults = emptyMetrics();
  private client: JobServiceClient | undefined;
  private cancelRequested = false;
  private readonly done: Promise<PipelineState>;
  private settle!: (s: PipelineState) => void;
  private fail!: (e: PipelineExecutionError) => void;
  /** The service's id for the job, once it runs. */
  jobId: string | undefined;

  /** Submits at once; see {@link RemoteRunSettings}. */
  constructor(
    private readonly request: RemoteRunRequest,
    private readonly settings: RemoteRunSettings,
  ) {
    this.done = new Promise<PipelineState>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    this.done.catch(() => undefined);
    this.submit().catch((e: unknown) =>
      this.end("FAILED", { message: `submitting the job to ${settings.endpoint} failed: ${e instanceof Error ? e.message : String(e)}` }),
    );
  }

  get state(): PipelineState {
    return this.currentState;
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.done;
  }

  cancel(): void {
    if (this.currentState !== "RUNNING" || this.cancelRequested) return;
    this.cancelRequested = true;
    if (this.client && this.jobId) void this.client.request({ type: "cancel", jobId: this.jobId }).catch(() => undefined);
  }

  metrics(): MetricResults {
    return structuredClone(this.latestMetrics);
  }

  private async submit(): Promise<void> {
    const { origin, pipelineProto, options, jobName } = this.request;
    const reason = whyNotShippable(origin);
    if (reason) throw new Error(`the pipeline's code cannot be shipped to the job service: ${reason}`);
    const bundle = await bundlePipelineModule(origin.module!);
    const client = await JobServiceClient.connect(this.settings.endpoint, this.settings.token);
    this.client = client;
    client.onClose((why) =>
      this.end("FAILED", { message: `${why.message}${this.jobId ? ` (job ${this.jobId} may still be running there)` : ""}` }),
    );
    if (this.cancelRequested) return this.end("CANCELLED");
    const prepared = await client.request(
      {
        type: "prepare",
        jobName,
        pipeline: Buffer.from(pipelineProto).toString("base64"),
        options: { ...options },
        ...(origin.module ? { file: origin.module } : {}),
      },
      "prepareResponse",
    );
    const bytes = Buffer.from(bundle.code, "utf8");
    await client.request(
      {
        type: "stageArtifact",
        preparationId: prepared.preparationId,
        name: PIPELINE_BUNDLE_ARTIFACT,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        data: bytes.toString("base64"),
      },
      "stageArtifactResponse",
    );
    if (this.cancelRequested) return this.end("CANCELLED");
    // The job's events may come right behind the reply to `run`, before its id is known here: held until it is.
    const early: ServiceEvent[] = [];
    client.onEvent((e) => (this.jobId === undefined ? early.push(e) : this.onEvent(e)));
    // Streamed from the job's start: none of its output can be missed.
    const { jobId } = await client.request({ type: "run", preparationId: prepared.preparationId, stream: true }, "runResponse");
    this.jobId = jobId;
    for (const e of early.splice(0)) this.onEvent(e);
    if (this.cancelRequested) await client.request({ type: "cancel", jobId }, "cancelResponse");
  }

  private onEvent(e: ServiceEvent): void {
    if (!("jobId" in e) || e.jobId !== this.jobId) return;
    switch (e.type) {
      case "metricsEvent":
        this.latestMetrics = e.metrics;
        return;
      case "messageEvent": {
        const m = e.message;
        if (m.stream && this.settings.echoOutput !== false) (m.stream === "stdout" ? process.stdout : process.stderr).write(m.text + "\n");
        else if (!m.stream && (this.settings.showServiceLog ?? process.env.MILLRACE_PROGRESS === "1"))
          process.stderr.write(`${this.request.jobName} (${this.jobId}): ${m.text}\n`);
        return;
      }
      case "stateEvent":
        if (TERMINAL_STATES.has(e.state)) this.end(e.state as "DONE" | "FAILED" | "CANCELLED", e.failure);
        return;
    }
  }

  private end(state: Extract<JobState, "DONE" | "FAILED" | "CANCELLED">, failure?: JobFailure): void {
    if (this.currentState !== "RUNNING") return;
    this.currentState = state;
    this.client?.close();
    if (state === "FAILED") {
      this.fail(
        new PipelineExecutionError(failure?.message ?? "the job failed on the job service", {
          ...(failure?.transform !== undefined ? { transform: failure.transform } : {}),
          ...(failure?.element !== undefined ? { element: failure.element } : {}),
        }),
      );
    } else this.settle(state);
  }
}
