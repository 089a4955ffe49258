#!/usr/bin/env node
/**
 * `millrace-harness`: the SDK harness an engine starts itself for a
 * `beam:env:process:v1` environment (`--environmentType=PROCESS`). It reads
 * Beam's standard harness flags (see `harness_flags.ts`), rebuilds the
 * pipeline's user code from the job's staged bundle, serves the engine's
 * control stream until the engine closes it, and exits.
 */
import "../index";
import { FnHarness } from "../portability/fn_harness/fn_harness";
import { grpcFnApiConnection } from "../portability/fn_harness/grpc_connection";
import { provisionedEndpoints, stagedUserCode } from "../portability/fn_harness/staged_user_code";
import { HarnessFlagsError, parseHarnessFlags } from "../portability/fn_harness/harness_flags";

async function main(): Promise<void> {
  const flags = parseHarnessFlags(process.argv.slice(2), process.env);
  const provided = flags.controlEndpoint ? undefined : await provisionedEndpoints(flags.provisionEndpoint, flags.workerId);
  const control = flags.controlEndpoint || provided?.control || "";
  if (!control) throw new HarnessFlagsError(`the provision info at ${flags.provisionEndpoint} names no control endpoint`);
  const logging = flags.loggingEndpoint || provided?.logging || "";
  const harness = new FnHarness(grpcFnApiConnection({ control, ...(logging ? { logging } : {}) }, flags.workerId), {
    workerId: flags.workerId,
    userCode: stagedUserCode({
      provisionEndpoint: flags.provisionEndpoint,
      ...(flags.artifactEndpoint ? { artifactEndpoint: flags.artifactEndpoint } : {}),
      params: process.env,
      workerId: flags.workerId,
    }),
  });
  process.once("SIGTERM", () => harness.stop());
  process.once("SIGINT", () => harness.stop());
  await harness.run();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`millrace-harness: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof HarnessFlagsError ? 2 : 1);
  },
);
