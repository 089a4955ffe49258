/**
 * LOOPBACK: the harness runs in the process that submitted the job, where
 * the pipeline's user code is already loaded. The submitting side offers it
 * here under the pipeline's origin; a harness whose job has that origin uses
 * it instead of rebuilding the code from the staged bundle.
 */
import type { PipelineOrigin, UserCodeSource } from "../../sdk/user_code/user_code_source";

const offered = new Map<string, UserCodeSource>();

function keyOf(origin: PipelineOrigin): string {
  return JSON.stringify([origin.module, origin.definition, origin.args, origin.runIndex, origin.fingerprint]);
}

/** Offers `userCode` to harnesses in this process for jobs of `origin`; call the returned function when the job is over. */
export function offerLoopbackUserCode(origin: PipelineOrigin, userCode: UserCodeSource): () => void {
  const key = keyOf(origin);
  offered.set(key, userCode);
  return () => {
    if (offered.get(key) === userCode) offered.delete(key);
  };
}

/** The user code offered for `origin` in this process, if any. */
export function loopbackUserCodeFor(origin: PipelineOrigin): UserCodeSource | undefined {
  return offered.get(keyOf(origin));
}
