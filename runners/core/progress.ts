/**
 * A job's progress, as every runner reports it, and the reporter that shows
 * it: a live line on a terminal (rewritten in place), plain log lines
 * otherwise. The `millrace run` command turns it on (MILLRACE_PROGRESS=1).
 */

import { GLOBAL_WINDOW_MAX_TIMESTAMP, MIN_TIMESTAMP } from "../../model/time";

export type { BatchSummary, CheckpointSummary } from "../../model/progress_summaries";
import type { BatchSummary, CheckpointSummary } from "../../model/progress_summaries";

/** Element counts of one fused stage (or shuffle node) of the plan. */
export interface StageCounts {
  elementsIn: number;
  elementsOut: number;
}

/** How many recent checkpoints or batches a {@link JobProgress} keeps. */
export const RECENT_HISTORY = 50;

/** What a runner keeps up to date while a job runs. */
export class JobProgress {
  /** Elements read by the job's stages (from sources and from other stages). */
  elementsIn = 0;
  /** Elements that reached the end of the pipeline (outputs nothing consumes). */
  elementsOut = 0;
  /** The lowest output watermark among the job's steps, ms (-Infinity before any). */
  watermark = -Infinity;
  /** The runner's own view: e.g. "stage 3/7, 12 tasks done". */
  detail = "";
  /** Per plan node (a fused stage's id, or a shuffle node's transform id): elements in and out, for runners that count them. */
  readonly stages = new Map<string, StageCounts>();
  /** Completed checkpoints so far (stream runner). */
  checkpointsCompleted = 0;
  /** The most recent completed checkpoints, oldest first, at most {@link RECENT_HISTORY}. */
  readonly recentCheckpoints: CheckpointSummary[] = [];
  /** Committed micro-batches so far (micro-batch runner, unbounded input). */
  batchesCompleted = 0;
  /** The most recent committed batches, oldest first, at most {@link RECENT_HISTORY}. */
  readonly recentBatches: BatchSummary[] = [];

  /** The counts of a plan node, created at zero on first use. */
  stage(id: string): StageCounts {
    let c = this.stages.get(id);
    if (!c) this.stages.set(id, (c = { elementsIn: 0, elementsOut: 0 }));
    return c;
  }

  /** Records a completed checkpoint. */
  addCheckpoint(c: CheckpointSummary): void {
    this.checkpointsCompleted++;
    this.recentCheckpoints.push(c);
    if (this.recentCheckpoints.length > RECENT_HISTORY) this.recentCheckpoints.shift();
  }

  /** Records a committed batch. */
  addBatch(b: BatchSummary): void {
    this.batchesCompleted++;
    this.recentBatches.push(b);
    if (this.recentBatches.length > RECENT_HISTORY) this.recentBatches.shift();
  }

  /** "checkpoint 12 (340 ms, 1.2 MB)" or "batch 31 (2,000 rows, 45 ms)": the last one, for the progress line; "" when none. */
  lastCheckpointOrBatch(): string {
    const c = this.recentCheckpoints.at(-1);
    const b = this.recentBatches.at(-1);
    if (c && (!b || c.completedAt >= b.completedAt))
      return `checkpoint ${c.id} (${Math.round(c.durationMs)} ms, ${formatBytes(c.sizeBytes)})`;
    if (b) return `batch ${b.id} (${b.inputRows.toLocaleString("en-US")} rows, ${Math.round(b.processingMs)} ms)`;
    return "";
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Shows a job's progress until `stop()`. */
export interface ProgressReporter {
  stop(finalState: string): void;
}

function formatWatermark(wm: number): string {
  if (wm <= MIN_TIMESTAMP) return "-inf";
  if (wm >= GLOBAL_WINDOW_MAX_TIMESTAMP) return "+inf";
  const d = new Date(wm);
  return Number.isNaN(d.getTime()) ? String(wm) : d.toISOString().replace(".000Z", "Z");
}

function formatLine(p: JobProgress, elapsedMs: number, rate: number): string {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const parts = [
    `${seconds}s`,
    `in ${p.elementsIn.toLocaleString("en-US")}`,
    `out ${p.elementsOut.toLocaleString("en-US")}`,
    `${Math.round(rate).toLocaleString("en-US")}/s`,
    `watermark ${formatWatermark(p.watermark)}`,
  ];
  if (p.detail) parts.push(p.detail);
  const last = p.lastCheckpointOrBatch();
  if (last) parts.push(`last ${last}`);
  return parts.join("  ");
}

/**
 * Starts reporting `progress` to `out` (stderr) when MILLRACE_PROGRESS=1:
 * a line rewritten twice a second on a terminal, a log line every few
 * seconds otherwise, and a summary line at the end. Returns a reporter that
 * does nothing when reporting is off.
 */
export function startProgressReporter(
  jobName: string,
  progress: JobProgress,
  out: NodeJS.WriteStream = process.stderr,
  enabled = process.env.MILLRACE_PROGRESS === "1",
): ProgressReporter {
  if (!enabled) return { stop: () => undefined };
  const started = Date.now();
  let lastIn = 0;
  let lastAt = started;
  const tty = out.isTTY === true;
  const tick = (): void => {
    const now = Date.now();
    const rate = ((progress.elementsIn - lastIn) * 1000) / Math.max(1, now - lastAt);
    lastIn = progress.elementsIn;
    lastAt = now;
    const line = `${jobName}: ${formatLine(progress, now - started, rate)}`;
    out.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  const timer = setInterval(tick, tty ? 500 : 5000);
  timer.unref();
  return {
    stop(finalState: string) {
      clearInterval(timer);
      const elapsed = Date.now() - started;
      const rate = (progress.elementsIn * 1000) / Math.max(1, elapsed);
      out.write(`${tty ? "\r\x1b[K" : ""}${jobName}: ${finalState.toLowerCase()}  ${formatLine(progress, elapsed, rate)}\n`);
    },
  };
}
