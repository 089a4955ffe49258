/**
 * How a built pipeline leaves the SDK: it is written as Beam Runner API
 * bytes, then handed to a runner in this process or submitted to a job
 * service. Both live on the floor above the SDK (portability), which
 * provides them here when the package root loads; the SDK never imports
 * upward.
 */
import type { PipelineResult } from "../model/pipeline_result";
import type { PipelineOrigin } from "./user_code/user_code_source";
import type { Pipeline } from "./pipeline";

/** What is sent to a job service: the proto, the options and where the code lives. */
export interface RemoteLaunchRequest {
  /** The portable pipeline. */
  readonly pipelineProto: Uint8Array;
  /** The options the job runs with (runner and its flags, the pipeline's flags). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Where the pipeline is built: its module is bundled and staged. */
  readonly origin: PipelineOrigin;
  /** The job's name. */
  readonly jobName: string;
}

/** The two steps the portability floor provides. */
export interface PipelineLaunch {
  /** The pipeline as Runner API bytes; `runIndex` tells its runs within one module apart. */
  toProto(pipeline: Pipeline, options: { readonly runIndex: number }): Uint8Array;
  /** Submits to the job service at `endpoint` and follows the job. */
  submitRemote(request: RemoteLaunchRequest, endpoint: { readonly endpoint: string; readonly token?: string }): PipelineResult;
}

let provided: PipelineLaunch | undefined;

/** Called once by the portability floor when the package root loads. */
export function providePipelineLaunch(launch: PipelineLaunch): void {
  provided = launch;
}

/** The provided launch steps; a clear error if the package root was never loaded. */
export function pipelineLaunch(): PipelineLaunch {
  if (!provided)
    throw new Error("millrace: Pipeline.run() needs the package root loaded: import from 'millrace', not from its internal modules");
  return provided;
}
