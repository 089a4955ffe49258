/**
 * How runners treat `io.writeText`, in one place. A bounded pipeline runs
 * the composite's expansion on every runner (sharded files
 * `<prefix>-SSSSS-of-NNNNN<suffix>`, exactly `numShards`, the file names as
 * its output); only an unbounded pipeline's global-window writes go to a
 * runner's own exactly-once file sink (files per checkpoint or per batch).
 * And whatever a failed job wrote without publishing is deleted, so a
 * failure never leaves output behind.
 */
import * as path from "node:path";
import type { PipelineModel } from "../../portability/pipeline_model";
import { IsBounded, decodeMessage } from "../../portability/proto/messages";
import { TransformUrns } from "../../portability/urns";
import { discardUnpublished, HIDDEN_FILE_PREFIX, PENDING_FILE_PREFIX } from "../../sdk/io/file_commit";
import { NATIVE_COMPOSITES, NATIVE_COMPOSITES_WITH_FILE_SINK } from "./fusion";

/** True when the pipeline has an unbounded PCollection. */
export function isUnboundedPipeline(pipelineProto: Uint8Array): boolean {
  const pipeline = decodeMessage("Pipeline", pipelineProto);
  return Object.values(pipeline.components?.pcollections ?? {}).some((pc) => pc.isBounded === IsBounded.UNBOUNDED);
}

/**
 * The native composites of a runner that has its own file sink, for
 * `pipelineProto`: the sink only for unbounded pipelines, so bounded output
 * is named, sharded and returned the same way on every runner. The runner
 * and its workers decide from the same bytes, so they plan the same stages.
 */
export function nativeCompositesWithFileSinkFor(pipelineProto: Uint8Array): readonly string[] {
  return isUnboundedPipeline(pipelineProto) ? NATIVE_COMPOSITES_WITH_FILE_SINK : NATIVE_COMPOSITES;
}

/** The output prefixes of the pipeline's `io.writeText` transforms. */
export function textSinkPrefixes(model: PipelineModel): string[] {
  return Object.entries(model.components.transforms)
    .filter(([, t]) => t.spec?.urn === TransformUrns.WRITE_FILES)
    .map(([id]) => model.textSinkPayload(id).prefix);
}

/**
 * After a failed job: deletes the files its writeText transforms wrote and
 * did not publish (temporary shards, stream files pending a checkpoint), so
 * the output directory holds only what a completed step published. Files
 * staged for a micro-batch commit are the micro-batch driver's to keep or
 * roll back (a committed batch's staged files are published on restart).
 * Best effort: a clean-up error never hides the job's own failure.
 */
export function discardUnpublishedWrites(model: PipelineModel): void {
  for (const prefix of textSinkPrefixes(model)) {
    try {
      const base = path.basename(prefix);
      discardUnpublished(prefix, [`${HIDDEN_FILE_PREFIX}${base}-`, `${PENDING_FILE_PREFIX}${base}-`]);
    } catch {
      // Nothing to add: the job's failure is what the user must see.
    }
  }
}
