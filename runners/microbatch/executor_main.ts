/**
 * An executor thread: keeps the jobs it has been given (decoded proto, plan,
 * rebuilt user code) and runs their tasks one at a time.
 */
import { parentPort } from "node:worker_threads";
import { fromProto } from "../../portability/from_proto";
import { SDK_ENVIRONMENT_ID } from "../../portability/to_proto";
import { decodeJsonPayload, type EnvironmentPayload } from "../../portability/payloads";
import { rebuildCacheKey, rebuildUserCode } from "../../portability/user_code/rebuild_user_code";
import { RequirementUrns } from "../../portability/urns";
import { planExecution } from "../core/fusion";
import { microbatchNativeComposites } from "./native_composites";
import { forgetPartitionStates } from "./unbounded/partition_state";
import { runTask, JobContext } from "./task_runner";
import { endFinalizations } from "./unbounded/batch_task_runner";
import type { TaskFailure, TaskSpec } from "./task_spec";
import { workerFailureOf } from "../core/worker/worker_failure";
import { shuffleOutputTransferList } from "./shuffle/shuffle_output";

/** Messages from the driver. */
export type ExecutorRequest =
  | { readonly type: "job"; readonly jobId: string; readonly pipelineProto: Uint8Array }
  | { readonly type: "task"; readonly task: TaskSpec }
  | { readonly type: "forget"; readonly jobId: string; readonly committed: boolean };

/** Messages to the driver. */
export type ExecutorReply =
  { readonly type: "done"; readonly result: import("./task_spec").TaskResult } | { readonly type: "failed"; readonly failure: TaskFailure };

const jobs = new Map<string, Promise<JobContext>>();

/**
 * Rebuilt pipelines kept for the next job of the same pipeline (same module,
 * definition, arguments and fingerprint, hence the same code): rebuilding is
 * skipped and its DoFn instances, already set up, are reused. The oldest is
 * torn down when more are kept.
 */
const rebuilt = new Map<string, Promise<JobContext>>();
const KEEP_REBUILT = 2;

function loadJob(pipelineProto: Uint8Array): Promise<JobContext> {
  const model = fromProto(pipelineProto, {
    nativeComposites: microbatchNativeComposites(pipelineProto),
    supportedRequirements: [RequirementUrns.STATEFUL, RequirementUrns.SPLITTABLE_DOFN],
  });
  const env = model.components.environments[SDK_ENVIRONMENT_ID]!;
  const origin = decodeJsonPayload<EnvironmentPayload>(env.payload, "environment");
  const key = rebuildCacheKey(origin);
  const cached = origin.definition !== null ? rebuilt.get(key) : undefined;
  if (cached) return cached;
  const loading = rebuildUserCode(origin).then((userCode) => new JobContext(model, planExecution(model), userCode));
  if (origin.definition !== null) {
    rebuilt.set(key, loading);
    loading.catch(() => rebuilt.delete(key));
    while (rebuilt.size > KEEP_REBUILT) {
      const [oldestKey, oldest] = rebuilt.entries().next().value as [string, Promise<JobContext>];
      rebuilt.delete(oldestKey);
      void oldest.then(
        (ctx) => ctx.teardownAll(),
        () => undefined,
      );
    }
  }
  return loading;
}

parentPort!.on("message", (msg: ExecutorRequest) => {
  if (msg.type === "job") {
    const loading = loadJob(msg.pipelineProto);
    loading.catch(() => undefined);
    jobs.set(msg.jobId, loading);
    return;
  }
  if (msg.type === "forget") {
    forgetPartitionStates(msg.jobId);
    const job = jobs.get(msg.jobId);
    jobs.delete(msg.jobId);
    // DoFn instances are torn down once, when their pipeline is no longer kept on this executor.
    void job?.then(
      (ctx) => {
        endFinalizations(ctx, msg.committed);
        if (![...rebuilt.values()].includes(job)) ctx.teardownAll();
      },
      () => undefined,
    );
    return;
  }
  const job = jobs.get(msg.task.jobId);
  if (!job) {
    parentPort!.postMessage({
      type: "failed",
      failure: { message: `internal: executor does not know job ${msg.task.jobId}` },
    } satisfies ExecutorReply);
    return;
  }
  job
    .then((ctx) => runTask(ctx, msg.task))
    .then(
      (result) => {
        const transfer = shuffleOutputTransferList(...Object.values(result.outputs));
        parentPort!.postMessage({ type: "done", result } satisfies ExecutorReply, transfer);
      },
      (e: unknown) => parentPort!.postMessage({ type: "failed", failure: workerFailureOf(e) } satisfies ExecutorReply),
    );
});
