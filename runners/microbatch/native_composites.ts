/**
 * Which composites the micro-batch runner executes itself: for an unbounded
 * pipeline also `io.writeText`, written by its exactly-once batch file sink.
 * The driver and every executor decide from the same proto bytes, so they
 * plan the same stages.
 */
import { IsBounded, decodeMessage } from "../../portability/proto/messages";
import { NATIVE_COMPOSITES, NATIVE_COMPOSITES_WITH_FILE_SINK } from "../core/fusion";

/** True when the pipeline has an unbounded PCollection (it runs as micro-batches). */
export function isUnboundedPipeline(pipelineProto: Uint8Array): boolean {
  const pipeline = decodeMessage("Pipeline", pipelineProto);
  return Object.values(pipeline.components?.pcollections ?? {}).some((pc) => pc.isBounded === IsBounded.UNBOUNDED);
}

/** The native composites to decode and plan `pipelineProto` with on this runner. */
export function microbatchNativeComposites(pipelineProto: Uint8Array): readonly string[] {
  return isUnboundedPipeline(pipelineProto) ? NATIVE_COMPOSITES_WITH_FILE_SINK : NATIVE_COMPOSITES;
}
