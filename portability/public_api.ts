/**
 * The portable representation: Beam Runner API `Pipeline` protos.
 *
 * @packageDocumentation
 */
export { toProto, type ToProtoOptions } from "./to_proto";
export { fromProto, InvalidPipelineError, type FromProtoOptions } from "./from_proto";
export { PipelineModel, type LeafTransform } from "./pipeline_model";
