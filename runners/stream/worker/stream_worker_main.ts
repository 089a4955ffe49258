/**
 * A task manager thread: runs its share of a job's subtasks (see
 * JobRuntime). The user's code is rebuilt here from the pipeline's module,
 * and kept for the next job of the same pipeline, so a warm task manager
 * starts a job in milliseconds.
 */
import { parentPort } from "node:worker_threads";
import { fromProto } from "../../../portability/from_proto";
import { SDK_ENVIRONMENT_ID } from "../../../portability/to_proto";
import { decodeJsonPayload, type EnvironmentPayload } from "../../../portability/payloads";
import { rebuildCacheKey, rebuildUserCode } from "../../../portability/user_code/rebuild_user_code";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { RequirementUrns } from "../../../portability/urns";
import type { PipelineModel } from "../../../portability/pipeline_model";
import { planExecution } from "../../core/fusion";
import { streamNativeComposites } from "../native_composites";
import type { ExecutionPlan } from "../../../portability/plan/execution_plan";
import { workerFailureOf } from "../../core/worker/worker_failure";
import { buildJobGraph, type JobGraph } from "../job_graph";
import type { MasterMessage, WorkerMessage } from "../protocol";
import { JobRuntime } from "./job_runtime";
import { emptyMetrics } from "../../../model/pipeline_result";

interface LoadedJob {
  readonly model: PipelineModel;
  readonly plan: ExecutionPlan;
  readonly graph: JobGraph;
  readonly userCode: UserCodeSource;
}

/** Rebuilt pipelines by proto, for the next job of the same pipeline (definePipeline pipelines only). */
const rebuilt = new Map<string, Promise<LoadedJob>>();
const KEEP_REBUILT = 2;

function load(pipelineProto: Uint8Array): Promise<LoadedJob> {
  const model = fromProto(pipelineProto, {
    nativeComposites: streamNativeComposites(pipelineProto),
    supportedRequirements: [RequirementUrns.STATEFUL, RequirementUrns.SPLITTABLE_DOFN],
  });
  const origin = decodeJsonPayload<EnvironmentPayload>(model.components.environments[SDK_ENVIRONMENT_ID]!.payload, "environment");
  const key = rebuildCacheKey(origin);
  const cached = origin.definition !== null ? rebuilt.get(key) : undefined;

  if (cached) return cached;
  const loading = rebuildUserCode(origin).then((userCode) => {
    const plan = planExecution(model);
    return { model, plan, graph: buildJobGraph(model, plan), userCode };
  });
  if (origin.definition !== null) {
    rebuilt.set(key, loading);
    loading.catch(() => rebuilt.delete(key));
    while (rebuilt.size > KEEP_REBUILT) rebuilt.delete(rebuilt.keys().next().value as string);
  }
  return loading;
}

const post = (msg: WorkerMessage, transfer?: ArrayBuffer[]): void => parentPort!.postMessage(msg, transfer ?? []);
let runtime: JobRuntime | undefined;

parentPort!.on("message", (msg: MasterMessage) => {
  switch (msg.type) {
    case "deploy": {
      const started = performance.now();
      load(msg.pipelineProto).then(
        (job) => {
          try {
            const loaded = performance.now();
            runtime = new JobRuntime({ ...job, ...msg, post });
            if (process.env.MILLRACE_STREAM_DEBUG)
              process.stderr.write(
                `[task manager ${msg.worker}] loaded in ${Math.round(loaded - started)} ms, runtime built in ${Math.round(performance.now() - loaded)} ms\n`,
              );
            post({ type: "ready" });
          } catch (e) {
            post({ type: "failed", failure: workerFailureOf(e) });
          }
        },
        (e: unknown) => post({ type: "failed", failure: workerFailureOf(e) }),
      );
      return;
    }
    case "start":
      runtime?.guard(() => runtime!.start());
      return;
    case "trigger":
      runtime?.guard(() => runtime!.trigger(msg.checkpointId));
      return;
    case "complete":
      runtime?.guard(() => runtime!.complete(msg.checkpointId));
      return;
    case "probe":
      runtime?.guard(() => runtime!.probe(msg.round));
      return;
    case "playNext":
      runtime?.guard(() => runtime!.playNext());
      return;
    case "stop": {
      runtime?.stop();
      const uncommittedMetrics = runtime?.takeUncommittedMetrics() ?? emptyMetrics();
      runtime = undefined;
      post({ type: "stopped", uncommittedMetrics });
      return;
    }
  }
});
