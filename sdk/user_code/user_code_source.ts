/**
 * How a runner finds the user's functions that a proto refers to.
 *
 * JavaScript closures cannot be serialized in general, so the proto never
 * carries code. It carries a reference (the transform's unique name plus a
 * role) and the pipeline's {@link PipelineOrigin}: the module that builds it.
 * In the process that built the pipeline, references resolve against the
 * live registry; anywhere else (a worker thread, another process) the origin
 * module is loaded again, the same pipeline is rebuilt deterministically, and
 * its registry answers. Closures over local constants and imported helpers
 * therefore simply work wherever the runner executes them.
 */

/** Resolves references from the proto to live user values (functions, CombineFns, Create values...). */
export interface UserCodeSource {
  /** The value registered under `ref`; throws a clear error naming `ref` when absent. */
  lookup(ref: string): unknown;
}

/** Where a pipeline was built, so a worker can build it again. Stored in the proto's environment payload. */
export interface PipelineOrigin {
  /** Absolute path (or file URL) of the module that builds the pipeline; null when unknown. */
  readonly module: string | null;
  /** The `mr.definePipeline` name, or null when the module is a script that builds and runs the pipeline. */
  readonly definition: string | null;
  /** The arguments the pipeline was built with (a script's `process.argv.slice(2)`). */
  readonly args: readonly string[];
  /** For scripts: which `run()` call of the script, counting from 0. */
  readonly runIndex: number;
  /** A digest of the pipeline's transform names, to detect a rebuild that differs. */
  readonly fingerprint: string;
}

/** Thrown when a reference cannot be resolved: a pipeline built in a way that cannot be shipped. */
export class UserCodeNotFoundError extends Error {
  override readonly name = "UserCodeNotFoundError";
}
