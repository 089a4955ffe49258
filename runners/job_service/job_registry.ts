/**
 * The job service's books: every job it was given, its state, its log, its
 * latest metrics and progress. Whoever watches (a client's message stream,
 * the dashboard) subscribes to its events; the registry knows nothing of
 * connections or processes.
 */
import { EventEmitter } from "node:events";
import { newTimeOrderedId } from "../core/ids";
import {
  TERMINAL_STATES,
  type JobFailure,
  type JobInfo,
  type JobMessage,
  type JobState,
  type MessageImportance,
  type MetricsSnapshot,
  type PipelineGraph,
  type ProgressSnapshot,
} from "../../portability/job_api/job_api_protocol";

/** How many log lines a job keeps (the oldest are dropped). */
export const MAX_MESSAGES_PER_JOB = 1000;

/** How many finished jobs the registry keeps (the oldest are forgotten). */
export const MAX_FINISHED_JOBS = 200;

/** One job's record. */
export interface JobRecord {
  /** The service's id. */
  readonly jobId: string;
  /** As submitted. */
  readonly jobName: string;
  /** The pipeline's source file, when the client said. */
  readonly file?: string;
  /** The runner it runs on. */
  readonly runner: string;
  /** The plan, for the dashboard. */
  readonly graph: PipelineGraph;
  /** When it was submitted. */
  readonly submittedAt: number;
  /** Its state. */
  state: JobState;
  /** When it last changed state. */
  stateAt: number;
  /** When it ended. */
  endedAt?: number;
  /** Why it failed. */
  failure?: JobFailure;
  /** Its latest log lines. */
  readonly messages: JobMessage[];
  /** The id of the next log line. */
  nextMessageId: number;
  /** Committed metrics so far. */
  metrics: MetricsSnapshot;
  /** The latest progress report. */
  progress?: ProgressSnapshot;
}

/** The registry's events, each with the job's record. */
export interface JobRegistryEvents {
  /** A job was added or changed state. */
  state: [JobRecord];
  /** A job logged a line. */
  message: [JobRecord, JobMessage];
  /** New metrics. */
  metrics: [JobRecord];
  /** New progress. */
  progress: [JobRecord];
}

/** Jobs by id. */
export class JobRegistry extends EventEmitter<JobRegistryEvents> {
  private readonly jobs = new Map<string, JobRecord>();

  /** Adds a job in state STARTING and returns its record. */
  add(jobName: string, runner: string, graph: PipelineGraph, file?: string): JobRecord {
    const now = Date.now();
    const jobId = newTimeOrderedId();
    const job: JobRecord = {
      jobId,
      jobName,
      ...(file !== undefined ? { file } : {}),
      runner,
      graph,
      submittedAt: now,
      state: "STARTING",
      stateAt: now,
      messages: [],
      nextMessageId: 1,
      metrics: { counters: {}, distributions: {}, gauges: {} },
    };
    this.jobs.set(jobId, job);
    this.forgetOldJobs();
    this.emit("state", job);
    return job;
  }

  /** The job with that id, or undefined. */
  get(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  /** Every job, oldest first. */
  all(): JobRecord[] {
    return [...this.jobs.values()];
  }

  /** Moves a job to `state`; a terminal state is final (later changes are ignored). */
  setState(job: JobRecord, state: JobState, failure?: JobFailure): void {
    if (TERMINAL_STATES.has(job.state) || job.state === state) return;
    job.state = state;
    job.stateAt = Date.now();
    if (TERMINAL_STATES.has(state)) job.endedAt = job.stateAt;
    if (failure) job.failure = failure;
    this.log(
      job,
      state === "FAILED" ? "ERROR" : "BASIC",
      `job ${state.toLowerCase()}${failure ? `: ${failure.message.split("\n")[0]}` : ""}`,
    );
    this.emit("state", job);
  }

  /** Appends a log line to a job. */
  log(job: JobRecord, importance: MessageImportance, text: string, stream?: "stdout" | "stderr"): void {
    const message: JobMessage = { messageId: job.nextMessageId++, time: Date.now(), importance, text, ...(stream ? { stream } : {}) };
    job.messages.push(message);
    if (job.messages.length > MAX_MESSAGES_PER_JOB) job.messages.shift();
    this.emit("message", job, message);
  }

  /** Records the job's latest committed metrics. */
  setMetrics(job: JobRecord, metrics: MetricsSnapshot): void {
    job.metrics = metrics;
    this.emit("metrics", job);
  }

  /** Records the job's latest progress. */
  setProgress(job: JobRecord, progress: ProgressSnapshot): void {
    job.progress = progress;
    this.emit("progress", job);
  }

  /** A job as clients see it. */
  static info(job: JobRecord): JobInfo {
    return {
      jobId: job.jobId,
      jobName: job.jobName,
      ...(job.file !== undefined ? { file: job.file } : {}),
      runner: job.runner,
      state: job.state,
      submittedAt: job.submittedAt,
      ...(job.endedAt !== undefined ? { endedAt: job.endedAt } : {}),
      ...(job.failure ? { failure: job.failure } : {}),
      ...(job.progress ? { progress: job.progress } : {}),
    };
  }

  private forgetOldJobs(): void {
    const finished = this.all().filter((j) => TERMINAL_STATES.has(j.state));
    for (const j of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS))) this.jobs.delete(j.jobId);
  }
}
