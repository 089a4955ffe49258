/**
 * Small helpers over grpc-js for millrace's clients and servers: an insecure
 * loopback-or-cluster channel with no message size cap (pipelines and data
 * bundles can be large), a promise per unary call, and a server that binds a
 * port (0 = any free one) and says which it got.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import type { GrpcMessage } from "./service_definition";

/** Channel options every millrace client and server uses: no 4 MiB message cap. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
};

/** A grpc-js client whose methods are named after the service's rpcs. */
export type GenericClient = grpc.Client & Record<string, unknown>;

/**
 * A client of the service `definition` at `endpoint` (`host:port`, as Beam's
 * ApiServiceDescriptor.url gives it). The channel connects lazily; see
 * {@link waitForReady}.
 */
export function createClient(
  definition: grpc.ServiceDefinition<grpc.UntypedServiceImplementation>,
  serviceName: string,
  endpoint: string,
): GenericClient {
  const Ctor = grpc.makeGenericClientConstructor(definition, serviceName);
  return new Ctor(endpoint, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as GenericClient;
}

/**
 * Resolves once `client`'s channel is connected; rejects after `timeoutMs`
 * with an error naming `what` (e.g. "job service at localhost:8099") and the
 * time waited, instead of letting the first call hang.
 */
export function waitForReady(client: grpc.Client, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (err) => {
      if (err) reject(new Error(`cannot reach the ${what} within ${(timeoutMs / 1000).toFixed(1)} s: ${err.message}`));
      else resolve();
    });
  });
}

/** Options of one call. */
export interface CallOptions {
  /** Fail the call with DEADLINE_EXCEEDED after this many milliseconds. */
  timeoutMs?: number;
  /** Headers to send (e.g. the Fn API's `worker_id`). */
  metadata?: Record<string, string>;
}

function metadataOf(options: CallOptions): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(options.metadata ?? {})) md.set(k, v);
  return md;
}

function callOptions(options: CallOptions): grpc.CallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

function method<T>(client: GenericClient, name: string): T {
  const fn = client[name];
  if (typeof fn !== "function") throw new Error(`the gRPC client has no method ${name}`);
  return (fn as (...args: unknown[]) => unknown).bind(client) as T;
}

/** Calls the unary rpc `name`, resolving with its response message. */
export function unaryCall<Res extends GrpcMessage = GrpcMessage>(
  client: GenericClient,
  name: string,
  request: GrpcMessage | Uint8Array,
  options: CallOptions = {},
): Promise<Res> {
  type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void;
  return new Promise((resolve, reject) => {
    method<Unary>(client, name)(request, metadataOf(options), callOptions(options), (err, res) => {
      if (err) reject(err);
      else resolve(res!);
    });
  });
}

/** Opens the server-streaming rpc `name`; the returned stream is async-iterable over response messages. */
export function serverStreamCall<Res extends GrpcMessage = GrpcMessage>(
  client: GenericClient,
  name: string,
  request: GrpcMessage | Uint8Array,
  options: CallOptions = {},
): grpc.ClientReadableStream<Res> {
  type Stream = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<Res>;
  return method<Stream>(client, name)(request, metadataOf(options), callOptions(options));
}

/** Opens the bidirectional rpc `name`: write requests, read (async-iterate) responses. */
export function bidiStreamCall<Req extends GrpcMessage = GrpcMessage, Res extends GrpcMessage = GrpcMessage>(
  client: GenericClient,
  name: string,
  metadata: grpc.Metadata = new grpc.Metadata(),
): grpc.ClientDuplexStream<Req, Res> {
  type Bidi = (meta: grpc.Metadata) => grpc.ClientDuplexStream<Req, Res>;
  return method<Bidi>(client, name)(metadata);
}

/** One service a {@link startGrpcServer} serves. */
export interface ServedService {
  definition: grpc.ServiceDefinition<grpc.UntypedServiceImplementation>;
  implementation: grpc.UntypedServiceImplementation;
}

/** A running gRPC server. */
export interface RunningGrpcServer {
  readonly server: grpc.Server;
  /** The port bound (the one asked for, or the free one picked for port 0). */
  readonly port: number;
  /** `host:port` to hand to a client (an ApiServiceDescriptor url). */
  readonly endpoint: string;
  /** Stops accepting calls and ends open ones; resolves when the server is down. */
  close(): Promise<void>;
}

/** Starts a gRPC server for `services` on `host:port` (default `127.0.0.1:0`). */
export async function startGrpcServer(
  services: readonly ServedService[],
  options: { host?: string; port?: number } = {},
): Promise<RunningGrpcServer> {
  const host = options.host ?? "127.0.0.1";
  const server = new grpc.Server(CHANNEL_OPTIONS);
  for (const s of services) server.addService(s.definition, s.implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    server,
    port,
    endpoint: `${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still streaming would keep tryShutdown waiting: end them.
        setImmediate(() => server.forceShutdown());
      }),
  };
}
