/**
 * Rebuilding a pipeline's user code where a runner executes it (a worker
 * thread, another process): load the origin module in rebuild mode, build
 * the same pipeline again, and answer references from its registry.
 */
import type { PipelineOrigin, UserCodeSource } from "../../sdk/user_code/user_code_source";
import { UserCodeNotFoundError } from "../../sdk/user_code/user_code_source";
import { rebuildState } from "../../sdk/user_code/rebuild_mode";
import { importUserModule } from "./load_user_module";
import { ScriptSession } from "./script_session";
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

/** How an error names the pipeline: its definition, or which run of the script it is. */
function describePipeline(origin: PipelineOrigin): string {
  return origin.definition !== null
    ? `pipeline '${origin.definition}'`
    : `pipeline #${origin.runIndex} (counting from 0) run by the script`;
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
      `${describePipeline(origin)} rebuilt from ${origin.module} differs from the one submitted (fingerprint ${fingerprint}, expected ${origin.fingerprint}; ` +
        `rebuilt transforms: ${pipeline._transformNames().slice(0, 8).join(", ")}): ` +
        `its construction must be deterministic (same transforms and names on every load)`,
    );
  }
  return pipeline._userCode;
}

let session: ScriptSession | undefined;
/** Rebuilds run one after another: a script session is replayed by one rebuild at a time. */
let queue: Promise<unknown> = Promise.resolve();

function rebuildPipeline(origin: PipelineOrigin): Promise<Pipeline> {
  const rebuilt = queue.then(() => rebuildPipelineNow(origin));
  queue = rebuilt.catch(() => undefined);
  return rebuilt;
}

async function rebuildPipelineNow(origin: PipelineOrigin): Promise<Pipeline> {
  const module = origin.module!;
  try {
    if (origin.definition !== null) return await rebuildDefinition(module, origin.definition, origin.args);
    // A session keeps the pipelines it has passed, so only another module or other arguments start the script again.
    if (!session?.replays(module, origin.args)) session = ScriptSession.start(module, origin.args);
    const pipeline = await session.pipeline(origin.runIndex);
    if (!pipeline) {
      throw new UserCodeRebuildError(
        `${module} ran ${session.runCount} pipeline(s) when loaded again, so it has no pipeline #${origin.runIndex} (counting from 0) to rebuild: ` +
          `the pipelines a script runs, and their order, must be the same on every load`,
      );
    }
    return pipeline;
  } catch (e) {
    if (e instanceof UserCodeRebuildError || e instanceof UserCodeNotFoundError) throw e;
    throw new UserCodeRebuildError(`loading ${module} to rebuild the pipeline failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

async function rebuildDefinition(module: string, name: string, args: readonly string[]): Promise<Pipeline> {
  const state = rebuildState();
  const key = `${module}#${name}`;
  const wasActive = state.active;
  state.active = true;
  try {
    if (!state.definitions.has(key)) await importUserModule(module);
    const def = state.definitions.get(key) as PipelineDefinition | undefined;
    if (!def) throw new UserCodeRebuildError(`${module} defines no pipeline named '${name}'`);
    return def.create(args);
  } finally {
    state.active = wasActive;
  }
}
