/**
 * `--runner=microbatch`: Apache Spark's execution model. A bounded pipeline
 * runs as a DAG of stages cut at shuffles, one task per partition on a pool
 * of executor threads, with sort-based shuffles that spill to disk, task
 * retries and recomputation of lost shuffle output. User code runs on the
 * executors, rebuilt there from the pipeline's module. An unbounded
 * pipeline runs as micro-batches with an offset log, a commit log and
 * versioned state in a checkpoint directory (see unbounded/unbounded_driver.ts).
 */
import type { RunnerDefinition, RunRequest } from "../../sdk/options/runner_registry";
import type { PipelineResult } from "../../model/pipeline_result";
import { shippableOrigin } from "../core/worker/shippable_origin";
import { startJob } from "../core/job_handle";
import { ExecutorPool } from "./executor_pool";
import { BoundedJobDriver } from "./bounded_job_driver";
import { UnboundedDriver } from "./unbounded/unbounded_driver";
import { batchesSummaryLine } from "./unbounded/batch_metrics";
import { isUnboundedPipeline, microbatchNativeComposites } from "./native_composites";
import { checkTransactionTimeouts } from "../core/kafka_sinks";
import { MICROBATCH_FLAGS, microbatchSettings } from "./microbatch_flags";

/**
 * Executor pools that outlive their jobs, as Spark's executors do: threads,
 * loaded modules and warm code are reused by the next job of the process.
 * Only for pipelines built by `definePipeline`: a script is rebuilt by
 * running its module again, which needs a fresh thread.
 */
const sharedPools = new Map<string, ExecutorPool>();

function sharedPool(executors: number, heapMb: number | undefined): ExecutorPool {
  const key = `${executors}/${heapMb ?? "default"}`;
  let pool = sharedPools.get(key);
  if (!pool) sharedPools.set(key, (pool = new ExecutorPool(executors, heapMb)));
  return pool;
}

/** Starts a job on the micro-batch runner. */
export function runMicrobatch(request: RunRequest): PipelineResult {
  const settings = microbatchSettings(request.options);
  let ownPool: ExecutorPool | undefined;
  return startJob(
    request.pipelineProto,
    "microbatch runner",
    async (model, plan, job) => {
      const origin = shippableOrigin(model, "executors");
      const pool =
        origin.definition !== null
          ? sharedPool(settings.executors, settings.executorHeapMb)
          : (ownPool = new ExecutorPool(settings.executors, settings.executorHeapMb));
      if (!isUnboundedPipeline(request.pipelineProto)) {
        await new BoundedJobDriver(model, plan, request.pipelineProto, request.userCode, settings, job, pool).run();
        return;
      }
      checkTransactionTimeouts(model, plan, settings.batchIntervalMs, "the batch interval (--batchIntervalMs)");
      try {
        await new UnboundedDriver(model, plan, request.pipelineProto, request.userCode, settings, job, pool).run();
      } finally {
        job.progress.detail = batchesSummaryLine(job.totals);
      }
    },
    () => void ownPool?.close(),
    String(request.options.jobName ?? "job"),
    microbatchNativeComposites(request.pipelineProto),
  );
}

/** The micro-batch runner's registration. */
export const microbatchRunner: RunnerDefinition = {
  name: "microbatch",
  description:
    "Spark-style: stages of tasks per partition on executor threads, spilling shuffles, task retries; unbounded input as micro-batches with exactly-once restart",
  flags: MICROBATCH_FLAGS,
  run: runMicrobatch,
  nativeComposites: microbatchNativeComposites,
};
