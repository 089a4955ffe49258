import * as path from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on one of millrace's own entry modules, given
 * without extension. Compiled, that is a `.js` file; run from TypeScript
 * source (tsx), a worker cannot load a `.ts` file by itself, so it starts on
 * a small bootstrap that registers tsx first.
 */
export function startWorker(dir: string, entryName: string, options: WorkerOptions = {}): Worker {
  const fromSource = path.extname(__filename) === ".ts";
  const entry = path.join(dir, `${entryName}${fromSource ? ".ts" : ".js"}`);
  if (!fromSource) return new Worker(entry, options);
  const tsx = require.resolve("tsx/cjs/api");
  const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
