/**
 * One long-running Java process that millrace started (a job server, a Flink
 * JobManager or TaskManager): spawned in a process group of its own so that
 * stopping it also ends what it forked (SDK harness processes), its output
 * written to a log file whose last lines go into error messages, and
 * ended when the Node process exits so nothing is left behind.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { portAccepts } from "./free_port";
import { endWithNode } from "../end_with_node";

/** How many trailing output lines an error quotes. */
const TAIL_LINES = 40;

/** A Java process started by {@link startJavaProcess}. */
export interface JavaProcess {
  /** What it is, for messages ("flink job server", "Flink TaskManager 2"). */
  readonly name: string;
  readonly pid: number;
  /** File receiving its stdout and stderr. */
  readonly logFile: string;
  /** Its exit, once it has exited; undefined while it runs. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Its last output lines, newest last. */
  tail(): string;
  /** Resolves when its `port` accepts connections; rejects if it exits first, after `timeoutMs`, or when `signal` aborts (then it is stopped). */
  waitForPort(port: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Ends it and its process group (SIGTERM, then SIGKILL after `graceMs`); resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** How to start one Java process. */
export interface JavaProcessSpec {
  readonly name: string;
  readonly java: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Leave it running after this Node process exits (scripts/engines.sh start); otherwise it is ended with us. */
  readonly outliveParent?: boolean;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** The last {@link TAIL_LINES} lines of a log file (the end of it only: logs can be large). */
function logTail(file: string): string {
  try {
    const size = fs.statSync(file).size;
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    const fd = fs.openSync(file, "r");
    try {
      fs.readSync(fd, buf, 0, length, size - length);
    } finally {
      fs.closeSync(fd);
    }
    return buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-TAIL_LINES)
      .join("\n");
  } catch {
    return "(no output)";
  }
}

/** Starts `spec` and returns at once; use {@link JavaProcess.waitForPort} to know when it serves. */
export function startJavaProcess(spec: JavaProcessSpec): JavaProcess {
  // The process writes to the log file itself, so it keeps logging after we exit (outliveParent).
  const log = fs.openSync(spec.logFile, "a");
  const child = spawn(spec.java, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const release = spec.outliveParent ? () => {} : endWithNode(() => killGroup(child, "SIGKILL"));
  let spawnError: Error | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("error", (e) => {
      spawnError = e;
      exit = exit ?? { code: null, signal: null };
      resolve();
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      release();
      resolve();
    });
  });
  if (spec.outliveParent) child.unref();

  const describeExit = () =>
    spawnError
      ? `could not run ${spec.java}: ${spawnError.message}`
      : `exited with ${exit?.signal ? `signal ${exit.signal}` : `code ${exit?.code}`}`;

  const self: JavaProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    logFile: spec.logFile,
    exited: () => exit,
    tail: () => logTail(spec.logFile),
    async waitForPort(port, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      let pause = 50;
      for (;;) {
        if (exit)
          throw new Error(
            `the ${spec.name} ${describeExit()} before port ${port} accepted; its last output (${spec.logFile}):\n${self.tail()}`,
          );
        if (signal?.aborted) {
          await self.stop();
          throw new Error(`starting the ${spec.name} was cancelled`);
        }
        if (await portAccepts(port)) return;
        if (Date.now() > deadline) {
          await self.stop();
          throw new Error(
            `the ${spec.name} did not accept connections on port ${port} within ${(timeoutMs / 1000).toFixed(0)} s; its last output (${spec.logFile}):\n${self.tail()}`,
          );
        }
        await Promise.race([new Promise((r) => setTimeout(r, pause)), exitedPromise]);
        pause = Math.min(pause * 2, 500);
      }
    },
    async stop(graceMs = 10_000) {
      if (exit) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exitedPromise;
      clearTimeout(timer);
      // What the process forked may outlive it by a moment: end the rest of its group too.
      killGroup(child, "SIGKILL");
    },
  };
  return self;
}
