/**
 * How the micro-batch drivers turn executor outcomes into job outcomes:
 * loading the job's code on an executor before any task (so a pipeline that
 * cannot be shipped fails at once), and the error of a task whose attempts
 * ran out, naming the stage, the task and the transform.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { PipelineExecutionError } from "../../model/pipeline_result";
import type { ExecutorPool } from "./executor_pool";
import type { TaskFailure, TaskSpec } from "./task_spec";
import { errorOfWorkerFailure } from "../core/worker/worker_failure";
import { whyNotRetried, type RetryDecision } from "../core/retry_policy";

/** A task that failed for good: its message names the stage, the task and the transform. */
export class TaskFailedError extends PipelineExecutionError {}

/** A task's failure as plain data, whether the executor reported it or the pool threw. */
export function taskFailureOf(e: unknown): TaskFailure {
  return e instanceof Error ? { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } : (e as TaskFailure);
}

/**
 * The job's error once a task failed `attempts` times; `failure` is the last
 * one; `decision` says why no further attempt was made.
 */
export function taskFailedError(
  nodeId: string,
  partition: number,
  attempts: number,
  failure: TaskFailure,
  decision?: RetryDecision,
): TaskFailedError {
  const why = decision && whyNotRetried(decision) ? ` (${whyNotRetried(decision)})` : "";
  const e = errorOfWorkerFailure(`stage '${nodeId}' task ${partition} failed ${attempts} time(s)${why}`, failure);
  return new TaskFailedError(e.message, {
    ...(e.transform ? { transform: e.transform } : {}),
    ...(e.element ? { element: e.element } : {}),
    cause: e.cause,
  });
}

/** Has an executor load the job's code first: a pipeline it cannot rebuild fails now, before any task. */
export async function prepareExecutors(
  pool: ExecutorPool,
  model: PipelineModel,
  job: Pick<TaskSpec, "jobId" | "partitions" | "memoryBudgetBytes" | "spillDir">,
): Promise<void> {
  const spec: TaskSpec = {
    ...job,
    nodeId: "(prepare)",
    nodeKind: "prepare",
    partition: 0,
    attempt: 1,
    inputs: {},
    sideInputs: {},
    outputs: {},
  };
  try {
    await pool.run(spec);
  } catch (e) {
    const first = model.firstUserTransform();
    const message = e instanceof Error ? e.message : (e as TaskFailure).message;
    throw new PipelineExecutionError(
      `the pipeline's code cannot be loaded on the executors (first user transform: '${first}'): ${message}\n` +
        `(executors load the module that builds the pipeline again: build it in a script, or with mr.definePipeline at the top level of a module)`,
      { transform: first },
    );
  }
}
