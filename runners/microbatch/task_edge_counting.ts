/** How a micro-batch task counts the job's "in" and "out": the shared rule of core/edge_counting, into the task's counts. */
import type { EdgeCounting } from "../../portability/harness/stage_executor";
import type { FusedStage } from "../../portability/plan/execution_plan";
import type { JobContext } from "./task_runner";
import type { TaskCounts } from "./unbounded/batch_task_runner";

/** Counts the job's "in" and "out" of a task of `stage` into `counts`. */
export function edgeCountingFor(job: JobContext, stage: FusedStage, counts: TaskCounts): EdgeCounting {
  return {
    ...job.edgesOf(stage),
    recordIn: () => {
      counts.recordsIn++;
    },
    recordOut: () => {
      counts.recordsOut++;
    },
  };
}
