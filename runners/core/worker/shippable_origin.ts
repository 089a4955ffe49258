/**
 * Before a runner starts worker threads: where the pipeline's code comes
 * from, refused with a message naming the first user transform when
 * workers could not rebuild it (a pipeline built in a REPL, say).
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import { SDK_ENVIRONMENT_ID } from "../../../portability/to_proto";
import { decodeJsonPayload, type EnvironmentPayload } from "../../../portability/payloads";
import { whyNotShippable } from "../../../portability/user_code/rebuild_user_code";

/** The pipeline's origin, or an error when `workers` (e.g. "executors") could not load its code. */
export function shippableOrigin(model: PipelineModel, workers: string): EnvironmentPayload {
  const origin = decodeJsonPayload<EnvironmentPayload>(model.components.environments[SDK_ENVIRONMENT_ID]!.payload, "environment");
  const reason = whyNotShippable(origin);
  if (reason)
    throw new Error(
      `the pipeline's code cannot be shipped to ${workers} (first user transform: '${model.firstUserTransform()}'): ${reason}`,
    );
  return origin;
}
