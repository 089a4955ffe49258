import { Pipeline } from "./pipeline";
import { PipelineOptions } from "./options/pipeline_options";
import type { FlagSpecs } from "./options/flag_spec";
import { callerModule } from "./user_code/caller_module";
import { rebuildState } from "./user_code/rebuild_mode";

/**
 * A named, reusable pipeline builder in a module. Runners that execute user
 * code on worker threads or in other processes load the module again and
 * rebuild the pipeline by name, so every function in it (closures over local
 * constants and imported helpers included) works there too. Scripts that
 * build and run a pipeline at top level need no definition; use one for
 * pipelines built inside functions (tests, libraries).
 *
 * @example
 * ```ts
 * export const wordLengths = mr.definePipeline("wordLengths", (p) => {
 *   p.apply(mr.create(["a", "bb"])).map((w) => w.length);
 * });
 * await wordLengths.create(["--runner=direct"]).run().waitUntilFinish();
 * ```
 */
export class PipelineDefinition {
  /** @internal */
  constructor(
    /** Unique within its module. */
    readonly name: string,
    /** The module that defines it: loaded again by workers. */
    readonly module: string | null,
    private readonly build: (p: Pipeline) => void,
    /** The pipeline's own flags, accepted by `create` next to the runner's. */
    readonly flags: FlagSpecs = {},
  ) {}

  /** Creates the pipeline with the given options (or arguments) and builds it. */
  create(options?: PipelineOptions | readonly string[]): Pipeline {
    const parsed = options instanceof PipelineOptions ? options : PipelineOptions.fromArgs(options ?? [], { flags: this.flags });
    const p = Pipeline.create(parsed);
    p._originModule = this.module;
    p._definition = this.name;
    this.build(p);
    return p;
  }
}

/** Registers a pipeline builder under a name unique in its module; see {@link PipelineDefinition}. */
export function definePipeline(
  name: string,
  build: (p: Pipeline) => void,
  options: { module?: string; flags?: FlagSpecs } = {},
): PipelineDefinition {
  if (typeof name !== "string" || name === "") throw new TypeError("definePipeline needs a non-empty name");
  if (typeof build !== "function") throw new TypeError("definePipeline needs a builder function (p) => { ... }");
  const module = options.module ?? callerModule();
  const def = new PipelineDefinition(name, module, build, options.flags ?? {});
  const key = `${module}#${name}`;
  const registry = rebuildState().definitions;
  if (registry.has(key)) throw new Error(`a pipeline named '${name}' is already defined in ${module}`);
  registry.set(key, def);
  return def;
}
