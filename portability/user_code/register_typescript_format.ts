/**
 * Registers the hooks of `typescript_module_format` in this thread: from
 * code, or with `node --import` of {@link REGISTER_TYPESCRIPT_FORMAT_ENTRY}
 * for a process's main thread (after `--import tsx`, so that they run first).
 */
import * as path from "node:path";
import { register } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * Registers the hooks. Callers register once per thread; no flag guards it
 * here, because a worker thread inherits `--import` of the entry module, runs
 * it, and yet does not get its hooks (Node keeps module hooks per thread and
 * ignores those registered during a worker's preload): it must register again.
 */
export function registerTypeScriptModuleFormat(): void {
  // Run from its TypeScript source (the library's own development), the hooks
  // module would itself need a loader inside Node's hooks thread: skip it there.
  if (path.extname(__filename) === ".ts") return;
  const hooks = path.join(__dirname, `typescript_module_format${path.extname(__filename)}`);
  register(pathToFileURL(hooks).href);
}

/** The module that registers the hooks when imported, for `node --import`. */
export const REGISTER_TYPESCRIPT_FORMAT_ENTRY = path.join(__dirname, `typescript_module_format_entry${path.extname(__filename)}`);
