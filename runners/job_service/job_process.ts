/**
 * The service's side of a job's process (cli/job_process_main.ts): starts it,
 * turns its reports into the registry's state, progress, metrics and log
 * lines (its stdout and stderr become log lines), asks it to cancel, and
 * fails the job when the process dies without reporting an end.
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { CheckpointSummary, BatchSummary } from "../core/progress";
import { GLOBAL_WINDOW_MAX_TIMESTAMP, MIN_TIMESTAMP } from "../../model/time";
import type { JobFailure, MetricsSnapshot, ProgressSnapshot, StageProgress } from "../../portability/job_api/job_api_protocol";
import type { JobRecord, JobRegistry } from "./job_registry";
import { readBoundedLines, type OutputLimits } from "./bounded_lines";
import { jobEnvironment } from "./job_environment";

/** A runner's progress as the job's process reports it. */
export interface RawProgress {
  /** See `JobProgress`. */
  readonly elementsIn: number;
  /** See `JobProgress`. */
  readonly elementsOut: number;
  /** See `JobProgress`. */
  readonly watermark: number;
  /** See `JobProgress`. */
  readonly detail: string;
  /** Plan node id, elements in, elements out. */
  readonly stages: readonly (readonly [string, number, number])[];
  /** See `JobProgress`. */
  readonly checkpointsCompleted: number;
  /** See `JobProgress`. */
  readonly recentCheckpoints: readonly CheckpointSummary[];
  /** See `JobProgress`. */
  readonly batchesCompleted: number;
  /** See `JobProgress`. */
  readonly recentBatches: readonly BatchSummary[];
}

/** What the service tells a job's process. */
export type JobProcessRequest =
  | {
      readonly type: "start";
      readonly runner: string;
      readonly pipelineProto: Uint8Array;
      readonly options: Readonly<Record<string, string | number | boolean>>;
      readonly bundlePath: string | null;
    }
  | { readonly type: "cancel" };

/** What a job's process reports. */
export type JobProcessReport =
  | { readonly type: "running" }
  | { readonly type: "progress"; readonly metrics: MetricsSnapshot; readonly progress?: RawProgress }
  | {
      readonly type: "done";
      readonly state: "DONE" | "FAILED" | "CANCELLED";
      readonly metrics: MetricsSnapshot;
      readonly progress?: RawProgress;
      readonly failure?: JobFailure;
    };

/** How long a cancelled job may take to stop before its process is killed, ms. */
export const CANCEL_GRACE_MS = 10_000;

/** A running job's process. */
export interface JobProcess {
  /** Asks the job to stop; kills its process if it has not stopped after {@link CANCEL_GRACE_MS}. */
  cancel(): void;
  /** Kills the process at once (the service is shutting down). */
  kill(): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

function watermarkOf(wm: number): ProgressSnapshot["watermark"] {
  if (!(wm > MIN_TIMESTAMP)) return null;
  if (wm >= GLOBAL_WINDOW_MAX_TIMESTAMP) return "+inf";
  return wm;
}

/** A progress snapshot, with rates measured against the previous one. */
export function snapshotOf(raw: RawProgress, previous: ProgressSnapshot | undefined, now = Date.now()): ProgressSnapshot {
  const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : 0;
  const rate = (count: number, before: number | undefined): number =>
    seconds > 0 && before !== undefined ? Math.max(0, (count - before) / seconds) : 0;
  const stages: Record<string, StageProgress> = {};
  for (const [id, elementsIn, elementsOut] of raw.stages) {
    const before = previous?.stages[id];
    stages[id] = {
      elementsIn,
      elementsOut,
      inRate: rate(elementsIn, before?.elementsIn ?? 0),
      outRate: rate(elementsOut, before?.elementsOut ?? 0),
    };
  }
  return {
    at: now,
    elementsIn: raw.elementsIn,
    elementsOut: raw.elementsOut,
    inRate: rate(raw.elementsIn, previous?.elementsIn),
    watermark: watermarkOf(raw.watermark),
    detail: raw.detail,
    stages,
    checkpointsCompleted: raw.checkpointsCompleted,
    recentCheckpoints: raw.recentCheckpoints,
    batchesCompleted: raw.batchesCompleted,
    recentBatches: raw.recentBatches,
  };
}

/** How the service starts jobs' processes. */
export interface JobProcessSettings {
  /** Limits on what is read of a job's stdout and stderr. */
  readonly outputLimits?: OutputLimits;
  /** Names of the service's environment variables a job sees (see job_environment.ts). */
  readonly jobEnv?: readonly string[];
  /** The preload that makes worker threads' output synchronous (see worker_stdio.ts). */
  readonly workerStdioPreload?: string;
}

function spawnJobProcess(settings: JobProcessSettings): ChildProcess {
  const fromSource = path.extname(__filename) === ".ts";
  // The entry point is on the top floor (cli/): a job's process may run any runner, so it loads them all.
  const entry = path.join(__dirname, "..", "..", "cli", `job_process_main${fromSource ? ".ts" : ".js"}`);
  return fork(entry, [], {
    // Stack traces of the user's code point at their files, through the bundle's source map.
    execArgv: [
      ...(settings.workerStdioPreload ? ["--require", settings.workerStdioPreload] : []),
      ...(fromSource ? ["--import", require.resolve("tsx")] : []),
      "--enable-source-maps",
    ],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
    env: { ...jobEnvironment(process.env, settings.jobEnv), MILLRACE_PROGRESS: "0" },
    // A process group of its own, so that the service can end the job with everything it started.
    detached: true,
  });
}

/** Starts `job` in a process of its own. */
export function startJobProcess(
  registry: JobRegistry,
  job: JobRecord,
  start: Extract<JobProcessRequest, { type: "start" }>,
  settings: JobProcessSettings = {},
): JobProcess {
  const child = spawnJobProcess(settings);
  const lastErrors: string[] = [];
  let reportedEnd = false;
  let killTimer: NodeJS.Timeout | undefined;
  const outputClosed = (
    [
      [child.stdout!, "stdout"],
      [child.stderr!, "stderr"],
    ] as const
  ).map(([stream, name]) =>
    readBoundedLines(
      stream,
      (line) => {
        if (name === "stderr") {
          lastErrors.push(line);
          if (lastErrors.length > 20) lastErrors.shift();
        }
        registry.log(job, name === "stderr" ? "WARNING" : "BASIC", line, name);
      },
      settings.outputLimits,
    ),
  );
  child.on("message", (report: JobProcessReport) => {
    try {
      onReport(report);
    } catch (e) {
      // A report the service cannot take fails that job, never the service.
      registry.setState(job, "FAILED", {
        message: `the job's process sent a report the service could not read: ${e instanceof Error ? e.message : String(e)}`,
      });
      killGroup();
    }
  });
  const onReport = (report: JobProcessReport): void => {
    if (report.type === "running") {
      registry.setState(job, "RUNNING");
      return;
    }
    if (report.progress) registry.setProgress(job, snapshotOf(report.progress, job.progress));
    registry.setMetrics(job, report.metrics);
    if (report.type === "done") {
      reportedEnd = true;
      // What the job printed last comes before its end, for whoever streams its log.
      const settle = setTimeout(() => registry.setState(job, report.state, report.failure), 5000);
      void Promise.all(outputClosed).then(() => {
        clearTimeout(settle);
        registry.setState(job, report.state, report.failure);
      });
    }
  };
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(killTimer);
      if (!reportedEnd) {
        if (job.state === "CANCELLING") registry.setState(job, "CANCELLED");
        else {
          const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const tail = lastErrors.length > 0 ? `; its last error output:\n${lastErrors.join("\n")}` : "";
          registry.setState(job, "FAILED", { message: `the job's process ${why} before the job ended${tail}` });
        }
      }
      resolve();
    });
  });
  child.on("error", (e) => registry.log(job, "ERROR", `the job's process: ${e.message}`));
  /** The job's process leads a process group of its own: killing the group ends whatever it started too. */
  function killGroup(): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }
  child.send(start);
  return {
    cancel() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      registry.setState(job, "CANCELLING");
      if (child.connected) child.send({ type: "cancel" } satisfies JobProcessRequest);
      killTimer ??= setTimeout(killGroup, CANCEL_GRACE_MS);
    },
    kill: killGroup,
    exited,
  };
}
