import { startWorker } from "./worker_entry";
import type { StageTaskInput, StageTaskOutput } from "./stage_task";

/** A stage failed on a worker; the message and stack are the worker's. */
export class StageWorkerError extends Error {
  override readonly name = "StageWorkerError";
  constructor(
    message: string,
    /** The transform that failed, when the worker knew it. */
    readonly transform: string | undefined,
    remoteStack: string | undefined,
  ) {
    super(message);
    if (remoteStack) this.stack = `${this.name}: ${message}\n  on the worker:\n${remoteStack}`;
  }
}

/**
 * Runs one stage on a new worker thread, which knows nothing but the task:
 * the proto bytes, the stage id and the encoded inputs.
 */
export function runStageOnWorker(task: StageTaskInput): Promise<StageTaskOutput> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(__dirname, "stage_worker_main", { workerData: task });
    let settled = false;
    worker.once("message", (msg: { ok: true; output: StageTaskOutput } | { ok: false; error: { message: string; stack?: string; transform?: string } }) => {
      settled = true;
      if (msg.ok) resolve(msg.output);
      else reject(new StageWorkerError(msg.error.message, msg.error.transform, msg.error.stack));
      void worker.terminate();
    });
    worker.once("error", (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new StageWorkerError(`stage worker exited with code ${code} before answering`, undefined, undefined));
    });
  });
}
