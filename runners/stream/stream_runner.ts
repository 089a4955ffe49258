/**
 * `--runner=stream`: Apache Flink's execution model. The plan becomes a job
 * graph of tasks (chained element-wise stages, groupings, unions) run as
 * `--parallelism` subtasks on task manager threads, record at a time,
 * exchanging encoded records in credit-controlled buffers (backpressure),
 * with in-band watermarks, aligned-barrier checkpoints, two-phase-commit
 * file sinks, and restarts from the last completed checkpoint.
 */
import type { RunnerDefinition, RunRequest } from "../../sdk/options/runner_registry";
import type { PipelineResult } from "../../model/pipeline_result";
import { shippableOrigin } from "../core/worker/shippable_origin";
import { startJob } from "../core/job_handle";
import { streamNativeComposites } from "./native_composites";
import { checkTransactionTimeouts } from "../core/kafka_sinks";
import { buildJobGraph } from "./job_graph";
import { JobMaster } from "./coordinator/job_master";
import type { FaultSpec } from "./protocol";
import { STREAM_FLAGS, streamSettings } from "./stream_flags";

/**
 * Faults to inject, for recovery tests: a JSON list of {@link FaultSpec} in
 * MILLRACE_STREAM_FAULTS (e.g. `[{"worker":1,"afterRecords":5000,"kind":"exit","attempt":0}]`).
 */
function injectedFaults(): FaultSpec[] {
  const raw = process.env.MILLRACE_STREAM_FAULTS;
  if (!raw) return [];
  try {
    return JSON.parse(raw) as FaultSpec[];
  } catch (e) {
    throw new Error(`MILLRACE_STREAM_FAULTS is not a JSON list of faults: ${(e as Error).message}`, { cause: e });
  }
}

/** Starts a job on the stream runner. */
export function runStream(request: RunRequest): PipelineResult {
  const settings = streamSettings(request.options);
  return startJob(
    request.pipelineProto,
    "stream runner",
    async (model, plan, job) => {
      const origin = shippableOrigin(model, "task managers");
      checkTransactionTimeouts(model, plan, settings.checkpointingIntervalMs, "the checkpoint interval (--checkpointingIntervalMs)");
      const graph = buildJobGraph(model, plan);
      const master = new JobMaster(model, graph, request.pipelineProto, settings, job, origin.definition !== null, injectedFaults());
      try {
        await master.run();
      } finally {
        master.stats.addTo(job.totals);
        if (process.env.MILLRACE_PROGRESS === "1") process.stderr.write(`${master.stats.summary()}\n`);
      }
    },
    () => undefined,
    String(request.options.jobName ?? "job"),
    streamNativeComposites(request.pipelineProto),
  );
}

/** The stream runner's registration. */
export const streamRunner: RunnerDefinition = {
  name: "stream",
  description:
    "Flink-style: parallel subtasks on task manager threads, record at a time, backpressure, in-band watermarks, checkpoints, exactly-once file sinks",
  flags: STREAM_FLAGS,
  run: runStream,
  nativeComposites: streamNativeComposites,
};
