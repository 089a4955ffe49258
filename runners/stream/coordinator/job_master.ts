/**
 * The job master: deploys a job's subtasks on task managers, has a
 * {@link CheckpointCoordinator} take checkpoints (the final one ends a
 * bounded job), and restarts a failed job from its last completed
 * checkpoint while the failure can pass (see retry_policy) and restart
 * attempts remain.
 */
import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import type { PipelineModel } from "../../../portability/pipeline_model";
import { newTimeOrderedId } from "../../core/ids";
import { addMetricResults } from "../../../portability/harness/metrics_container";
import type { JobHandle } from "../../core/job_handle";
import { errorOfWorkerFailure, type WorkerFailure } from "../../core/worker/worker_failure";
import type { JobGraph } from "../job_graph";
import type { StreamSettings } from "../stream_flags";
import type { FaultSpec, MasterMessage, WorkerMessage } from "../protocol";
import type { SubtaskStatus } from "../worker/subtask";
import { deleteAbandonedFiles } from "../sinks/two_phase_text_sink";
import { decideRetry, whyNotRetried } from "../../core/retry_policy";
import { CheckpointStorage, jobRunIdIn, type CheckpointMetadata, type CompletedCheckpoint } from "./checkpoint_storage";
import { CheckpointCoordinator, type CheckpointCoordinatorEnv } from "./checkpoint_coordinator";
import { systemClock } from "./coordinator_clock";
import { chooseRestorePoint } from "./restore_point";
import { acquireTaskManagers, releaseTaskManagers } from "./task_manager_pool";
import { StreamJobStats } from "./stream_job_stats";
import { QuiescenceDriver } from "./quiescence_driver";

/** Phase timings on stderr when MILLRACE_STREAM_DEBUG is set, for diagnosing slow starts and ends. */
const debug = process.env.MILLRACE_STREAM_DEBUG
  ? (what: string): void => void process.stderr.write(`[stream ${Math.round(performance.now())} ms] ${what}\n`)
  : (): void => undefined;

/** How an attempt ended. */
type AttemptOutcome =
  | { readonly kind: "finished" }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly failure: WorkerFailure; readonly where: string };

/** Runs one job on the stream runner. */
export class JobMaster {
  private readonly storage: CheckpointStorage;
  private lastCompleted: CompletedCheckpoint | undefined;
  /** The id of the next checkpoint: ids go on across attempts, so sinks never commit under a reused id. */
  private nextCheckpointId = 1;
  private readonly jobRunId: string;
  readonly stats: StreamJobStats;

  constructor(
    private readonly model: PipelineModel,
    private readonly graph: JobGraph,
    private readonly pipelineProto: Uint8Array,
    private readonly settings: StreamSettings,
    private readonly job: JobHandle,
    /** True when task managers may be reused by later jobs. */
    private readonly reusable: boolean,
    private readonly faults: readonly FaultSpec[],
  ) {
    const textSinks = model.leaves
      .filter((t) => t.urn === "beam:transform:write_files:v1")
      .map((t) => ({ transform: t.id, sink: model.textSinkPayload(t.id) }));
    this.lastCompleted = chooseRestorePoint(settings, {
      vertices: graph.vertices.map((v) => v.id),
      parallelism: settings.parallelism,
      textSinks,
    });
    this.storage = new CheckpointStorage(settings.checkpointDir, settings.retainedCheckpoints);
    // Above every id on disk, even one restored past (damaged, never registered): retention keeps the highest ids.
    this.nextCheckpointId = Math.max(this.lastCompleted?.metadata.id ?? 0, this.storage.highestId()) + 1;
    this.jobRunId = this.lastCompleted?.metadata.jobRunId ?? jobRunIdIn(settings.checkpointDir, newTimeOrderedId());
    this.stats = new StreamJobStats(graph, settings.parallelism, job.progress);
  }

  /** True when the job plays a TestStream: its events are paced by quiescence (see QuiescenceDriver). */
  private get hasTestStream(): boolean {
    return this.graph.vertices.some((v) => v.kind === "stage" && v.stage.root.kind === "testStream");
  }

  /** Runs attempts until the job finishes, is cancelled, or fails for good. */
  async run(): Promise<void> {
    let previous: WorkerFailure | undefined;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.runAttempt(attempt);
      if (outcome.kind !== "failed") return;
      const decision = decideRetry(attempt + 1, this.settings.restartAttempts + 1, outcome.failure, previous);
      if (!decision.retry) {
        const why = whyNotRetried(decision);
        throw errorOfWorkerFailure(
          `${outcome.where} (after ${attempt} restart${attempt === 1 ? "" : "s"}${why ? `; ${why}` : ""})`,
          outcome.failure,
        );
      }
      previous = outcome.failure;
      this.stats.restarts++;
      this.stats.publish();
      await new Promise((r) => setTimeout(r, this.settings.restartDelayMs));
      if (this.job.isCancelRequested) return;
    }
  }

  private runAttempt(attempt: number): Promise<AttemptOutcome> {
    const p = this.settings.parallelism;
    const attemptId = `a${attempt}-${newTimeOrderedId()}`;
    debug(`attempt ${attempt}: deploy`);
    const workers = acquireTaskManagers(p, this.reusable);
    const status: (readonly SubtaskStatus[] | undefined)[] = new Array(p).fill(undefined);
    let ready = 0;
    let stopping = false;
    let stopped = 0;
    let settled = false;
    let cancelPoll: NodeJS.Timeout | undefined;

    return new Promise<AttemptOutcome>((resolve) => {
      /** Threads that exited or crashed: never reused. */
      const dead = new Array<boolean>(p).fill(false);
      const alive = (): number => dead.filter((d) => !d).length;
      let failure: AttemptOutcome | undefined;
      let stopTimeout: NodeJS.Timeout | undefined;
      const send = (i: number, msg: MasterMessage, transfer: MessagePort[] = []): void => {
        if (!dead[i]) workers[i]!.postMessage(msg, transfer);
      };
      const broadcast = (msg: MasterMessage): void => workers.forEach((_, i) => send(i, msg));
      const finish = (outcome: AttemptOutcome): void => {
        if (settled) return;
        settled = true;
        coordinator.shutdown();
        clearInterval(cancelPoll);
        clearTimeout(stopTimeout);
        // Threads that stopped when asked are healthy: they keep their loaded code for the restart.
        const stoppedWell = stopped >= alive();
        releaseTaskManagers(
          workers,
          workers.map((_, i) => this.reusable && stoppedWell && !dead[i]),
        );
        resolve(outcome);
      };
      const stopAll = (): void => {
        if (stopping) return;
        stopping = true;
        quiescence?.stop();
        coordinator.stopTriggering();
        broadcast({ type: "stop" });
      };
      /** A failure: stops the other subtasks (threads that do not stop in time are terminated), then the attempt ends. */
      const fail = (where: string, f: WorkerFailure): void => {
        if (failure || settled) return;
        failure = { kind: "failed", failure: f, where };
        stopAll();
        stopTimeout = setTimeout(() => finish(failure!), 2000);
        if (stopped >= alive()) finish(failure);
      };
      const coordinator = this.coordinatorFor(broadcast, {
        onFinalComplete: stopAll,
        onPersistFailed: (id, e) => fail(`checkpoint ${id} could not be written`, { message: e.message }),
      });
      // TestStreams are read by subtask 0, on task manager 0; a pipeline without one pays nothing.
      const quiescence = this.hasTestStream
        ? new QuiescenceDriver(p, { probe: (round) => broadcast({ type: "probe", round }), playNext: () => send(0, { type: "playNext" }) })
        : undefined;

      /**
       * Every subtask has finished: the final checkpoint commits what sinks
       * hold, then the job stops. Every subtask has finished or waits only
       * for its files to be committed (a sink whose file names have
       * consumers): a checkpoint commits them, their names go downstream,
       * and the subtasks finish.
       */
      const onStatus = (i: number, subtasks: readonly SubtaskStatus[]): void => {
        status[i] = subtasks;
        this.stats.update(i, subtasks);
        if (status.every((s) => s !== undefined && s.every((t) => t.finished))) coordinator.requestFinal();
        else if (status.every((s) => s !== undefined && s.every((t) => t.finished || t.awaitingCommit))) coordinator.requestCommit();
      };

      workers.forEach((w, i) => {
        w.on("message", (msg: WorkerMessage) => {
          if (settled || (failure && msg.type !== "stopped")) return;
          switch (msg.type) {
            case "ready":
              if (++ready === p) {
                debug("all task managers ready");
                this.cleanUpSinks(attemptId);
                broadcast({ type: "start" });
                coordinator.startPeriodic();
                quiescence?.start();
              }
              return;
            case "ack":
              coordinator.acknowledge(msg.checkpointId, msg.vertex, msg.subtask, msg.state, msg.metrics);
              return;
            case "decline":
              coordinator.decline(msg.checkpointId, `task manager ${i}: ${msg.reason}`);
              return;
            case "status":
              onStatus(i, msg.subtasks);
              return;
            case "quiet":
              quiescence?.onReport(i, msg.report);
              return;
            case "failed":
              fail(`subtask ${i} failed`, msg.failure);
              return;
            case "stopped": {
              const cancelled = !failure && this.job.isCancelRequested && !coordinator.finalCheckpointDone;
              // A cancelled job's work since its last checkpoint is not replayed by anyone: its metrics count as attempted.
              if (cancelled) addMetricResults(this.job.totals, msg.uncommittedMetrics);
              if (++stopped < alive()) return;
              debug("all stopped");
              finish(failure ?? (cancelled ? { kind: "cancelled" } : { kind: "finished" }));
              return;
            }
          }
        });
        w.on("error", (e) => {
          dead[i] = true;
          fail(`task manager ${i} crashed`, { message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
        });
        w.on("exit", (code) => {
          dead[i] = true;
          if (!failure && !settled) fail(`task manager ${i} exited`, { message: `worker thread ${i} exited with code ${code}` });
          else if (stopped >= alive()) finish(failure ?? { kind: "finished" });
        });
      });

      cancelPoll = setInterval(() => {
        if (this.job.isCancelRequested) stopAll();
      }, 50);

      this.deploy(workers, send, attempt, attemptId);
    });
  }

  /** A coordinator for one attempt: checkpoints go to storage, complete ones to the subtasks, the stats and the job's metrics. */
  private coordinatorFor(
    broadcast: (msg: MasterMessage) => void,
    attempt: Pick<CheckpointCoordinatorEnv<CheckpointMetadata>, "onFinalComplete" | "onPersistFailed">,
  ): CheckpointCoordinator<CheckpointMetadata> {
    const p = this.settings.parallelism;
    const vertices = this.graph.vertices;
    const coordinator = new CheckpointCoordinator<CheckpointMetadata>(
      {
        vertices: vertices.length,
        parallelism: p,
        intervalMs: this.settings.checkpointingIntervalMs,
        minPauseMs: this.settings.minPauseBetweenCheckpointsMs,
        timeoutMs: this.settings.checkpointTimeoutMs,
        firstId: this.nextCheckpointId,
      },
      {
        clock: systemClock,
        triggerTasks: (id, final) => {
          this.nextCheckpointId = id + 1;
          debug(`trigger checkpoint ${id}${final ? " (final)" : ""}`);
          broadcast({ type: "trigger", checkpointId: id });
        },
        persist: (c) => this.storage.write(c.id, { jobRunId: this.jobRunId, parallelism: p, vertices: vertices.map((v) => v.id) }, c.state),
        notifyComplete: (c, metadata) => {
          debug(`checkpoint ${c.id} complete`);
          this.lastCompleted = { metadata, state: c.state };
          // Accepted: only now does the checkpoint get its final name, so one written but never accepted is never restored.
          this.storage.register(this.lastCompleted);
          addMetricResults(this.job.totals, c.metrics);
          this.stats.checkpointCompleted(c.id, c.durationMs, metadata.sizeBytes);
          broadcast({ type: "complete", checkpointId: c.id });
        },
        onAborted: (id, reason) => debug(`checkpoint ${id} aborted: ${reason}`),
        ...attempt,
      },
    );
    return coordinator;
  }

  /** Wires one channel per pair of task managers and deploys the job on each, with its part of the restored checkpoint. */
  private deploy(
    workers: readonly Worker[],
    send: (i: number, msg: MasterMessage, transfer: MessagePort[]) => void,
    attempt: number,
    attemptId: string,
  ): void {
    const p = this.settings.parallelism;
    const restore = this.lastCompleted;
    const peers: (MessagePort | undefined)[][] = workers.map(() => new Array<MessagePort | undefined>(p).fill(undefined));
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const { port1, port2 } = new MessageChannel();
        peers[i]![j] = port1;
        peers[j]![i] = port2;
      }
    }
    workers.forEach((_, i) => {
      const state: Record<number, Uint8Array> = {};
      if (restore) restore.state.forEach((perVertex, v) => (state[v] = perVertex[i]!));
      const ports = peers[i]!.filter((x): x is MessagePort => x !== undefined);
      send(
        i,
        {
          type: "deploy",
          pipelineProto: this.pipelineProto,
          settings: this.settings,
          worker: i,
          peers: peers[i]!,
          restore: state,
          jobRunId: this.jobRunId,
          attemptId,
          faults: this.faults.filter((f) => f.attempt === attempt),
        },
        ports,
      );
    });
  }

  /** Deletes sink files of earlier attempts that no completed checkpoint published. */
  private cleanUpSinks(attemptId: string): void {
    for (const t of this.model.leaves) {
      if (t.urn === "beam:transform:write_files:v1") deleteAbandonedFiles(this.model.textSinkPayload(t.id), this.jobRunId, attemptId);
    }
  }
}
