/**
 * Loading a user's module where a runner rebuilds its pipeline (a worker
 * thread, a job's process, `millrace inspect`).
 *
 * Always through `import()`: Node then decides ESM or CommonJS exactly as it
 * did when the user ran the file (package `"type"`, `.mjs`/`.cjs`, and with
 * tsx `.ts`/`.mts`/`.cts`), so top-level `await` and `import.meta` work in
 * ES modules and `__dirname` in CommonJS ones. `require()` would force
 * CommonJS on an ES module and fail on top-level `await`.
 */
import { isMainThread } from "node:worker_threads";
import { fileURLToPath, pathToFileURL } from "node:url";
import { registerTypeScriptModuleFormat } from "./register_typescript_format";

let reloads = 0;

/**
 * Imports `module` (an absolute path or a file URL). With `fresh`, the
 * module is evaluated again even if this thread loaded it before (a script
 * replayed from its start); the modules it imports stay loaded.
 */
export function importUserModule(module: string, options: { fresh?: boolean } = {}): Promise<unknown> {
  const url = new URL(module.startsWith("file:") ? module : pathToFileURL(module).href);
  if (options.fresh) {
    // A CommonJS module imported again is taken from require's cache: drop it,
    // and give the ES loader a URL it has not seen.
    delete require.cache[fileURLToPath(url)];
    url.searchParams.set("millrace-reload", String(++reloads));
  }
  if (/\.(c|m)?tsx?$/.test(url.pathname)) ensureTypeScriptLoader();
  return import(url.href);
}

let typeScriptLoader = false;

/**
 * TypeScript through tsx. A process started with tsx (`tsx file.ts`,
 * `node --import tsx`, `millrace run`) has its hooks on the main thread
 * only: Node does not carry module hooks into worker threads, so a worker
 * registers them itself, once.
 */
function ensureTypeScriptLoader(): void {
  if (typeScriptLoader) return;
  typeScriptLoader = true;
  if (isMainThread && process.execArgv.some((a) => /[\\/]tsx[\\/]|^tsx$/.test(a))) return;
  // Loaded only in a worker that needs TypeScript, and synchronously: hence require.
  /* eslint-disable @typescript-eslint/no-require-imports */
  (require("tsx/cjs/api") as { register(): void }).register();
  (require("tsx/esm/api") as { register(): void }).register();
  /* eslint-enable @typescript-eslint/no-require-imports */
  registerTypeScriptModuleFormat();
}
