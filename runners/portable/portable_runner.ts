/**
 * `--runner=portable --jobEndpoint=host:port`: submits the pipeline to a
 * running Beam job service (Prism, Flink's or Spark's job server, ...)
 * through Beam's Job API; the engine runs the user's code in millrace's SDK
 * harness (`--environmentType`).
 *
 * @module
 */
import type { FlagSpecs } from "../../sdk/options/flag_spec";
import type { RunnerDefinition, RunRequest } from "../../sdk/options/runner_registry";
import type { PipelineResult } from "../../model/pipeline_result";
import { ENVIRONMENT_TYPES } from "./harness_environment";
import { runPortableJob } from "./portable_job";

/** The flags every engine runner takes: how the engine gets the SDK harness. */
export const ENVIRONMENT_FLAGS: FlagSpecs = {
  environmentType: {
    type: "string",
    default: "LOOPBACK",
    choices: ENVIRONMENT_TYPES,
    description:
      "how the engine starts the SDK harness: LOOPBACK (a worker pool in this process), PROCESS (runs millrace-harness), EXTERNAL (a worker pool at --environmentConfig)",
  },
  environmentConfig: {
    type: "string",
    description:
      "EXTERNAL: host:port of the worker pool (millrace harness --pool); PROCESS: the command to run (default: the millrace-harness executable)",
  },
  streaming: {
    type: "boolean",
    default: false,
    description:
      "run the job in the engine's streaming mode (Beam's --streaming option: Flink translates the pipeline for its DataStream runtime, where unbounded sources checkpoint and resume)",
  },
  jobServiceTimeoutMs: {
    type: "integer",
    default: 30_000,
    min: 1,
    description: "how long to wait for the job service to answer before failing with an error that names it",
  },
};

/** `--runner=portable`'s flags (`--jobEndpoint` is a common flag). */
export const PORTABLE_FLAGS: FlagSpecs = { ...ENVIRONMENT_FLAGS };

/** Starts a job on the Beam job service at `--jobEndpoint`. */
export function runPortable(request: RunRequest): PipelineResult {
  const endpoint = request.options.jobEndpoint;
  return runPortableJob(request, {
    engine: `the job service at ${String(endpoint)}`,
    jobEndpoint: async () => {
      if (typeof endpoint !== "string" || endpoint === "") {
        throw new Error("--runner=portable needs --jobEndpoint=host:port of a Beam job service (Prism, Flink's or Spark's job server)");
      }
      return endpoint;
    },
    connectTimeoutMs: Number(request.options.jobServiceTimeoutMs ?? 30_000),
  });
}

/** The portable runner's registration. */
export const portableRunner: RunnerDefinition = {
  name: "portable",
  description: "a Beam job service at --jobEndpoint=host:port (Prism, Flink, Spark) through Beam's Job API",
  flags: PORTABLE_FLAGS,
  takesJobEndpoint: true,
  run: runPortable,
};
