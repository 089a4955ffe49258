/**
 * Which composites the micro-batch runner executes itself: for an unbounded
 * pipeline also `io.writeText`, written by its exactly-once batch file sink
 * (the rule every runner with a file sink follows, in runners/core/file_sinks).
 * The driver and every executor decide from the same proto bytes, so they
 * plan the same stages.
 */
import { isUnboundedPipeline, nativeCompositesWithFileSinkFor } from "../core/file_sinks";

export { isUnboundedPipeline };

/** The native composites to decode and plan `pipelineProto` with on this runner. */
export function microbatchNativeComposites(pipelineProto: Uint8Array): readonly string[] {
  return nativeCompositesWithFileSinkFor(pipelineProto);
}
