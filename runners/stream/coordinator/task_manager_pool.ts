/**
 * Task managers: the worker threads subtasks run on. Like Flink's session
 * cluster, they outlive jobs: a job of a `definePipeline` pipeline borrows
 * threads from the pool and gives them back when it ends well, so the next
 * job finds its code loaded. A job of a script (rebuilt by running the
 * module again) and a failed job's threads are not reused.
 */
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import { startWorker } from "../../core/worker/worker_entry";

const idle: Worker[] = [];

/** Starts or reuses `n` task manager threads. */
export function acquireTaskManagers(n: number, reusable: boolean): Worker[] {
  const out: Worker[] = [];
  while (reusable && out.length < n && idle.length > 0) {
    const w = idle.pop()!;
    w.ref();
    out.push(w);
  }
  while (out.length < n) out.push(startWorker(path.join(__dirname, "..", "worker"), "stream_worker_main"));
  return out;
}

/** Returns threads after a job: each kept idle (not holding the process open) when reusable, terminated otherwise. */
export function releaseTaskManagers(workers: readonly Worker[], reusable: readonly boolean[]): void {
  for (const [i, w] of workers.entries()) {
    w.removeAllListeners("message");
    w.removeAllListeners("error");
    w.removeAllListeners("exit");
    if (reusable[i]) {
      w.unref();
      idle.push(w);
    } else {
      void w.terminate();
    }
  }
}
