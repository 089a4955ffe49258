/**
 * Loads Beam's Fn API (`beam_fn_api.proto`) and the MonitoringInfo subset
 * (`metrics.proto`) with protobufjs, beside the Runner API messages they
 * refer to, into a root of their own: the SDK harness and the engines'
 * drivers use it; pipelines never do, so the shared Runner API root stays as
 * it is.
 *
 * @module
 */
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { BEAM_PROTO_FILES, findProtoDir } from "./proto_root";

/** Protobuf package of the Fn API messages and services. */
export const FN_API_PROTO_PACKAGE = "org.apache.beam.model.fn_execution.v1";

/** The `.proto` files of the Fn API root, in load order (the Runner API's first). */
export const FN_API_PROTO_FILES = [...BEAM_PROTO_FILES, "metrics.proto", "beam_fn_api.proto"] as const;

/** Loads a fresh, resolved root with the Runner API, metrics and Fn API messages. */
export function loadFnApiRoot(options: { keepCase?: boolean; protoDir?: string } = {}): protobuf.Root {
  const dir = options.protoDir ?? findProtoDir();
  const root = new protobuf.Root();
  root.loadSync(
    FN_API_PROTO_FILES.map((f) => path.join(dir, f)),
    { keepCase: options.keepCase ?? false },
  );
  root.resolveAll();
  return root;
}

/** The shared Fn API root (camelCase field names), loaded once. */
export const fnApiRoot: protobuf.Root = loadFnApiRoot();

/** A Fn API message type by its name in the Fn API package, e.g. `"InstructionRequest"` or `"StateKey.BagUserState"`. */
export function fnApiType(name: string): protobuf.Type {
  return fnApiRoot.lookupType(`${FN_API_PROTO_PACKAGE}.${name}`);
}

/** A Fn API service by name, e.g. `"BeamFnControl"`. */
export function fnApiService(name: string): protobuf.Service {
  return fnApiRoot.lookupService(`${FN_API_PROTO_PACKAGE}.${name}`);
}
