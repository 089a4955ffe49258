import * as os from "node:os";
import type { FlagSpecs } from "../../sdk/options/flag_spec";

const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/** The stream runner's flags. */
export const STREAM_FLAGS: FlagSpecs = {
  parallelism: {
    type: "integer",
    min: 1,
    default: cores,
    description: "subtasks per task, one worker thread each (default, as Flink: the number of cores)",
  },
  maxParallelism: {
    type: "integer",
    min: 1,
    default: 128,
    description: "key groups: keyed state is partitioned into this many groups, the unit of rescaling",
  },
  bufferTimeoutMs: {
    type: "integer",
    min: 0,
    default: 5,
    description: "a partly filled network buffer is sent after this many ms (0: after every record)",
  },
  bufferSizeBytes: { type: "integer", min: 64, default: 32768, description: "a network buffer is sent when it holds this many bytes" },
  channelCapacity: {
    type: "integer",
    min: 1,
    default: 4,
    description: "buffers in flight per channel; a producer waits while its channel is full (backpressure)",
  },
  checkpointingIntervalMs: {
    type: "integer",
    min: 0,
    default: 0,
    description: "start a checkpoint this often (0: only the final one at the end of bounded input)",
  },
  minPauseBetweenCheckpointsMs: {
    type: "integer",
    min: 0,
    default: 0,
    description:
      "at least this long from the end of a checkpoint to the start of the next (so that large state is not written back to back)",
  },
  checkpointTimeoutMs: {
    type: "integer",
    min: 1,
    default: 600000,
    description: "a checkpoint not complete this long after its start is aborted; the next one takes its place",
  },
  checkpointDir: {
    type: "string",
    description: "where completed checkpoints are written (chk-<id>/ with _metadata); without it checkpoints are kept in memory",
  },
  retainedCheckpoints: { type: "integer", min: 1, default: 3, description: "completed checkpoints kept in --checkpointDir" },
  restartAttempts: {
    type: "integer",
    min: 0,
    default: 2,
    description: "restarts from the last completed checkpoint after a failure, before the job fails",
  },
  restartDelayMs: { type: "integer", min: 0, default: 100, description: "wait before a restart" },
  fromCheckpoint: {
    type: "string",
    description: "start from this retained checkpoint (a chk-<id> dir, or a --checkpointDir to take its latest)",
  },
  discardCheckpoints: {
    type: "boolean",
    default: false,
    description:
      "start from scratch on purpose: delete --checkpointDir's checkpoints and the files the old run published under this pipeline's writeText prefixes (without it, a run on a used --checkpointDir resumes from its newest valid checkpoint)",
  },
};

/** The stream runner's settings. */
export interface StreamSettings {
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly bufferTimeoutMs: number;
  readonly bufferSizeBytes: number;
  readonly channelCapacity: number;
  /** 0: no periodic checkpoints. */
  readonly checkpointingIntervalMs: number;
  readonly minPauseBetweenCheckpointsMs: number;
  readonly checkpointTimeoutMs: number;
  readonly checkpointDir: string | undefined;
  readonly retainedCheckpoints: number;
  readonly restartAttempts: number;
  readonly restartDelayMs: number;
  readonly fromCheckpoint: string | undefined;
  /** Delete the old run's checkpoints and published files instead of resuming from them. */
  readonly discardCheckpoints: boolean;
}

/** Reads the settings from parsed options; refuses combinations that cannot work. */
export function streamSettings(options: Readonly<Record<string, unknown>>): StreamSettings {
  const num = (name: string): number => options[name] as number;
  const str = (name: string): string | undefined =>
    typeof options[name] === "string" && options[name] !== "" ? (options[name] as string) : undefined;
  const settings: StreamSettings = {
    parallelism: num("parallelism"),
    maxParallelism: num("maxParallelism"),
    bufferTimeoutMs: num("bufferTimeoutMs"),
    bufferSizeBytes: num("bufferSizeBytes"),
    channelCapacity: num("channelCapacity"),
    checkpointingIntervalMs: num("checkpointingIntervalMs"),
    minPauseBetweenCheckpointsMs: num("minPauseBetweenCheckpointsMs"),
    checkpointTimeoutMs: num("checkpointTimeoutMs"),
    checkpointDir: str("checkpointDir"),
    retainedCheckpoints: num("retainedCheckpoints"),
    restartAttempts: num("restartAttempts"),
    restartDelayMs: num("restartDelayMs"),
    fromCheckpoint: str("fromCheckpoint"),
    discardCheckpoints: options.discardCheckpoints === true,
  };
  if (settings.discardCheckpoints && settings.fromCheckpoint) {
    throw new Error(
      "--discardCheckpoints and --fromCheckpoint contradict each other: discard starts from scratch, --fromCheckpoint resumes",
    );
  }
  if (settings.discardCheckpoints && !settings.checkpointDir) {
    throw new Error("--discardCheckpoints needs --checkpointDir: it deletes that directory's checkpoints");
  }
  if (settings.parallelism > settings.maxParallelism) {
    throw new Error(
      `--parallelism=${settings.parallelism} is more than --maxParallelism=${settings.maxParallelism}: every subtask needs at least one key group`,
    );
  }
  return settings;
}
