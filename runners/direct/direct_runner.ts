/**
 * `--runner=direct`: Beam's DirectRunner contract. Runs everything the
 * model allows in one process, from the proto bytes, and checks what other
 * runners would silently break on: mutated elements, elements that do not
 * survive their coder, dependence on bundle order.
 */
import type { RunnerDefinition, RunRequest } from "../../sdk/options/runner_registry";
import type { PipelineResult } from "../../model/pipeline_result";
import { startJob } from "../core/job_handle";
import { DIRECT_FLAGS, directSettings } from "./direct_flags";
import { DirectExecutor } from "./direct_executor";

/** Starts a job on the direct runner. */
export function runDirect(request: RunRequest): PipelineResult {
  const settings = directSettings(request.options);
  return startJob(
    request.pipelineProto,
    `direct runner, --seed=${settings.seed}`,
    (model, plan, job) => new DirectExecutor(model, plan, request.userCode, settings, job).run(),
    undefined,
    String(request.options.jobName ?? "job"),
  );
}

/** The direct runner's registration. */
export const directRunner: RunnerDefinition = {
  name: "direct",
  description: "one process, reference semantics, checks immutability and encodability",
  flags: DIRECT_FLAGS,
  run: runDirect,
};
