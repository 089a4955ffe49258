/**
 * Gives the SDK its way out: translation to the Runner API proto and
 * submission to a job service (see `sdk/pipeline_launch.ts`). Loaded for its
 * effect by the package root, before any pipeline runs.
 */
import { providePipelineLaunch } from "../sdk/pipeline_launch";
import { toProto } from "./to_proto";
import { RemoteJob } from "./job_api/remote_job";

providePipelineLaunch({
  toProto: (pipeline, options) => toProto(pipeline, options),
  submitRemote: (request, endpoint) => new RemoteJob(request, endpoint),
});
