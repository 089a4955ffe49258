/**
 * The process one job runs in, started by the job service (see
 * job_process.ts). It loads the staged bundle of the user's pipeline module,
 * rebuilds the pipeline's user code from it, runs the portable pipeline on
 * the chosen runner, and reports state, progress and metrics to the service
 * over IPC. A job of its own process cannot take the service or other jobs
 * down, whatever its code does.
 */
import "../index";
import { Worker } from "node:worker_threads";
import { findRunner } from "../sdk/options/runner_registry";
import type { PipelineResult } from "../model/pipeline_result";
import { PipelineExecutionError } from "../model/pipeline_result";
import { decodeMessage, encodeMessage } from "../portability/proto/messages";
import { SDK_ENVIRONMENT_ID } from "../portability/to_proto";
import { decodeJsonPayload, encodeJsonPayload, type EnvironmentPayload } from "../portability/payloads";
import { rebuildUserCode, whyNotShippable } from "../portability/user_code/rebuild_user_code";
import type { JobProgress } from "../runners/core/progress";
import type { JobProcessReport, JobProcessRequest, RawProgress } from "../runners/job_service/job_process";
import type { JobFailure, MetricsSnapshot } from "../portability/job_api/job_api_protocol";

/** How often progress and metrics go to the service, ms. */
const REPORT_INTERVAL_MS = 500;

/** How long a finished job's process may linger (a handle its code left open) before it is ended, ms. */
const EXIT_GRACE_MS = 3000;

let result: PipelineResult | undefined;
let cancelRequested = false;
let finished = false;

function send(report: JobProcessReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(report, undefined, {}, () => resolve());
  });
}

function rawProgress(r: PipelineResult | undefined): RawProgress | undefined {
  const p = (r as { progress?: JobProgress } | undefined)?.progress;
  if (!p) return undefined;
  return {
    elementsIn: p.elementsIn,
    elementsOut: p.elementsOut,
    watermark: p.watermark,
    detail: p.detail,
    stages: [...p.stages].map(([id, c]) => [id, c.elementsIn, c.elementsOut] as const),
    checkpointsCompleted: p.checkpointsCompleted,
    recentCheckpoints: [...p.recentCheckpoints],
    batchesCompleted: p.batchesCompleted,
    recentBatches: [...p.recentBatches],
  };
}

function metricsOf(r: PipelineResult | undefined): MetricsSnapshot {
  return r ? r.metrics() : { counters: {}, distributions: {}, gauges: {} };
}

function failureOf(e: unknown): JobFailure {
  if (e instanceof PipelineExecutionError) {
    return {
      message: e.message,
      ...(e.transform !== undefined ? { transform: e.transform } : {}),
      ...(e.element !== undefined ? { element: e.element } : {}),
    };
  }
  return { message: e instanceof Error ? e.message : String(e) };
}

async function finish(state: "DONE" | "FAILED" | "CANCELLED", failure?: JobFailure): Promise<void> {
  if (finished) return;
  finished = true;
  const progress = rawProgress(result);
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  await send({ type: "done", state, metrics: metricsOf(result), ...(progress ? { progress } : {}), ...(failure ? { failure } : {}) });
  // Not process.exit(): what worker threads printed travels to this thread as messages, and an exit
  // drops those still on their way (a job's last 15,000 lines were lost so). The process ends by
  // itself once its threads are gone and their output is written; the service reports the end after
  // the last line, when the output pipes close. Should a handle left open hold it, it is ended anyway.
  process.removeAllListeners("message");
  process.channel?.unref();
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
}

/** Resolves once whatever was written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write("", () => resolve());
  });
}

/**
 * Ends this process (and its process group) when the service that started it
 * is gone, even while user code holds the event loop: IPC's "disconnect"
 * needs a free loop, a busy job would never see it and run on re-parented.
 * The check runs on a thread of its own for that reason.
 */
function exitWhenOrphaned(): void {
  const watchdog = new Worker(
    `const { workerData } = require("node:worker_threads");
     setInterval(() => {
       if (process.ppid === workerData.ppid) return;
       try { process.kill(-workerData.pid, "SIGKILL"); } catch { process.kill(workerData.pid, "SIGKILL"); }
     }, 250);`,
    { eval: true, workerData: { ppid: process.ppid, pid: process.pid }, stdout: true, stderr: true },
  );
  watchdog.unref();
}
exitWhenOrphaned();

/** The proto with its origin pointing at the staged bundle, so that executors elsewhere load the bundle too. */
function withStagedOrigin(pipelineProto: Uint8Array, bundlePath: string | null): { proto: Uint8Array; origin: EnvironmentPayload } {
  const message = decodeMessage("Pipeline", pipelineProto);
  const env = message.components?.environments[SDK_ENVIRONMENT_ID];
  if (!env) throw new Error(`the pipeline has no '${SDK_ENVIRONMENT_ID}' environment: it was not built by millrace`);
  const origin = decodeJsonPayload<EnvironmentPayload>(env.payload, "environment");
  const reason = whyNotShippable(origin);
  if (reason) throw new Error(`the pipeline's code cannot be shipped to the job service: ${reason}`);
  if (bundlePath === null) throw new Error("the pipeline's code was not staged");
  const staged: EnvironmentPayload = { ...origin, module: bundlePath };
  env.payload = encodeJsonPayload(staged);
  return { proto: encodeMessage("Pipeline", message), origin: staged };
}

async function start(request: Extract<JobProcessRequest, { type: "start" }>): Promise<void> {
  const runner = findRunner(request.runner);
  if (!runner) throw new Error(`unknown runner '${request.runner}'`);
  const { proto, origin } = withStagedOrigin(request.pipelineProto, request.bundlePath);
  const userCode = await rebuildUserCode(origin);
  if (cancelRequested) return finish("CANCELLED");
  result = runner.run({ pipelineProto: proto, options: request.options, userCode });
  await send({ type: "running" });
  const timer = setInterval(() => {
    const progress = rawProgress(result);
    void send({ type: "progress", metrics: metricsOf(result), ...(progress ? { progress } : {}) });
  }, REPORT_INTERVAL_MS);
  try {
    const state = await result.waitUntilFinish();
    clearInterval(timer);
    await finish(state === "CANCELLED" ? "CANCELLED" : "DONE");
  } catch (e) {
    clearInterval(timer);
    await finish("FAILED", failureOf(e));
  }
}

process.on("message", (message: JobProcessRequest) => {
  if (message.type === "start") {
    start(message).catch((e: unknown) => finish("FAILED", failureOf(e)));
  } else if (message.type === "cancel") {
    cancelRequested = true;
    result?.cancel();
  }
});
process.on(
  "uncaughtException",
  (e) =>
    void finish("FAILED", { message: `uncaught error in the job's process: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` }),
);
process.on(
  "unhandledRejection",
  (e) =>
    void finish("FAILED", {
      message: `unhandled rejection in the job's process: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    }),
);
// The service went away: nobody is left to report to.
process.on("disconnect", () => {
  if (!finished) {
    result?.cancel();
    process.exit(1);
  }
});
