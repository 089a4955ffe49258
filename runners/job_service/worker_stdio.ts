/**
 * What a job's worker threads print must reach the job's stdout, all of it.
 * A worker's `process.stdout` normally sends each write to the main thread
 * as a message, with backpressure: writes queue in the worker until the main
 * thread takes them, and a worker terminated (or a process exiting) while
 * they queue loses them (a micro-batch job's last ~15,000 of 20,000 lines,
 * on a busy machine). In a job's process, worker threads write to the
 * process's file descriptors directly and synchronously instead, by this
 * preload (`--require`, which Node runs in every worker thread too).
 *
 * It is plain JavaScript kept as text, written next to the service's staged
 * artifacts: a preload runs before any TypeScript loader is registered.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The preload's source. */
export const WORKER_STDIO_PRELOAD = `"use strict";
const { isMainThread } = require("node:worker_threads");
if (!isMainThread) {
  const fs = require("node:fs");
  for (const [stream, fd] of [[process.stdout, 1], [process.stderr, 2]]) {
    stream.write = function write(chunk, encoding, callback) {
      if (typeof encoding === "function") { callback = encoding; encoding = undefined; }
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding || "utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      try {
        for (let offset = 0; offset < bytes.length; ) {
          try { offset += fs.writeSync(fd, bytes, offset); } catch (e) { if (e.code !== "EAGAIN") throw e; }
        }
      } catch (e) {
        if (callback) process.nextTick(callback, e);
        return false;
      }
      if (callback) process.nextTick(callback);
      return true;
    };
  }
}
`;

/** Writes the preload into `dir` and returns its path. */
export function writeWorkerStdioPreload(dir: string): string {
  const file = path.join(dir, "worker_stdio_preload.cjs");
  fs.writeFileSync(file, WORKER_STDIO_PRELOAD);
  return file;
}
