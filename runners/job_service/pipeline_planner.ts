/**
 * Plans a submitted pipeline off the service's event loop: each proto is
 * decoded, validated and planned on a worker thread of its own, with a
 * memory cap, a time limit and a bound on how many plan at once, so that a
 * huge or hostile proto costs its submitter time and never stalls other
 * clients (a 7.9 MB proto of 32,000 ParDos used to block the service 18 s).
 */
import * as path from "node:path";
import type { PipelineGraph } from "../../portability/job_api/job_api_protocol";
import { startWorker } from "../core/worker/worker_entry";

/** What the plan worker is given. */
export interface PlanRequest {
  /** The pipeline proto. */
  readonly pipelineProto: Uint8Array;
  /** The runner it is planned for. */
  readonly runner: string;
}

/** What the plan worker answers: the graph, or why the proto is invalid. */
export type PlanReply =
  { readonly graph: PipelineGraph; readonly error?: undefined } | { readonly error: string; readonly graph?: undefined };

/** The default limit on a pipeline proto's size, bytes. */
export const DEFAULT_MAX_PIPELINE_BYTES = 16 * 1024 * 1024;

/** How long planning one pipeline may take, ms. */
export const PLAN_TIME_LIMIT_MS = 120_000;

/** How many pipelines are planned at once; more wait their turn. */
const CONCURRENT_PLANS = 2;

/** The heap a plan worker may use, MB. */
const PLAN_HEAP_MB = 1024;

/** Thrown for a proto the service will not run; the message says why. */
export class InvalidPipelineError extends Error {
  /** Always `"InvalidPipelineError"`. */
  override readonly name = "InvalidPipelineError";
}

/** Plans pipelines on worker threads, a few at a time. */
export class PipelinePlanner {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param maxPipelineBytes the largest proto accepted. */
  constructor(readonly maxPipelineBytes: number = DEFAULT_MAX_PIPELINE_BYTES) {}

  /** The plan of `pipelineProto` as `runner` runs it; rejects with an {@link InvalidPipelineError} that says what is wrong. */
  async plan(pipelineProto: Uint8Array, runner: string): Promise<PipelineGraph> {
    if (pipelineProto.length > this.maxPipelineBytes) {
      throw new InvalidPipelineError(
        `the pipeline proto is ${pipelineProto.length} bytes, more than this job service plans (${this.maxPipelineBytes} bytes; start it with a larger --maxPipelineBytes)`,
      );
    }
    await this.turn();
    try {
      return await planOnWorker(pipelineProto, runner);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private turn(): Promise<void> {
    if (this.running < CONCURRENT_PLANS) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve();
      }),
    );
  }
}

function planOnWorker(pipelineProto: Uint8Array, runner: string): Promise<PipelineGraph> {
  return new Promise((resolve, reject) => {
    // The worker is on the top floor (cli/): planning asks every runner which composites it runs itself.
    const worker = startWorker(path.join(__dirname, "..", "..", "cli"), "plan_worker", {
      resourceLimits: { maxOldGenerationSizeMb: PLAN_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new InvalidPipelineError(
              `planning the pipeline took longer than ${PLAN_TIME_LIMIT_MS / 1000} s: it is too large for this job service`,
            ),
          ),
        ),
      PLAN_TIME_LIMIT_MS,
    );
    timer.unref();
    worker.once("message", (reply: PlanReply) =>
      settle(() => (reply.graph ? resolve(reply.graph) : reject(new InvalidPipelineError(reply.error)))),
    );
    worker.once("error", (e) => settle(() => reject(new InvalidPipelineError(`planning the pipeline failed: ${e.message}`))));
    worker.once("exit", (code) => settle(() => reject(new InvalidPipelineError(`planning the pipeline stopped (exit code ${code})`))));
    worker.postMessage({ pipelineProto, runner } satisfies PlanRequest);
  });
}
