/**
 * A job's progress, as every runner reports it, and the reporter that shows
 * it: a live line on a terminal (rewritten in place), plain log lines
 * otherwise. The `millrace run` command turns it on (MILLRACE_PROGRESS=1).
 */

import { GLOBAL_WINDOW_MAX_TIMESTAMP, MIN_TIMESTAMP } from "../../sdk/values/time";

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
  const parts = [`${seconds}s`, `in ${p.elementsIn.toLocaleString("en-US")}`, `out ${p.elementsOut.toLocaleString("en-US")}`, `${Math.round(rate).toLocaleString("en-US")}/s`, `watermark ${formatWatermark(p.watermark)}`];
  if (p.detail) parts.push(p.detail);
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
