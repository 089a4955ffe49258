/**
 * Rebuilding a pipeline's user code where a runner executes it (a worker
 * thread, another process): load the origin module in rebuild mode, build
 * the same pipeline again, and answer references from its registry.
 */
import { pathToFileURL } from "node:url";
import type { PipelineOrigin, UserCodeSource } from "./user_code_source";
import { UserCodeNotFoundError } from "./user_code_source";
import { rebuildState } from "./rebuild_mode";
import type { Pipeline } from "../../sdk/pipeline";
import type { PipelineDefinition } from "../../sdk/pipeline_definition";
import { toPipelineMessage } from "../to_proto";

/** Thrown when a pipeline's code cannot be rebuilt where it must run. */
export class UserCodeRebuildError extends Error {
  override readonly name = "UserCodeRebuildError";
}

/**
 * What identifies a rebuilt `definePipeline` pipeline for workers that keep
 * rebuilt code between jobs: the module, the definition, its arguments and
 * its fingerprint (not which run of the process it is: every run of a
 * definition builds the same code).
 */
export function rebuildCacheKey(origin: PipelineOrigin): string {
  return JSON.stringify([origin.module, origin.definition, origin.args, origin.fingerprint]);
}

/**
 * Why a pipeline with this origin could not be rebuilt elsewhere, or
 * undefined when it can. Runners that execute user code away from the
 * building process check this before the job starts.
 */
export function whyNotShippable(origin: PipelineOrigin): string | undefined {
  if (!origin.module) {
    return "the module that builds the pipeline is unknown: build it in a script, or with mr.definePipeline(name, build) in a module";
  }
  return undefined;
}

/** Loads `origin` in rebuild mode and returns the rebuilt pipeline's user code. */
export async function rebuildUserCode(origin: PipelineOrigin): Promise<UserCodeSource> {
  const reason = whyNotShippable(origin);
  if (reason) throw new UserCodeRebuildError(`cannot rebuild the pipeline's user code: ${reason}`);
  const pipeline = await rebuildPipeline(origin);
  // Translating registers late references (user coders) exactly as the submitting process did.
  toPipelineMessage(pipeline, { runIndex: origin.runIndex });
  const fingerprint = pipeline._fingerprint();
  if (fingerprint !== origin.fingerprint) {
    throw new UserCodeRebuildError(
      `the pipeline rebuilt from ${origin.module} differs from the one submitted (fingerprint ${fingerprint}, expected ${origin.fingerprint}): ` +
        `its construction must be deterministic (same transforms and names on every load)`,
    );
  }
  return pipeline._userCode;
}

async function rebuildPipeline(origin: PipelineOrigin): Promise<Pipeline> {
  const state = rebuildState();
  const key = `${origin.module}#${origin.definition}`;
  state.active = true;
  const capturedBefore = state.captured.length;
  const argv = process.argv;
  // A script reads its arguments from process.argv: give it the ones it was run with.
  if (origin.definition === null) process.argv = [argv[0]!, origin.module!, ...origin.args];
  try {
    const loading = loadModule(origin.module!);
    if (origin.definition !== null) {
      await loading;
      const def = state.definitions.get(key) as PipelineDefinition | undefined;
      if (!def) throw new UserCodeRebuildError(`${origin.module} defines no pipeline named '${origin.definition}'`);
      return def.create(origin.args);
    }
    // A script builds and runs its pipeline at top level; its run() hands the
    // pipeline over instead of running. It may never finish loading (it
    // awaits the result), so stop waiting as soon as the wanted run arrives.
    const wanted = capturedBefore + origin.runIndex;
    const deadline = Date.now() + 60_000;
    let loaded = false;
    loading.then(
      () => (loaded = true),
      () => (loaded = true),
    );
    while (state.captured.length <= wanted) {
      if (loaded) {
        await loading; // surfaces a load error
        throw new UserCodeRebuildError(`${origin.module} finished loading without running pipeline #${origin.runIndex}`);
      }
      if (Date.now() > deadline) throw new UserCodeRebuildError(`timed out waiting for ${origin.module} to build its pipeline`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return state.captured[wanted] as Pipeline;
  } catch (e) {
    if (e instanceof UserCodeRebuildError || e instanceof UserCodeNotFoundError) throw e;
    throw new UserCodeRebuildError(`loading ${origin.module} to rebuild the pipeline failed: ${(e as Error).message}`, { cause: e });
  } finally {
    state.active = false;
    process.argv = argv;
  }
}

/**
 * Loads the origin module: ES modules with `import()`, anything else with
 * `require()` (which also goes through tsx's hook when the pipeline runs from
 * TypeScript source, where `import()` of a `.ts` file would not).
 */
function loadModule(module: string): Promise<unknown> {
  if (module.startsWith("file:") || /\.(mjs|mts)$/.test(module)) {
    return import(module.startsWith("file:") ? module : pathToFileURL(module).href);
  }
  return new Promise((resolve, reject) => {
    try {
      resolve(require(module));
    } catch (e) {
      reject(e);
    }
  });
}
