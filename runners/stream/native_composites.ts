/**
 * Which composites the stream runner executes itself: those of every runner
 * with a file sink (runners/core/file_sinks), and `io.kafka.write`'s sink
 * always, bounded pipelines included: the stream runner checkpoints bounded
 * jobs too, so its Kafka sink commits with them exactly once. The runner
 * and its task managers decide from the same proto bytes.
 */
import { nativeCompositesWithFileSinkFor } from "../core/file_sinks";
import { MillraceUrns } from "../../portability/urns";

/** The native composites to decode and plan `pipelineProto` with on this runner. */
export function streamNativeComposites(pipelineProto: Uint8Array): readonly string[] {
  return [...new Set([...nativeCompositesWithFileSinkFor(pipelineProto), MillraceUrns.KAFKA_WRITE])];
}
