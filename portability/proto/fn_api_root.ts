/**
 * Beam's Fn API (`beam_fn_api.proto`: control, data, state, logging, worker
 * pool) as the SDK harness looks it up. The messages live in the shared
 * proto root beside the Runner API ones they embed (see
 * `BEAM_SERVICE_PROTO_FILES`); this module names their package.
 *
 * @module
 */
import type * as protobuf from "protobufjs";
import { loadBeamProtoRoot, protoRoot } from "./proto_root";

/** Protobuf package of the Fn API messages and services. */
export const FN_API_PROTO_PACKAGE = "org.apache.beam.model.fn_execution.v1";

/** The root holding the Fn API (the shared proto root). */
export const fnApiRoot: protobuf.Root = protoRoot;

/** Loads a fresh root with the Fn API, e.g. with `keepCase: true` to see the `.proto` field names. */
export function loadFnApiRoot(options: { keepCase?: boolean; protoDir?: string } = {}): protobuf.Root {
  return loadBeamProtoRoot(options);
}

/** A Fn API message type by its name in the Fn API package, e.g. `"InstructionRequest"` or `"StateKey.BagUserState"`. */
export function fnApiType(name: string): protobuf.Type {
  return fnApiRoot.lookupType(`${FN_API_PROTO_PACKAGE}.${name}`);
}

/** The full proto names of the Fn API services. */
export const FnApiServices = {
  Control: `${FN_API_PROTO_PACKAGE}.BeamFnControl`,
  Data: `${FN_API_PROTO_PACKAGE}.BeamFnData`,
  State: `${FN_API_PROTO_PACKAGE}.BeamFnState`,
  Logging: `${FN_API_PROTO_PACKAGE}.BeamFnLogging`,
  ExternalWorkerPool: `${FN_API_PROTO_PACKAGE}.BeamFnExternalWorkerPool`,
  WorkerStatus: `${FN_API_PROTO_PACKAGE}.BeamFnWorkerStatus`,
} as const;
