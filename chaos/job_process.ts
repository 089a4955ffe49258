/**
 * A job run in its own Node process, so that the chaos driver can kill it
 * with SIGKILL (no cleanup, no flush: as a machine that loses power).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** How a job process ended. */
export interface JobExit {
  /** The exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running job process. */
export interface JobProcess {
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<JobExit>;
  /** True until the process has exited. */
  running(): boolean;
  /** Sends SIGKILL; true if the process was still running to receive it. */
  kill(): boolean;
}

/** Starts `node <script> <args...>`. */
export function startJobProcess(script: string, args: readonly string[]): JobProcess {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let alive = true;
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<JobExit>((resolve) =>
    child.on("close", (code, signal) => {
      alive = false;
      resolve({ code, signal, stdout, stderr });
    }),
  );
  child.on("exit", () => (alive = false));
  return {
    exited,
    running: () => alive,
    kill: () => alive && child.kill("SIGKILL"),
  };
}
