/**
 * The executors: worker threads that run tasks. A task goes to an idle
 * executor; an executor that dies fails its task (the driver retries it)
 * and is replaced.
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../core/worker/worker_entry";
import type { ExecutorReply, ExecutorRequest } from "./executor_main";
import type { TaskFailure, TaskResult, TaskSpec } from "./task_spec";

interface Executor {
  worker: Worker;
  busy: boolean;
  jobs: Set<string>;
}

interface Queued {
  task: TaskSpec;
  resolve: (r: TaskResult) => void;
  reject: (f: TaskFailure) => void;
}

/** A fixed number of executor threads. */
export class ExecutorPool {
  private readonly executors: Executor[] = [];
  private readonly queue: Queued[] = [];
  private readonly protos = new Map<string, Uint8Array>();
  private closed = false;

  constructor(
    size: number,
    /** Heap limit of each executor thread, in MB (Node's default when absent). */
    private readonly heapMb?: number,
  ) {
    for (let i = 0; i < size; i++) this.executors.push(this.spawn());
  }

  /**
   * Makes a job's proto available to executors and sends it to each at
   * once: every executor loads the job (rebuilds its pipeline, on a first
   * job) in parallel with the others and with the driver's planning,
   * instead of when its first task reaches it. An executor started later
   * (a replacement) gets it before its first task.
   */
  addJob(jobId: string, pipelineProto: Uint8Array): void {
    this.protos.set(jobId, pipelineProto);
    for (const executor of this.executors) this.sendJob(executor, jobId);
  }

  /**
   * Tells every executor the job is over: they run its last bundle
   * finalizations when all its work is `committed`, then tear down its DoFns.
   */
  forgetJob(jobId: string, committed: boolean): void {
    for (const e of this.executors) {
      if (e.jobs.delete(jobId)) e.worker.postMessage({ type: "forget", jobId, committed } satisfies ExecutorRequest);
    }
    this.protos.delete(jobId);
  }

  /** Runs a task on the next idle executor. */
  run(task: TaskSpec): Promise<TaskResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every executor. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.executors.map((e) => e.worker.terminate()));
  }

  private spawn(): Executor {
    const worker = startWorker(__dirname, "executor_main", this.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } } : {});
    const executor: Executor = { worker, busy: false, jobs: new Set() };
    executor.worker.unref();
    return executor;
  }

  private dispatch(): void {
    for (const executor of this.executors) {
      if (this.queue.length === 0) return;
      if (executor.busy) continue;
      this.start(executor, this.queue.shift()!);
    }
  }

  private start(executor: Executor, item: Queued): void {
    executor.busy = true;
    // A busy executor keeps the process alive until its task reports; idle ones do not.
    executor.worker.ref();
    const { task } = item;
    this.sendJob(executor, task.jobId);
    const w = executor.worker;
    const settle = (): void => {
      w.off("message", onMessage);
      w.off("exit", onExit);
      w.off("error", onError);
      executor.busy = false;
      w.unref();
    };
    const onMessage = (reply: ExecutorReply): void => {
      settle();
      if (reply.type === "done") item.resolve(reply.result);
      else item.reject(reply.failure);
      this.dispatch();
    };
    const onError = (e: Error): void => {
      settle();
      item.reject({ message: `executor crashed: ${e.message}`, ...(e.stack ? { stack: e.stack } : {}) });
      this.replace(executor);
    };
    const onExit = (code: number): void => {
      settle();
      item.reject({ message: `executor exited with code ${code} while running the task` });
      this.replace(executor);
    };
    w.on("message", onMessage);
    w.once("error", onError);
    w.once("exit", onExit);
    w.postMessage({ type: "task", task } satisfies ExecutorRequest);
  }

  private sendJob(executor: Executor, jobId: string): void {
    if (executor.jobs.has(jobId)) return;
    executor.worker.postMessage({ type: "job", jobId, pipelineProto: this.protos.get(jobId)! } satisfies ExecutorRequest);
    executor.jobs.add(jobId);
  }

  private replace(dead: Executor): void {
    if (this.closed) return;
    const i = this.executors.indexOf(dead);
    void dead.worker.terminate();
    this.executors[i] = this.spawn();
    this.dispatch();
  }
}
