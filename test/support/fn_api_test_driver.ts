/**
 * A test driver of Beam's Fn API: a gRPC server playing the engine's side
 * of control, data, state and logging, that a test steers message by
 * message (send an instruction, send data, read what the harness wrote).
 * It is not an engine: it plans nothing and runs nothing; it speaks the
 * protocol so the harness can be checked against it.
 */
import * as grpc from "@grpc/grpc-js";
import { beamServiceDefinition } from "../../portability/grpc/beam_services";
import { startGrpcServer, type RunningGrpcServer } from "../../portability/grpc/channels";
import { FnApiServices, fnApiType } from "../../portability/proto/fn_api_root";
import { decodeMessage } from "../../portability/proto/messages";
import type * as pb from "../../portability/proto/messages";
import { toProto } from "../../portability/to_proto";
import type { Pipeline } from "../../sdk/pipeline";
import { CoderUrns } from "../../portability/urns";
import { FnHarness } from "../../portability/fn_harness/fn_harness";
import { grpcFnApiConnection } from "../../portability/fn_harness/grpc_connection";
import { planOf } from "../../portability/fn_harness/bundle_descriptor";
import type { Coder } from "../../portability/coders/coder";
import type { WindowedValue } from "../../model/windowed_value";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";

type Msg = Record<string, unknown>;

/** Waits until `check` holds, re-checking when the driver sees a message (no timed sleeps). */
class Signal {
  private waiters: (() => void)[] = [];
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async until<T>(check: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v as T;
      if (Date.now() > deadline) throw new Error(`test driver: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }
}

/** What the harness wrote on the data plane for one instruction and transform. */
export interface Received {
  bytes: Buffer;
  isLast: boolean;
}

/** The engine side of the Fn API, for tests. */
export class FnApiTestDriver {
  readonly descriptors = new Map<string, Msg>();
  readonly descriptorRequests: string[] = [];
  /** The `worker_id` metadata of every call, by rpc. */
  readonly workerIds: { rpc: string; workerId: string | undefined }[] = [];
  readonly responses = new Map<string, Msg>();
  readonly data = new Map<string, Received>();
  readonly timers = new Map<string, Received>();
  readonly logs: Msg[] = [];
  /** User state and side inputs, by the encoded StateKey (hex). */
  readonly state = new Map<string, Buffer>();
  readonly stateRequests: Msg[] = [];
  private readonly multimapKeys = new Map<string, Buffer[]>();
  private readonly orderedLists = new Map<string, { sortKey: number; bytes: Buffer }[]>();
  /** State gets answer at most this many bytes per response (so continuation tokens are used). */
  stateChunkBytes = 8;
  private control: grpc.ServerDuplexStream<Msg, Msg> | undefined;
  private dataStream: grpc.ServerDuplexStream<Msg, Msg> | undefined;
  private readonly signal = new Signal();
  private nextId = 0;
  /** The harness under test, when the driver started it, and its run. */
  private harness: { readonly harness: FnHarness; readonly running: Promise<void> } | undefined;

  private constructor(private readonly server: RunningGrpcServer) {}

  /** Starts the driver's server on a free loopback port. */
  static async start(): Promise<FnApiTestDriver> {
    let driver: FnApiTestDriver | undefined;
    const self = (): FnApiTestDriver => driver!;
    const server = await startGrpcServer([
      {
        definition: beamServiceDefinition(FnApiServices.Control),
        implementation: {
          Control: (call: grpc.ServerDuplexStream<Msg, Msg>) => self().onControl(call),
          GetProcessBundleDescriptor: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => self().onDescriptor(call, cb),
        },
      },
      {
        definition: beamServiceDefinition(FnApiServices.Data),
        implementation: { Data: (call: grpc.ServerDuplexStream<Msg, Msg>) => self().onData(call) },
      },
      {
        definition: beamServiceDefinition(FnApiServices.State),
        implementation: { State: (call: grpc.ServerDuplexStream<Msg, Msg>) => self().onState(call) },
      },
      {
        definition: beamServiceDefinition(FnApiServices.Logging),
        implementation: { Logging: (call: grpc.ServerDuplexStream<Msg, Msg>) => self().onLogging(call) },
      },
    ]);
    driver = new FnApiTestDriver(server);
    return driver;
  }

  get endpoint(): string {
    return this.server.endpoint;
  }

  /** Stops the harness it started (whatever its state), then the server. */
  async close(): Promise<void> {
    if (this.harness) {
      this.harness.harness.stop();
      await this.harness.running.catch(() => undefined);
    }
    this.control?.end();
    await this.server.close();
  }

  /** Starts the harness under test, connected to this driver as `workerId` (its logs too, with `logging`), serving `userCode`. */
  startHarness(userCode: UserCodeSource, workerId: string, options: { logging?: boolean } = {}): void {
    const endpoints = { control: this.endpoint, ...(options.logging ? { logging: this.endpoint } : {}) };
    const harness = new FnHarness(grpcFnApiConnection(endpoints, workerId), { workerId, userCode });
    this.harness = { harness, running: harness.run() };
  }

  /** Resolves once a harness has opened the control stream. */
  connected(): Promise<true> {
    return this.signal.until(() => this.control !== undefined, "the harness to connect");
  }

  /** Sends an instruction; resolves with the harness's response. */
  async instruct(request: Msg): Promise<Msg> {
    const instructionId = (request.instructionId as string | undefined) ?? `i${++this.nextId}`;
    await this.connected();
    this.control!.write({ ...request, instructionId });
    return this.signal.until(() => this.responses.get(instructionId), `the response to instruction ${instructionId}`);
  }

  /** Sends an instruction without waiting for its response. */
  async send(request: Msg & { instructionId: string }): Promise<void> {
    await this.connected();
    this.control!.write(request);
  }

  /** Resolves with the response to `instructionId` once it arrived. */
  response(instructionId: string): Promise<Msg> {
    return this.signal.until(() => this.responses.get(instructionId), `the response to instruction ${instructionId}`);
  }

  /** Sends data blocks (waits for the harness's data stream first). */
  async sendData(blocks: { instructionId: string; transformId: string; data?: Uint8Array; isLast?: boolean }[]): Promise<void> {
    await this.signal.until(() => this.dataStream !== undefined, "the harness's data stream");
    this.dataStream!.write({ data: blocks });
  }

  /** Sends timer blocks. */
  async sendTimers(
    blocks: { instructionId: string; transformId: string; timerFamilyId: string; timers?: Uint8Array; isLast?: boolean }[],
  ): Promise<void> {
    await this.signal.until(() => this.dataStream !== undefined, "the harness's data stream");
    this.dataStream!.write({ timers: blocks });
  }

  /** What the harness wrote for `key` ("instruction/transform"), once it ended the stream with is_last. */
  output(key: string): Promise<Received> {
    return this.signal.until(() => (this.data.get(key)?.isLast ? this.data.get(key) : undefined), `is_last on ${key}`);
  }

  /** The timers the harness wrote for `key` ("instruction/transform/family"), once ended with is_last. */
  timersOut(key: string): Promise<Received> {
    return this.signal.until(() => (this.timers.get(key)?.isLast ? this.timers.get(key) : undefined), `is_last on timers ${key}`);
  }

  /** Whether the harness has opened its data stream. */
  get hasDataStream(): boolean {
    return this.dataStream !== undefined;
  }

  /** Waits until the harness opened its data stream (it does so when a bundle first needs it). */
  dataStreamOpen(): Promise<true> {
    return this.signal.until(() => this.dataStream !== undefined, "the harness's data stream");
  }

  /** Waits until `check` holds (re-checked on every message). */
  until<T>(check: () => T | undefined | false, what: string): Promise<T> {
    return this.signal.until(check, what);
  }

  /** Puts a value under a state key (e.g. a side input's contents). */
  putState(key: Msg, bytes: Uint8Array): void {
    this.state.set(stateKeyId(key), Buffer.from(bytes));
  }

  /** What the harness stored under a state key. */
  getState(key: Msg): Buffer | undefined {
    return this.state.get(stateKeyId(key));
  }

  private record(rpc: string, metadata: grpc.Metadata): void {
    const v = metadata.get("worker_id")[0];
    this.workerIds.push({ rpc, workerId: v === undefined ? undefined : String(v) });
  }

  private onControl(call: grpc.ServerDuplexStream<Msg, Msg>): void {
    this.record("Control", call.metadata);
    this.control = call;
    call.on("data", (response: Msg) => {
      this.responses.set(response.instructionId as string, response);
      this.signal.notify();
    });
    call.on("error", () => undefined);
    this.signal.notify();
  }

  private onDescriptor(call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>): void {
    this.record("GetProcessBundleDescriptor", call.metadata);
    const id = call.request.processBundleDescriptorId as string;
    this.descriptorRequests.push(id);
    const d = this.descriptors.get(id);
    if (!d) cb({ code: grpc.status.NOT_FOUND, details: `no descriptor ${id}` } as grpc.ServiceError);
    else cb(null, d);
  }

  private onData(call: grpc.ServerDuplexStream<Msg, Msg>): void {
    this.record("Data", call.metadata);
    this.dataStream = call;
    call.on("data", (elements: { data?: Msg[]; timers?: Msg[] }) => {
      for (const d of elements.data ?? []) {
        const k = `${d.instructionId as string}/${d.transformId as string}`;
        const r = this.data.get(k) ?? { bytes: Buffer.alloc(0), isLast: false };
        r.bytes = Buffer.concat([r.bytes, Buffer.from(d.data as Uint8Array)]);
        r.isLast = r.isLast || d.isLast === true;
        this.data.set(k, r);
      }
      for (const t of elements.timers ?? []) {
        const k = `${t.instructionId as string}/${t.transformId as string}/${t.timerFamilyId as string}`;
        const r = this.timers.get(k) ?? { bytes: Buffer.alloc(0), isLast: false };
        r.bytes = Buffer.concat([r.bytes, Buffer.from(t.timers as Uint8Array)]);
        r.isLast = r.isLast || t.isLast === true;
        this.timers.set(k, r);
      }
      this.signal.notify();
    });
    call.on("error", () => undefined);
    this.signal.notify();
  }

  private onState(call: grpc.ServerDuplexStream<Msg, Msg>): void {
    this.record("State", call.metadata);
    call.on("data", (request: Msg) => {
      this.stateRequests.push(request);
      const stateKey = request.stateKey as Msg;
      const key = stateKeyId(stateKey);
      const id = request.id as string;
      // A multimap's keys are what its entries were appended under: the engine lists them.
      const entry = stateKey.multimapUserState as Msg | undefined;
      const keysKey = (k: Msg) =>
        stateKeyId({ multimapKeysUserState: { transformId: k.transformId, userStateId: k.userStateId, window: k.window, key: k.key } });
      if (entry && request.append) {
        const keys = this.multimapKeys.get(keysKey(entry)) ?? [];
        const mapKey = Buffer.from(entry.mapKey as Uint8Array);
        if (!keys.some((k) => k.equals(mapKey))) keys.push(mapKey);
        this.multimapKeys.set(keysKey(entry), keys);
        this.state.set(keysKey(entry), Buffer.concat(keys));
      }
      const keysOf = stateKey.multimapKeysUserState as Msg | undefined;
      if (keysOf && request.clear) {
        for (const mapKey of this.multimapKeys.get(key) ?? []) this.state.delete(stateKeyId({ multimapUserState: { ...keysOf, mapKey } }));
        this.multimapKeys.delete(key);
      }
      // An ordered list keeps its appends by sort key (the range's start); gets and clears take a range of them.
      const ordered = stateKey.orderedListUserState as (Msg & { range?: { start: number; end: number } }) | undefined;
      if (ordered) {
        const { range, ...rest } = ordered;
        const listId = stateKeyId({ orderedListUserState: rest });
        const list = this.orderedLists.get(listId) ?? [];
        const inRange = (sortKey: number) => sortKey >= Number(range?.start ?? -Infinity) && sortKey < Number(range?.end ?? Infinity);
        if (request.append) {
          list.push({ sortKey: Number(range?.start ?? 0), bytes: Buffer.from((request.append as { data: Uint8Array }).data) });
          this.orderedLists.set(listId, list);
          call.write({ id, append: {} });
        } else if (request.clear) {
          this.orderedLists.set(
            listId,
            list.filter((e) => !inRange(e.sortKey)),
          );
          call.write({ id, clear: {} });
        } else {
          const data = Buffer.concat(
            list
              .filter((e) => inRange(e.sortKey))
              .sort((a, b) => a.sortKey - b.sortKey)
              .map((e) => e.bytes),
          );
          call.write({ id, get: { data } });
        }
        this.signal.notify();
        return;
      }
      if (request.get) {
        const all = this.state.get(key) ?? Buffer.alloc(0);
        const token = (request.get as { continuationToken?: Uint8Array }).continuationToken;
        const from = token && token.length > 0 ? Number(Buffer.from(token).toString()) : 0;
        const to = Math.min(all.length, from + this.stateChunkBytes);
        call.write({
          id,
          get: { data: all.subarray(from, to), ...(to < all.length ? { continuationToken: Buffer.from(String(to)) } : {}) },
        });
      } else if (request.append) {
        this.state.set(
          key,
          Buffer.concat([this.state.get(key) ?? Buffer.alloc(0), Buffer.from((request.append as { data: Uint8Array }).data)]),
        );
        call.write({ id, append: {} });
      } else if (request.clear) {
        this.state.delete(key);
        call.write({ id, clear: {} });
      } else {
        call.write({ id, error: "unknown state request" });
      }
      this.signal.notify();
    });
    call.on("error", () => undefined);
  }

  private onLogging(call: grpc.ServerDuplexStream<Msg, Msg>): void {
    this.record("Logging", call.metadata);
    call.on("data", (list: { logEntries?: Msg[] }) => {
      this.logs.push(...(list.logEntries ?? []));
      this.signal.notify();
    });
    call.on("error", () => undefined);
  }
}

/** A state key's identity: its encoding, without the range of an ordered list (the driver keeps whole lists). */
export function stateKeyId(key: Msg): string {
  const type = fnApiType("StateKey");
  return Buffer.from(type.encode(type.fromObject(key)).finish()).toString("hex");
}

/** A bundle descriptor cut out of a pipeline: a data source into `input`, the `transforms`, data sinks reading `outputs`. */
export function descriptorFrom(
  pipeline: Pipeline,
  options: { id: string; transforms: string[]; input: string; outputs: string[]; stateEndpoint?: string; timerEndpoint?: string },
): Msg {
  const proto = decodeMessage("Pipeline", toProto(pipeline));
  const c = proto.components!;
  const transforms: Record<string, Msg> = {};
  const pcollections: Record<string, pb.PCollection> = {};
  const coders: Record<string, unknown> = { ...c.coders };
  const port = (pc: string): Uint8Array => {
    const coll = c.pcollections[pc]!;
    const ws = c.windowingStrategies[coll.windowingStrategyId]!;
    const wv = `wv_${pc}`;
    coders[wv] = { spec: { urn: CoderUrns.WINDOWED_VALUE }, componentCoderIds: [coll.coderId, ws.windowCoderId] };
    const t = fnApiType("RemoteGrpcPort");
    return t.encode(t.fromObject({ coderId: wv })).finish();
  };
  const use = (pc: string) => (pcollections[pc] = c.pcollections[pc]!);
  transforms["source"] = {
    uniqueName: "source",
    spec: { urn: "beam:runner:source:v1", payload: port(options.input) },
    outputs: { out: options.input },
  };
  use(options.input);
  for (const id of options.transforms) {
    const t = c.transforms[id];
    if (!t) throw new Error(`test: no transform '${id}'; have ${Object.keys(c.transforms).join(", ")}`);
    transforms[id] = t as unknown as Msg;
    for (const pc of [...Object.values(t.inputs), ...Object.values(t.outputs)]) use(pc);
  }
  options.outputs.forEach((pc, i) => {
    transforms[`sink${i}`] = { uniqueName: `sink${i}`, spec: { urn: "beam:runner:sink:v1", payload: port(pc) }, inputs: { in: pc } };
  });
  return {
    id: options.id,
    transforms,
    pcollections,
    windowingStrategies: c.windowingStrategies,
    coders,
    environments: c.environments,
    ...(options.stateEndpoint ? { stateApiServiceDescriptor: { url: options.stateEndpoint } } : {}),
    ...(options.timerEndpoint ? { timerApiServiceDescriptor: { url: options.timerEndpoint } } : {}),
  };
}

/** Coder `id` of a bundle descriptor, as the harness builds it from the pipeline's user code. */
export function descriptorCoder(descriptor: Msg, pipeline: Pipeline, id: string): Coder<unknown> {
  return planOf(descriptor as never).model.coder(id, pipeline._userCode);
}

/** The windowed-value coder of a data port of {@link descriptorFrom}'s descriptor: how PCollection `pc` crosses the data plane. */
export function portCoder(descriptor: Msg, pipeline: Pipeline, pc: string): Coder<WindowedValue<unknown>> {
  return descriptorCoder(descriptor, pipeline, `wv_${pc}`) as Coder<WindowedValue<unknown>>;
}
