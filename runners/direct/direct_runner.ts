/**
 * `--runner=direct`: Beam's DirectRunner contract. Runs everything the
 * model allows in one process, from the proto bytes, and checks what other
 * runners would silently break on: mutated elements, elements that do not
 * survive their coder, dependence on bundle order.
 */
import type { RunnerDefinition, RunRequest } from "../../sdk/options/runner_registry";
import type { PipelineResult } from "../../sdk/pipeline_result";
import { fromProto } from "../../portability/from_proto";
import { RequirementUrns } from "../../portability/urns";
import { NATIVE_COMPOSITES, planExecution } from "../core/fusion";
import { JobHandle } from "../core/job_handle";
import { DIRECT_FLAGS, directSettings } from "./direct_flags";
import { DirectExecutor } from "./direct_executor";

/** Starts a job on the direct runner. */
export function runDirect(request: RunRequest): PipelineResult {
  const job = new JobHandle();
  const settings = directSettings(request.options);
  const context = `direct runner, --seed=${settings.seed}`;
  // Start on the next tick: run() returns the handle at once.
  setImmediate(() => {
    Promise.resolve()
      .then(async () => {
        const model = fromProto(request.pipelineProto, { nativeComposites: NATIVE_COMPOSITES, supportedRequirements: [RequirementUrns.STATEFUL] });
        const plan = planExecution(model);
        await new DirectExecutor(model, plan, request.userCode, settings, job).run();
        job.finish();
      })
      .catch((e: unknown) => job.failWith(e, context));
  });
  return job;
}

/** The direct runner's registration. */
export const directRunner: RunnerDefinition = {
  name: "direct",
  description: "one process, reference semantics, checks immutability and encodability",
  flags: DIRECT_FLAGS,
  run: runDirect,
};
