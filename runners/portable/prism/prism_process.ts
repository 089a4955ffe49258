/**
 * A Prism job server of our own: started on a free port (`--job_port=0`;
 * the port is read from the line Prism logs), without its web UI, stopped
 * when the job ends. Prism's log is kept (the last lines) so a failure can
 * show what Prism said.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { endWithNode } from "../end_with_node";

/** How many lines of Prism's log are kept for error messages. */
const KEPT_LINES = 40;

/** A running Prism. */
export interface PrismProcess {
  /** `host:port` of its job service. */
  readonly endpoint: string;
  /** The last lines Prism logged (a Go panic's goroutine dump left out). */
  log(): string;
  /** "exited with code N" / "was killed by SIG..." if Prism ends within `withinMs`; undefined if it still runs then (or was stopped by us). */
  exit(withinMs: number): Promise<string | undefined>;
  /** Stops Prism (SIGTERM, then SIGKILL if it lingers); resolves once it has exited. */
  stop(): Promise<void>;
}

/** Prism did not start; the message carries what it printed. */
export class PrismStartError extends Error {
  /** Always `"PrismStartError"`. */
  override readonly name = "PrismStartError";
}

const ENDPOINT_LINE = /Serving JobManagement.*?endpoint=(\S+:\d+)/;

/** Starts Prism from `binary`; resolves once it serves, rejects (with its output) if it exits or stays silent for `timeoutMs`. */
export function startPrism(binary: string, timeoutMs = 60_000): Promise<PrismProcess> {
  const child: ChildProcess = spawn(binary, ["--job_port=0", "--serve_http=false", "--log_kind=text", "--log_level=info"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const release = endWithNode(() => child.kill("SIGKILL"));
  const lines: string[] = [];
  let exited = false;
  let exitText: string | undefined;
  let stopping = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      release();
      if (!stopping) exitText = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  const log = () => {
    const dump = lines.findIndex((l) => l.startsWith("goroutine "));
    return (dump < 0 ? lines : lines.slice(0, dump)).join("\n");
  };
  const exit = async (withinMs: number): Promise<string | undefined> => {
    if (!exited) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exitedPromise, new Promise<void>((r) => (timer = setTimeout(r, withinMs)))]);
      clearTimeout(timer);
    }
    return exitText;
  };
  const stop = async (): Promise<void> => {
    if (exited) return;
    stopping = true;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exitedPromise;
    clearTimeout(timer);
  };
  return new Promise<PrismProcess>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop();
      reject(new PrismStartError(`Prism (${binary}) did not report its job endpoint within ${timeoutMs / 1000} s; it printed:\n${log()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
        const m = ENDPOINT_LINE.exec(line);
        if (m && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({ endpoint: m[1]!, log, exit, stop });
        }
      }
    };
    // The endpoint line is logged at INFO: that is the lowest level we can run Prism at.
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new PrismStartError(`cannot start Prism (${binary}): ${e.message}`));
    });
    child.once("exit", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new PrismStartError(`Prism (${binary}) exited (${signal ?? `code ${code}`}) before serving; it printed:\n${log()}`));
    });
  });
}
