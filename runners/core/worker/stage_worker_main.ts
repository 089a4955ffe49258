/**
 * Entry point of a stage worker thread: runs the {@link runStageTask} it is
 * given in `workerData` and posts back the outputs, or the error.
 */
import { parentPort, workerData } from "node:worker_threads";
// Load the package root first: it registers the runners, and user modules
// that import "millrace" share this same instance.
import "../../../index";
import { runStageTask, type StageTaskInput } from "./stage_task";

runStageTask(workerData as StageTaskInput).then(
  (output) => parentPort!.postMessage({ ok: true, output }),
  (e: unknown) => {
    const err = e as Error & { transform?: string };
    parentPort!.postMessage({ ok: false, error: { name: err.name, message: err.message, stack: err.stack, transform: err.transform } });
  },
);
