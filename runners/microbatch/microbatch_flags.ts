import * as os from "node:os";
import type { FlagSpecs } from "../../sdk/options/flag_spec";

const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/** The micro-batch runner's flags. */
export const MICROBATCH_FLAGS: FlagSpecs = {
  partitions: {
    type: "integer",
    min: 1,
    default: cores,
    description: "tasks per stage (partitions of every shuffle; default, as Spark: the number of cores)",
  },
  executors: { type: "integer", min: 1, default: cores, description: "executor threads running tasks" },
  executorMemoryMb: { type: "number", min: 0.001, default: 256, description: "shuffle memory per task before sorted runs spill to disk" },
  maxTaskAttempts: { type: "integer", min: 1, default: 4, description: "attempts per task before the job fails" },
  executorHeapMb: {
    type: "integer",
    min: 16,
    description: "heap limit of each executor thread (default: Node's); a task that needs more fails",
  },
  batchIntervalMs: {
    type: "integer",
    min: 1,
    default: 1000,
    description: "unbounded input: a micro-batch starts every this many ms (a late batch starts as soon as the previous one is committed)",
  },
  checkpointDir: {
    type: "string",
    description:
      "unbounded input: offset log, commit log and state store; a restart with the same dir resumes there (default: a temporary dir removed at the end)",
  },
  stateSnapshotEvery: {
    type: "integer",
    min: 1,
    default: 10,
    description: "unbounded input: the state store writes a full snapshot every this many versions (deltas in between)",
  },
  maxRecordsPerBatch: {
    type: "integer",
    min: 1,
    default: 100000,
    description: "unbounded input: most records a task of a splittable source (a sequence, Kafka) reads in one micro-batch",
  },
};

/** The micro-batch runner's settings. */
export interface MicrobatchSettings {
  readonly partitions: number;
  readonly executors: number;
  readonly executorMemoryBytes: number;
  readonly maxTaskAttempts: number;
  /** V8 old-generation limit of each executor, when set. */
  readonly executorHeapMb: number | undefined;
  /** Unbounded input: ms between the starts of micro-batches. */
  readonly batchIntervalMs: number;
  /** Unbounded input: where logs and state live; undefined for a temporary dir. */
  readonly checkpointDir: string | undefined;
  /** Unbounded input: a full state snapshot every this many versions. */
  readonly stateSnapshotEvery: number;
  /** Unbounded input: cap on the records a splittable source's task reads in one batch (restrictions that resume at once are processed again until then). */
  readonly maxRecordsPerBatch: number;
}

/** Reads the settings from parsed options. */
export function microbatchSettings(options: Readonly<Record<string, unknown>>): MicrobatchSettings {
  const num = (name: string): number => options[name] as number;
  return {
    partitions: num("partitions"),
    executors: num("executors"),
    executorMemoryBytes: Math.floor(num("executorMemoryMb") * 1024 * 1024),
    maxTaskAttempts: num("maxTaskAttempts"),
    executorHeapMb: typeof options.executorHeapMb === "number" ? options.executorHeapMb : undefined,
    batchIntervalMs: num("batchIntervalMs"),
    checkpointDir: typeof options.checkpointDir === "string" && options.checkpointDir !== "" ? options.checkpointDir : undefined,
    stateSnapshotEvery: num("stateSnapshotEvery"),
    maxRecordsPerBatch: num("maxRecordsPerBatch"),
  };
}
