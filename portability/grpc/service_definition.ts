/**
 * gRPC service definitions built at run time from the protobufjs root: the
 * `.proto` files we load anyway describe every service and message, so there
 * is no code generation step and no second copy of the schema. A method's
 * (de)serializers are its protobufjs request and response types.
 *
 * @module
 */
import type * as grpc from "@grpc/grpc-js";
import * as protobuf from "protobufjs";

/**
 * How decoded messages look: int64 as `number`, enums as numbers, bytes as
 * `Uint8Array` (Node Buffers), every field present with its default, the name
 * of the set member of each oneof beside it. Matches `decodeMessage`.
 */
export const GRPC_CONVERSION_OPTIONS: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/** Options for {@link serviceDefinition}. */
export interface ServiceDefinitionOptions {
  /** How received messages are turned into plain objects; default {@link GRPC_CONVERSION_OPTIONS}. */
  conversion?: protobuf.IConversionOptions;
}

/** A gRPC message as millrace passes it: a plain object shaped like the proto (camelCase fields). */
export type GrpcMessage = Record<string, unknown>;

/**
 * Turns a plain object (or bytes already encoded as the type, passed through
 * unchanged so a caller can splice in e.g. a pipeline's exact bytes) into the
 * wire bytes of `type`. Enums are given as numbers. Encoding errors name the
 * message type and the field.
 */
export function messageSerializer(type: protobuf.Type): (value: GrpcMessage | Uint8Array) => Buffer {
  return (value) => {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    // verify first: fromObject would quietly coerce e.g. an object into a string field.
    const problem = type.verify(value);
    if (problem !== null) throw new Error(`cannot encode ${type.fullName.slice(1)}: ${problem}`);
    try {
      return Buffer.from(type.encode(type.fromObject(value)).finish());
    } catch (e) {
      throw new Error(`cannot encode ${type.fullName.slice(1)}: ${(e as Error).message}`, { cause: e });
    }
  };
}

/** Turns the wire bytes of `type` into a plain object (see {@link GRPC_CONVERSION_OPTIONS}). */
export function messageDeserializer(
  type: protobuf.Type,
  conversion: protobuf.IConversionOptions = GRPC_CONVERSION_OPTIONS,
): (bytes: Buffer) => GrpcMessage {
  return (bytes) => type.toObject(type.decode(bytes), conversion);
}

/**
 * The grpc-js definition of the service `fullName` (e.g.
 * `"org.apache.beam.model.job_management.v1.JobService"`) found in `root`:
 * one entry per rpc, keyed by the rpc's name as written in the `.proto`
 * (`Prepare`, `GetStateStream`), with its path `/<service>/<rpc>` and
 * streaming flags. Throws naming the service when `root` lacks it.
 */
export function serviceDefinition(
  root: protobuf.Root,
  fullName: string,
  options: ServiceDefinitionOptions = {},
): grpc.ServiceDefinition<grpc.UntypedServiceImplementation> {
  const found = root.lookup(fullName);
  if (!(found instanceof protobuf.Service)) {
    throw new Error(`no gRPC service ${fullName} in the loaded .proto files`);
  }
  found.resolveAll();
  const conversion = options.conversion ?? GRPC_CONVERSION_OPTIONS;
  const definition: Record<string, grpc.MethodDefinition<GrpcMessage | Uint8Array, GrpcMessage>> = {};
  for (const method of found.methodsArray) {
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: messageSerializer(requestType),
      requestDeserialize: messageDeserializer(requestType, conversion),
      responseSerialize: messageSerializer(responseType),
      responseDeserialize: messageDeserializer(responseType, conversion),
      originalName: method.name,
    };
  }
  return definition as grpc.ServiceDefinition<grpc.UntypedServiceImplementation>;
}
