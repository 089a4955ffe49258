/**
 * The full names of Beam's gRPC services and their definitions from millrace's
 * shared proto root, built once on first use.
 *
 * @module
 */
import type * as grpc from "@grpc/grpc-js";
import { protoRoot } from "../proto/proto_root";
import { serviceDefinition } from "./service_definition";

/** Full proto names of the Beam services millrace speaks. */
export const BeamServices = {
  JobService: "org.apache.beam.model.job_management.v1.JobService",
  ArtifactStagingService: "org.apache.beam.model.job_management.v1.ArtifactStagingService",
  ArtifactRetrievalService: "org.apache.beam.model.job_management.v1.ArtifactRetrievalService",
  ProvisionService: "org.apache.beam.model.fn_execution.v1.ProvisionService",
} as const;

const cache = new Map<string, grpc.ServiceDefinition<grpc.UntypedServiceImplementation>>();

/**
 * The grpc-js definition of a Beam service by its full proto name (one of
 * {@link BeamServices}, or any other service in the shared root such as the
 * Fn API's), from the shared proto root.
 */
export function beamServiceDefinition(fullName: string): grpc.ServiceDefinition<grpc.UntypedServiceImplementation> {
  let def = cache.get(fullName);
  if (def === undefined) {
    def = serviceDefinition(protoRoot, fullName);
    cache.set(fullName, def);
  }
  return def;
}
