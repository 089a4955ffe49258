/**
 * One measured run in a fresh process. The child is started under bash,
 * whose `times` builtin then prints the CPU time of the children it waited
 * for: the process's user + system time, all threads, JVM start or Node
 * start included, measured the same way for millrace and the peers (no tool
 * beyond bash needed).
 */
import { spawn } from "node:child_process";
import * as os from "node:os";
import { parseResultLines, type ReportedRun } from "./result_line";

/** What a run reported and what was measured around it. */
export interface MeasuredProcess extends ReportedRun {
  /** Wall time of the whole process, start to exit. */
  readonly processMs: number;
  /** CPU time of the whole process (user + system, all threads). */
  readonly processCpuMs: number;
  /** The 1-minute load average when the run started. */
  readonly loadAtStart: number;
}

/** Process groups of runs in progress, ended if this process is interrupted (they run detached). */
const running = new Set<number>();

/** End every run in progress (their whole process groups). */
export function endRunningChildren(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** `times` prints "0m1.234s 0m0.056s" per line: the shell's own times, then its children's. */
function parseTimes(line: string): number | undefined {
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(line.trim());
  if (!m) return undefined;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

/**
 * Run `command` (program and arguments) to its end and measure it. Fails,
 * showing the command and the end of its output, if it exits non-zero, runs
 * past `timeoutMs` (the whole process group is ended), or prints no RESULT
 * line.
 */
export async function runMeasured(command: readonly string[], timeoutMs: number, cwd: string): Promise<MeasuredProcess> {
  const loadAtStart = os.loadavg()[0]!;
  const start = performance.now();
  // "$@" runs the command; `times` after it reports the children's CPU; the command's exit status is kept.
  const child = spawn("bash", ["-c", '"$@"; status=$?; times; exit $status', "bash", ...command], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so a timeout ends the JVM's or Node's threads and children too
  });
  if (child.pid !== undefined) running.add(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000); // keep the end, where the error is
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c));
  }).finally(() => {
    clearTimeout(timer);
    if (child.pid !== undefined) running.delete(child.pid);
  });
  const processMs = performance.now() - start;
  const shown = `${command.map((a) => (a.length > 120 ? a.slice(0, 60) + "..." : a)).join(" ")}`;
  const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-15).join("\n");
  if (timedOut) throw new Error(`run timed out after ${timeoutMs} ms: ${shown}\n${tail}`);
  if (code !== 0) throw new Error(`run exited with ${code}: ${shown}\n${tail}`);
  const reported = parseResultLines(stdout);
  if (reported.length !== 1) throw new Error(`run printed ${reported.length} RESULT lines, expected 1: ${shown}\n${tail}`);
  const timesLines = stdout.trimEnd().split("\n").slice(-2);
  const processCpuMs = timesLines.length === 2 ? parseTimes(timesLines[1]!) : undefined;
  if (processCpuMs === undefined) throw new Error(`bash's times output is missing after: ${shown}`);
  return { ...reported[0]!, processMs, processCpuMs, loadAtStart };
}
