/**
 * `--runner=flink` and `--runner=spark`: Beam's job server for the engine,
 * started for the job on free loopback ports (Flink: an embedded mini
 * cluster, or a cluster at `--flinkMaster`; Spark: `local[2]`, or a master at
 * `--sparkMaster`), the job submitted through the portable runner's job
 * client, and the server stopped when the job ends, however it ends
 * (finished, failed, cancelled, or the server failing to start).
 *
 * @module
 */
import type { PipelineResult } from "../../../model/pipeline_result";
import type { FlagSpecs } from "../../../sdk/options/flag_spec";
import type { RunnerDefinition, RunRequest } from "../../../sdk/options/runner_registry";
import { runPortableJob } from "../portable_job";
import { ENVIRONMENT_FLAGS } from "../portable_runner";
import type { EngineName } from "./engine_classpath";
import { startJobServer, type RunningJobServer } from "./job_server";
import { refusedOnSpark } from "./spark_support";

const JOB_SERVER_FLAGS: FlagSpecs = {
  jobServerStartTimeoutMs: {
    type: "integer",
    default: 300_000,
    min: 1,
    description: "how long to wait for the engine's job server to accept connections (a JVM on a busy machine takes 5 to 60 s)",
  },
};

/** `--runner=flink`'s flags. */
export const FLINK_FLAGS: FlagSpecs = {
  flinkMaster: {
    type: "string",
    default: "[local]",
    description: "where Flink runs: [local] (an embedded mini cluster) or host:restPort of a Flink session cluster's JobManager",
  },
  parallelism: { type: "integer", default: 2, min: 1, description: "parallelism of the Flink job" },
  ...JOB_SERVER_FLAGS,
  ...ENVIRONMENT_FLAGS,
};

/** `--runner=spark`'s flags. */
export const SPARK_FLAGS: FlagSpecs = {
  sparkMaster: {
    type: "string",
    default: "local[2]",
    description: "where Spark runs: local[N] (in the job server) or spark://host:port of a standalone master",
  },
  ...JOB_SERVER_FLAGS,
  ...ENVIRONMENT_FLAGS,
};

function runOnEngine(engine: EngineName, request: RunRequest): PipelineResult {
  let server: RunningJobServer | undefined;
  const str = (name: string) => (typeof request.options[name] === "string" ? (request.options[name] as string) : undefined);
  return runPortableJob(request, {
    engine: engine === "flink" ? "Flink" : "Spark",
    jobEndpoint: async () => {
      server = await startJobServer(engine, {
        flinkMaster: str("flinkMaster"),
        sparkMaster: str("sparkMaster"),
        startTimeoutMs: Number(request.options.jobServerStartTimeoutMs ?? 300_000),
      });
      return server.endpoint;
    },
    connectTimeoutMs: Number(request.options.jobServiceTimeoutMs ?? 30_000),
    ...(engine === "spark" ? { refuse: refusedOnSpark } : {}),
    diagnostics: () => (server ? `${engine} job server log (${server.logFile}):\n${server.log()}` : ""),
    engineExit: async () => server?.exit(),
    onEnd: async () => server?.stop(),
  });
}

/** Starts a job on Apache Flink through Beam's Flink job server. */
export function runFlink(request: RunRequest): PipelineResult {
  return runOnEngine("flink", request);
}

/** Starts a job on Apache Spark through Beam's Spark job server. */
export function runSpark(request: RunRequest): PipelineResult {
  return runOnEngine("spark", request);
}

/** The Flink runner's registration. */
export const flinkRunner: RunnerDefinition = {
  name: "flink",
  description:
    "Apache Flink through Beam's Flink job server, started for the job (scripts/engines.sh prepare flink once); user code runs in millrace's SDK harness",
  flags: FLINK_FLAGS,
  run: runFlink,
};

/** The Spark runner's registration. */
export const sparkRunner: RunnerDefinition = {
  name: "spark",
  description:
    "Apache Spark through Beam's Spark job server, started for the job (scripts/engines.sh prepare spark once); user code runs in millrace's SDK harness",
  flags: SPARK_FLAGS,
  run: runSpark,
};
