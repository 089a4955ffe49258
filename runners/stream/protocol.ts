/**
 * Messages between the job master (the coordinating thread) and the task
 * managers (worker threads), and between task managers.
 */
import type { MessagePort } from "node:worker_threads";
import type { MetricResults } from "../../model/pipeline_result";
import type { WorkerFailure } from "../core/worker/worker_failure";
import type { StreamSettings } from "./stream_flags";
import type { SubtaskStatus } from "./worker/subtask";
import type { StreamEvent } from "./network/stream_event";

/** From the job master to a task manager. */
export type MasterMessage =
  | {
      readonly type: "deploy";
      readonly pipelineProto: Uint8Array;
      readonly settings: StreamSettings;
      /** This task manager's index: it runs subtask `worker` of every vertex. */
      readonly worker: number;
      /** A port to each other task manager, by index (undefined for itself). */
      readonly peers: readonly (MessagePort | undefined)[];
      /** State to restore, by vertex index (this worker's subtask's snapshot). */
      readonly restore: Readonly<Record<number, Uint8Array>>;
      /** Names the job run (stable across restarts) and this attempt, for the files sinks write. */
      readonly jobRunId: string;
      readonly attemptId: string;
      /** Test hooks: fail on purpose (see `faultInjection`). */
      readonly faults: readonly FaultSpec[];
    }
  | { readonly type: "start" }
  | { readonly type: "trigger"; readonly checkpointId: number }
  | { readonly type: "complete"; readonly checkpointId: number }
  /** Answer with a `quiet` report once there is nothing to do (TestStream pacing, see QuiescenceDriver). */
  | { readonly type: "probe"; readonly round: number }
  /** The pipeline is quiescent: play the next TestStream event. */
  | { readonly type: "playNext" }
  | { readonly type: "stop" };

/** From a task manager to the job master. */
export type WorkerMessage =
  | { readonly type: "ready" }
  | {
      readonly type: "ack";
      readonly checkpointId: number;
      readonly vertex: number;
      readonly subtask: number;
      readonly state: Uint8Array;
      /** User metrics committed by the subtask since its previous acknowledgement. */
      readonly metrics: MetricResults;
    }
  /** It cannot take checkpoint `checkpointId` (Flink's decline): the checkpoint is aborted, the next one takes its place. */
  | { readonly type: "decline"; readonly checkpointId: number; readonly reason: string }
  | { readonly type: "status"; readonly subtasks: readonly SubtaskStatus[] }
  /** Its answer to probe `report.round`, sent once it had nothing to do. */
  | { readonly type: "quiet"; readonly report: QuietReport }
  | { readonly type: "failed"; readonly failure: WorkerFailure }
  /** Stopped; with the user metrics its subtasks reported since their last checkpoint (counted when the job was cancelled). */
  | { readonly type: "stopped"; readonly uncommittedMetrics: MetricResults };

/** Between task managers: a buffer or event of a channel, a returned credit, or a receiver's new buffer size (buffer debloating). */
export type PeerMessage =
  | { readonly k: string; readonly b: Uint8Array }
  | { readonly k: string; readonly e: StreamEvent }
  | { readonly c: string }
  | { readonly s: string; readonly n: number };

/** A task manager's answer to a quiescence probe (see QuiescenceDriver). */
export interface QuietReport {
  /** The probe round answered. */
  readonly round: number;
  /** Data messages (buffers and events) sent to other task managers so far. */
  readonly sent: number;
  /** Data messages received from other task managers so far. */
  readonly received: number;
  /** True while one of its TestStreams has events left to play. */
  readonly scriptLeft: boolean;
}

/** A fault to inject, for recovery tests. */
export interface FaultSpec {
  /** The worker that fails. */
  readonly worker: number;
  /** It fails once its subtasks have taken in this many records in total. */
  readonly afterRecords?: number;
  /**
   * Or: it fails at checkpoint `atCheckpoint`, after its subtasks have
   * snapshotted (sinks have pre-committed) and before they acknowledge, so
   * the checkpoint never completes.
   */
  readonly atCheckpoint?: number;
  /** How: an exception in the task, or the thread exiting. */
  readonly kind: "throw" | "exit";
  /** Only in this attempt (0 = the first run). */
  readonly attempt: number;
}
