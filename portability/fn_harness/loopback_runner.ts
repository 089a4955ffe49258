/**
 * An engine runner whose jobs offer their user code to LOOPBACK harnesses in
 * this process while they run (see `loopback_user_code.ts`), so that a
 * LOOPBACK worker never rebuilds what the submitting process has loaded.
 */
import type { RunnerDefinition } from "../../sdk/options/runner_registry";
import { originOf } from "../engine/engine_pipeline";
import { offerLoopbackUserCode } from "./loopback_user_code";

/** `runner`, offering each job's user code to this process's harnesses until the job ends. */
export function withLoopbackUserCode(runner: RunnerDefinition): RunnerDefinition {
  return {
    ...runner,
    run(request) {
      let withdraw: (() => void) | undefined;
      try {
        withdraw = offerLoopbackUserCode(originOf(request.pipelineProto), request.userCode);
      } catch {
        // A pipeline without millrace's environment: nothing to offer, the engine path reports it.
      }
      const result = runner.run(request);
      if (withdraw) void result.waitUntilFinish().then(withdraw, withdraw);
      return result;
    },
  };
}
