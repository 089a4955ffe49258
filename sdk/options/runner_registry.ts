/**
 * The runners a pipeline can be run on, by name. Runners register themselves
 * when the package loads (see the package root), so the SDK never imports a
 * runner directly: the layers stay sdk -> portability -> runners.
 */
import type { FlagSpecs } from "./flag_spec";
import type { PipelineResult } from "../../model/pipeline_result";
import type { UserCodeSource } from "../user_code/user_code_source";

/** What a runner is handed: the portable pipeline and how to find the user's code. */
export interface RunRequest {
  /** The Beam Runner API `Pipeline` message, encoded. */
  readonly pipelineProto: Uint8Array;
  /** All flag values, parsed. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Where the functions that the proto refers to by name live. */
  readonly userCode: UserCodeSource;
}

/** A runner: takes a portable pipeline and returns a handle to the running job at once. */
export interface RunnerDefinition {
  /** The `--runner` value that selects it. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The flags this runner accepts, on top of the common ones. */
  readonly flags: FlagSpecs;
  /**
   * The runner is itself a client of the job service at `--jobEndpoint` (a
   * Beam job service, as `--runner=portable`), so `Pipeline.run()` hands it
   * the flag instead of submitting to millrace's own job service.
   */
  readonly takesJobEndpoint?: boolean;
  /** Starts the job. */
  run(request: RunRequest): PipelineResult;
  /**
   * The composite transform URNs this runner executes itself for a pipeline
   * (for tools that show the stages it runs: `millrace inspect`, the
   * dashboard). Absent, or returning undefined: the shared default set.
   */
  nativeComposites?(pipelineProto: Uint8Array): readonly string[] | undefined;
}

const runners = new Map<string, RunnerDefinition>();

/** Makes a runner selectable by `--runner=<name>`. */
export function registerRunner(runner: RunnerDefinition): void {
  runners.set(runner.name, runner);
}

/** The registered runner called `name`, or undefined. */
export function findRunner(name: string): RunnerDefinition | undefined {
  return runners.get(name);
}

/** All registered runners, in registration order. */
export function registeredRunners(): RunnerDefinition[] {
  return [...runners.values()];
}

/**
 * A runner whose module loads when it is first used (its flags read, or a
 * job run), not when the package loads: the engine runners bring gRPC and
 * the SDK harness with them, which every worker thread of the in-process
 * runners would otherwise load for nothing when it rebuilds a pipeline
 * (their module-loading time is most of a first job's extra cost).
 */
export function lazyRunner(name: string, load: () => RunnerDefinition): RunnerDefinition {
  let loaded: RunnerDefinition | undefined;
  const runner = (): RunnerDefinition => {
    if (!loaded) {
      loaded = load();
      if (loaded.name !== name) throw new Error(`internal: the lazily loaded runner '${loaded.name}' was registered as '${name}'`);
    }
    return loaded;
  };
  return {
    name,
    get description() {
      return runner().description;
    },
    get flags() {
      return runner().flags;
    },
    get takesJobEndpoint() {
      return runner().takesJobEndpoint;
    },
    run: (request) => runner().run(request),
    nativeComposites: (pipelineProto) => runner().nativeComposites?.(pipelineProto),
  };
}
