/**
 * gRPC for Beam's portability services (Job, Artifact, Provision and, in the
 * harness, Fn API) on grpc-js, with service definitions taken from the
 * protobufjs root instead of generated code.
 *
 * @module
 */
export * from "./service_definition";
export * from "./channels";
export * from "./beam_services";
