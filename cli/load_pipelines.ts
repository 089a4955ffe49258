/**
 * Loading a pipeline file without running its jobs: the file is loaded in
 * rebuild mode (the same mechanism workers use), so a script's `p.run()`
 * hands its pipeline over instead of starting it, and pipelines defined with
 * `mr.definePipeline` are listed. TypeScript files are loaded through tsx.
 */
import * as path from "node:path";
import { rebuildState } from "../sdk/user_code/rebuild_mode";
import { importUserModule } from "../portability/user_code/load_user_module";
import { registerTypeScriptModuleFormat } from "../portability/user_code/register_typescript_format";
import type { Pipeline } from "../sdk/pipeline";
import type { PipelineDefinition } from "../sdk/pipeline_definition";

/** What a pipeline file builds. */
export interface LoadedPipelines {
  /** Pipelines the file ran (as a script), in order. */
  readonly scripts: Pipeline[];
  /** Pipelines the file defines, by name. */
  readonly definitions: Map<string, PipelineDefinition>;
}

/** Loads `file` with `args` as its arguments and collects its pipelines. */
export async function loadPipelines(file: string, args: readonly string[]): Promise<LoadedPipelines> {
  const absolute = path.resolve(file);
  if (/\.(c|m)?ts$/.test(absolute)) {
    // import() goes through the ES loader, which needs tsx's ESM hooks (and CommonJS files its CJS hook).
    (await import("tsx/cjs/api")).register();
    (await import("tsx/esm/api")).register();
    registerTypeScriptModuleFormat();
  }
  const state = rebuildState();
  const argv = process.argv;
  process.argv = [argv[0]!, absolute, ...args];
  const capturedBefore = state.captured.length;
  const definedBefore = new Set(state.definitions.keys());
  state.active = true;
  try {
    const loading = importUserModule(absolute);
    // A script may await its result forever: stop waiting once it has handed a pipeline over.
    let settled = false;
    loading.then(
      () => (settled = true),
      () => (settled = true),
    );
    const deadline = Date.now() + 30_000;
    while (!settled && state.captured.length === capturedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (settled) await loading;
  } finally {
    state.active = false;
    process.argv = argv;
  }
  const definitions = new Map<string, PipelineDefinition>();
  for (const [key, def] of state.definitions) {
    if (!definedBefore.has(key) && key.startsWith(`${absolute}#`))
      definitions.set((def as PipelineDefinition).name, def as PipelineDefinition);
  }
  return { scripts: state.captured.slice(capturedBefore) as Pipeline[], definitions };
}
