/**
 * `--runner=prism`: Apache Beam's Prism runner, started for the job on a
 * free port and stopped when it ends (normally, failed or cancelled), with
 * the job submitted through the portable runner's job client.
 *
 * @module
 */
import type { FlagSpecs } from "../../../sdk/options/flag_spec";
import type { RunnerDefinition, RunRequest } from "../../../sdk/options/runner_registry";
import type { PipelineResult } from "../../../model/pipeline_result";
import { ENVIRONMENT_FLAGS } from "../portable_runner";
import { runPortableJob } from "../portable_job";
import { findPrismBinary } from "./prism_binary";
import { startPrism, type PrismProcess } from "./prism_process";
import { unsupportedOnPrism, UnsupportedOnPrismError } from "./prism_support";

/** `--runner=prism`'s flags. */
export const PRISM_FLAGS: FlagSpecs = {
  prismBinary: { type: "string", description: "path of the prism binary (default: prism on the PATH, else $(go env GOPATH)/bin/prism)" },
  ...ENVIRONMENT_FLAGS,
};

/** Starts a job on a Prism of its own. */
export function runPrism(request: RunRequest): PipelineResult {
  let prism: PrismProcess | undefined;
  return runPortableJob(request, {
    engine: "Prism",
    refuse: (pipelineProto) => {
      const unsupported = unsupportedOnPrism(pipelineProto);
      return unsupported.length > 0 ? new UnsupportedOnPrismError(unsupported) : undefined;
    },
    jobEndpoint: async () => {
      const binary = findPrismBinary(typeof request.options.prismBinary === "string" ? request.options.prismBinary : undefined);
      prism = await startPrism(binary);
      return prism.endpoint;
    },
    connectTimeoutMs: Number(request.options.jobServiceTimeoutMs ?? 30_000),
    diagnostics: () => prism?.log() ?? "",
    // A call that broke because Prism died: its exit shows within a moment.
    engineExit: async () => prism?.exit(2_000),
    onEnd: async () => prism?.stop(),
  });
}

/** The Prism runner's registration. */
export const prismRunner: RunnerDefinition = {
  name: "prism",
  description: "Apache Beam's Prism runner (a local Go engine), started for the job; user code runs in millrace's SDK harness",
  flags: PRISM_FLAGS,
  run: runPrism,
};
