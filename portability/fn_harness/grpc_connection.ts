/**
 * The harness's {@link FnApiConnection} over gRPC: one channel per endpoint
 * the engine names (control, data, state, logging), every call carrying the
 * `worker_id` metadata Beam's engines use to tell workers apart.
 */
import * as grpc from "@grpc/grpc-js";
import { beamServiceDefinition } from "../grpc/beam_services";
import { createClient, type GenericClient } from "../grpc/channels";
import { FnApiServices } from "../proto/fn_api_root";
import type { FnApiConnection } from "./fn_harness";
import type { BidiStream } from "./fn_streams";
import type { RawDescriptor } from "./fn_messages";

/** Where the engine serves the Fn API for one worker. */
export interface FnApiEndpoints {
  /** The control service (and, unless a descriptor says otherwise, data and state). */
  readonly control: string;
  /** The logging service, if any. */
  readonly logging?: string;
}

/** Connects a harness to an engine's Fn API services. */
export function grpcFnApiConnection(endpoints: FnApiEndpoints, workerId: string): FnApiConnection {
  const clients = new Map<string, GenericClient>();
  const calls = new Set<grpc.ClientDuplexStream<unknown, unknown>>();
  const metadata = (): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set("worker_id", workerId);
    return m;
  };
  const client = (service: string, endpoint: string): GenericClient => {
    const url = endpoint === "" ? endpoints.control : endpoint;
    const key = `${service}\u0000${url}`;
    let c = clients.get(key);
    if (!c) clients.set(key, (c = createClient(beamServiceDefinition(service), service.split(".").pop()!, url)));
    return c;
  };
  const bidi = <In, Out>(service: string, endpoint: string, rpc: string): BidiStream<In, Out> => {
    const c = client(service, endpoint);
    const call = (c[rpc] as (m: grpc.Metadata) => grpc.ClientDuplexStream<Out, In>).call(c, metadata());
    calls.add(call as grpc.ClientDuplexStream<unknown, unknown>);
    call.on("close", () => calls.delete(call as grpc.ClientDuplexStream<unknown, unknown>));
    return {
      write: (message) => void call.write(message),
      end: () => call.end(),
      [Symbol.asyncIterator]: () => (call as AsyncIterable<In>)[Symbol.asyncIterator](),
    };
  };
  return {
    control: () => bidi(FnApiServices.Control, "", "Control"),
    getProcessBundleDescriptor: (id) =>
      new Promise<RawDescriptor>((resolve, reject) => {
        const c = client(FnApiServices.Control, "");
        type Unary = (req: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: RawDescriptor) => void) => void;
        (c["GetProcessBundleDescriptor"] as Unary).call(c, { processBundleDescriptorId: id }, metadata(), (e, r) =>
          e ? reject(new Error(`cannot get bundle descriptor '${id}' from ${endpoints.control}: ${e.message}`)) : resolve(r!),
        );
      }),
    data: (endpoint) => bidi(FnApiServices.Data, endpoint, "Data"),
    state: (endpoint) => bidi(FnApiServices.State, endpoint, "State"),
    ...(endpoints.logging ? { logging: () => bidi(FnApiServices.Logging, endpoints.logging!, "Logging") } : {}),
    resolve: (endpoint) => (endpoint === "" ? endpoints.control : endpoint),
    close: () => {
      for (const call of calls) call.cancel();
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}
