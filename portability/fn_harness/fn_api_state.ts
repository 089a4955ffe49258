/**
 * Side inputs, user state and timers of a bundle over the engine's State
 * API and data plane, behind the interfaces the harness's operators use
 * (`SideInputReader`, `KeyedRuntime` of `portability/harness`).
 *
 * User code reads synchronously, so what an element needs is loaded before
 * it runs: the side-input windows its windows map to (the view built by
 * the same `buildView` as every runner's) and its key's state cells. Cache
 * tokens say what may be kept across bundles: a side input's view while its
 * token stays the same; user state while the user-state token does.
 */
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { windowKey, type BoundedWindow } from "../../model/windows";
import { NO_FIRING } from "../../model/pane";
import { MIN_TIMESTAMP } from "../../model/time";
import type { Coder } from "../coders/coder";
import { ByteWriter } from "../coders/byte_writer";
import { ByteReader } from "../coders/byte_reader";
import { decodeAll } from "./coded_values";
import { defaultCoderRegistry } from "../coders";
import { CoderUrns, SideInputUrns } from "../urns";
import { decodeJsonPayload, type ViewFnPayload } from "../payloads";
import { canonicalKey } from "../values/canonical_key";
import type { SideInputReader } from "../harness/side_input_reader";
import { RunnerCheckError } from "../harness/user_code_error";
import { buildView, mapToSideWindow, sideWindowFnOf, type SideWindowFn } from "../harness/side_input_views";
import type { KeyedSpecs } from "../harness/state_cell_specs";
import type { FiredTimer, KeyedRuntime, TimerAccess, TimerDomain } from "../harness/keyed_runtime";
import { stateNamespace } from "../harness/stateful_dofn_operator";
import type { TimerValue } from "../coders/standard/timer";
import type { BundleDescriptorPlan } from "./bundle_descriptor";
import type { BundleStateServices, KeyedPrefetch } from "./bundle_processor";
import type { DataChannel } from "./data_channel";
import type { CacheToken } from "./fn_messages";
import type { StateChannel } from "./state_channel";
import { remoteCell, type RemoteCell } from "./remote_state_cells";

/** One side input of one ParDo, with what it takes to fetch and view it. */
interface SideInputSpec {
  readonly transformId: string;
  readonly name: string;
  readonly multimap: boolean;
  readonly view: ViewFnPayload;
  readonly sideFn: SideWindowFn;
  readonly windowCoder: Coder<BoundedWindow>;
  readonly elementCoder: Coder<unknown>;
}

/** The State API services of one bundle processor. */
export class FnApiStateServices implements BundleStateServices {
  private instructionId = "";
  private readonly sideInputs: SideInputSpec[] = [];
  /** Built views by side input and side window, with the cache token they were read under ("" = this bundle only). */
  private readonly views = new Map<string, { token: string; view: unknown }>();
  private sideTokens = new Map<string, string>();
  private readonly keyedBackends: FnApiKeyedBackend[] = [];

  constructor(
    private readonly plan: BundleDescriptorPlan,
    private readonly userCode: UserCodeSource,
    private readonly channel: StateChannel,
    private readonly dataChannel: (endpoint: string) => DataChannel,
  ) {
    const { model } = plan;
    for (const step of plan.stage.steps) {
      if (step.kind !== "pardo") continue;
      const payload = model.parDoPayload(step.transformId);
      for (const [name, si] of Object.entries(payload.sideInputs)) {
        const pc = model.transform(step.transformId).inputs[name]!;
        const multimap = si.accessPattern?.urn === SideInputUrns.MULTIMAP;
        const elementCoder = model.coderOf(pc, userCode);
        if (multimap && elementCoder.urn !== CoderUrns.KV) {
          throw new Error(
            `side input '${name}' of '${step.transformId}' is read as a multimap, so its PCollection needs a KV coder (${CoderUrns.KV}), not '${elementCoder.urn}'`,
          );
        }
        this.sideInputs.push({
          transformId: step.transformId,
          name,
          multimap,
          view: decodeJsonPayload<ViewFnPayload>(si.viewFn!.payload, `view of side input '${name}'`),
          sideFn: sideWindowFnOf(model, pc),
          windowCoder: model.coder(model.windowingOf(pc).windowCoderId, userCode) as Coder<BoundedWindow>,
          elementCoder,
        });
      }
    }
  }

  beginBundle(instructionId: string, cacheTokens: readonly CacheToken[]): void {
    this.instructionId = instructionId;
    this.sideTokens = new Map();
    let userStateToken = "";
    for (const t of cacheTokens) {
      const token = Buffer.from(t.token ?? new Uint8Array(0)).toString("hex");
      if (t.sideInput) this.sideTokens.set(`${t.sideInput.transformId ?? ""}\u0000${t.sideInput.sideInputId ?? ""}`, token);
      if (t.userState) userStateToken = token;
    }
    for (const [k, v] of this.views) {
      const [transformId, name] = k.split("\u0000");
      if (v.token === "" || v.token !== this.sideTokens.get(`${transformId}\u0000${name}`)) this.views.delete(k);
    }
    for (const b of this.keyedBackends) b.beginBundle(instructionId, userStateToken);
  }

  sideInputReader(transformId: string): SideInputReader {
    const specs = new Map(this.sideInputs.filter((s) => s.transformId === transformId).map((s) => [s.name, s] as const));
    return {
      get: (name, mainWindow) => {
        const spec = specs.get(name);
        if (!spec) {
          throw new Error(`no side input named '${name}' in '${transformId}'; declared: ${[...specs.keys()].join(", ") || "none"}`);
        }
        const sideWindow = mapToSideWindow(mainWindow, spec.sideFn);
        const cached = this.views.get(viewKey(spec, sideWindow));
        if (!cached) {
          throw new Error(
            `side input '${name}' of '${transformId}' for window ${windowKey(sideWindow)} was not fetched: the harness loads side inputs ` +
              `for the windows of the bundle's input, and this element's window changed inside the bundle`,
          );
        }
        return cached.view;
      },
    };
  }

  prefetchSideInputs(windows: readonly BoundedWindow[]): Promise<void> | undefined {
    let loading: Promise<void>[] | undefined;
    for (const spec of this.sideInputs) {
      for (const w of windows) {
        const sideWindow = mapToSideWindow(w, spec.sideFn);
        const key = viewKey(spec, sideWindow);
        if (this.views.has(key)) continue;
        (loading ??= []).push(this.loadView(spec, sideWindow, key));
      }
    }
    return loading ? Promise.all(loading).then(() => undefined) : undefined;
  }

  keyed(transformId: string, specs: KeyedSpecs): KeyedRuntime & KeyedPrefetch {
    const backend = new FnApiKeyedBackend(
      this.plan,
      transformId,
      specs,
      this.userCode,
      this.channel,
      this.dataChannel(this.plan.timerEndpoint),
    );
    this.keyedBackends.push(backend);
    return backend;
  }

  async finishBundle(): Promise<void> {
    for (const b of this.keyedBackends) await b.finishBundle();
  }

  private async loadView(spec: SideInputSpec, sideWindow: BoundedWindow, key: string): Promise<void> {
    const window = encodeNested(spec.windowCoder, sideWindow);
    const base = { transformId: spec.transformId, sideInputId: spec.name, window };
    let values: unknown[];
    if (spec.multimap) {
      // The engine serves a multimap side input key by key: list the keys, then each key's values.
      const kvCoder = spec.elementCoder;
      const [keyCoder, valueCoder] = [kvCoder.components[0]!, kvCoder.components[1]!];
      const keys = decodeAll(keyCoder, await this.channel.get(this.instructionId, { multimapKeysSideInput: base }));
      const perKey = await Promise.all(
        keys.map(async (k) => {
          const bytes = await this.channel.get(this.instructionId, { multimapSideInput: { ...base, key: encodeNested(keyCoder, k) } });
          return decodeAll(valueCoder, bytes).map((value) => ({ key: k, value }));
        }),
      );
      values = perKey.flat();
    } else {
      values = decodeAll(spec.elementCoder, await this.channel.get(this.instructionId, { iterableSideInput: base }));
    }
    const dflt = spec.view.defaultRef !== undefined ? { value: this.userCode.lookup(spec.view.defaultRef) } : undefined;
    let view: unknown;
    try {
      view = buildView(spec.view.kind, values, spec.name, dflt, canonicalKey);
    } catch (e) {
      // Read ahead of the element, so no DoFn call is there to name the transform: the error names it.
      const stack = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
      throw new RunnerCheckError(
        spec.transformId,
        `transform '${spec.transformId}' failed in reading side input '${spec.name}':\n${stack.replace(/^/gm, "    ")}`,
        { cause: e },
      );
    }
    this.views.set(key, { token: this.sideTokens.get(`${spec.transformId}\u0000${spec.name}`) ?? "", view });
  }
}

function viewKey(spec: SideInputSpec, sideWindow: BoundedWindow): string {
  return `${spec.transformId}\u0000${spec.name}\u0000${windowKey(sideWindow)}`;
}

function encodeNested<T>(coder: Coder<T>, value: T): Uint8Array {
  const w = new ByteWriter(32);
  coder.encode(value, w, "nested");
  return w.finish();
}

/** The state cells and timers of a (key, window) namespace. */
interface Namespace {
  readonly key: unknown;
  readonly window: BoundedWindow;
  readonly cells: Map<string, RemoteCell>;
  readonly record: Record<string, unknown>;
}

/**
 * A stateful ParDo's state and timers over the Fn API: cells loaded per key
 * and window before the element, written back at the end of the bundle;
 * timers set by user code go to the engine on the data plane, and the
 * engine decides when they fire (it sends them back as timer data).
 */
class FnApiKeyedBackend implements KeyedRuntime, KeyedPrefetch {
  readonly timerFamilies: readonly string[];
  private readonly namespaces = new Map<string, Namespace>();
  private readonly keyCoder: Coder<unknown>;
  private readonly windowCoder: Coder<BoundedWindow>;
  private readonly timerCoders = new Map<string, Coder<TimerValue>>();
  private readonly boolCoder: Coder<unknown> = defaultCoderRegistry.build({ urn: CoderUrns.BOOL, components: [] });
  private instructionId = "";
  private userStateToken = "";
  private outboundTimers = new Map<string, ByteWriter>();
  readonly store = {
    cells: (ns: string): Record<string, unknown> => this.namespace(ns).record,
    clearNamespace: (ns: string): void => {
      for (const cell of this.namespace(ns).cells.values()) {
        const api = cell.api as { clear?: () => void };
        api.clear?.();
      }
    },
  };
  readonly timers: TimerAccess;

  constructor(
    plan: BundleDescriptorPlan,
    private readonly transformId: string,
    private readonly specs: KeyedSpecs,
    userCode: UserCodeSource,
    private readonly channel: StateChannel,
    private readonly timerChannel: DataChannel,
  ) {
    const { model } = plan;
    const input = model.mainInput(transformId)!;
    this.keyCoder = model.coderOf(input, userCode).components[0]!;
    this.windowCoder = model.coder(model.windowingOf(input).windowCoderId, userCode) as Coder<BoundedWindow>;
    const payload = model.parDoPayload(transformId);
    for (const [family, spec] of Object.entries(payload.timerFamilySpecs)) {
      this.timerCoders.set(family, model.coder(spec.timerFamilyCoderId, userCode) as Coder<TimerValue>);
    }
    this.timerFamilies = [...this.timerCoders.keys()];
    this.timers = this.timerAccess();
  }

  beginBundle(instructionId: string, userStateToken: string): void {
    this.instructionId = instructionId;
    // Without a token (or with a new one) what was loaded may be stale: state is read again.
    if (userStateToken === "" || userStateToken !== this.userStateToken) this.namespaces.clear();
    this.userStateToken = userStateToken;
    this.outboundTimers = new Map();
  }

  prefetch(key: unknown, windows: readonly BoundedWindow[]): Promise<void> | undefined {
    if (this.specs.state.size === 0) {
      for (const w of windows) this.remember(key, w);
      return undefined;
    }
    let loading: Promise<void>[] | undefined;
    for (const w of windows) {
      const ns = stateNamespace(this.keyCoder, key, w);
      if (this.namespaces.has(ns)) continue;
      const namespace = this.remember(key, w);
      for (const cell of namespace.cells.values()) (loading ??= []).push(cell.load(this.channel, this.instructionId));
    }
    return loading ? Promise.all(loading).then(() => undefined) : undefined;
  }

  async fireTimers(family: string, bytes: Uint8Array, fire: (t: FiredTimer) => void): Promise<void> {
    const coder = this.timerCoders.get(family);
    if (!coder) throw new Error(`the engine sent timers of family '${family}', which '${this.transformId}' does not declare`);
    const domain = this.specs.timers.get(family) ?? "eventTime";
    const r = new ByteReader(bytes);
    while (!r.atEnd) {
      const t = coder.decode(r, "nested");
      if (t.clearBit) continue;
      for (const window of t.windows) {
        const loading = this.prefetch(t.userKey, [window]);
        if (loading) await loading;
        fire({
          namespace: stateNamespace(this.keyCoder, t.userKey, window),
          key: t.userKey,
          window,
          name: family,
          domain,
          fireTimestamp: t.fireTimestamp!,
          outputTimestamp: t.holdTimestamp ?? t.fireTimestamp!,
        });
      }
    }
  }

  /** Writes changed cells back and sends the timers set in the bundle, each family ended with `is_last`. */
  async finishBundle(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const ns of this.namespaces.values())
      for (const cell of ns.cells.values()) writes.push(cell.persist(this.channel, this.instructionId));
    await Promise.all(writes);
    for (const family of this.timerFamilies) {
      const w = this.outboundTimers.get(family);
      this.timerChannel.sendTimers(this.instructionId, this.transformId, family, w ? w.finish() : new Uint8Array(0), true);
    }
  }

  inputWatermark(): number {
    // The engine drops late data and expires state itself; the harness drops nothing.
    return MIN_TIMESTAMP;
  }

  processingTime(): number {
    return Date.now();
  }

  onDroppedLate(): void {}

  private remember(key: unknown, window: BoundedWindow): Namespace {
    const ns = stateNamespace(this.keyCoder, key, window);
    let namespace = this.namespaces.get(ns);
    if (namespace) return namespace;
    const address = {
      transformId: this.transformId,
      key: encodeNested(this.keyCoder, key),
      window: encodeNested(this.windowCoder, window),
    };
    const cells = new Map<string, RemoteCell>();
    const record: Record<string, unknown> = {};
    for (const [name, spec] of this.specs.state) {
      const cell = remoteCell({ ...address, userStateId: name }, spec, this.transformId, this.boolCoder);
      cells.set(name, cell);
      Object.defineProperty(record, name, { get: () => cell.api, enumerable: true });
    }
    namespace = { key, window, cells, record: Object.freeze(record) };
    this.namespaces.set(ns, namespace);
    return namespace;
  }

  private namespace(ns: string): Namespace {
    const namespace = this.namespaces.get(ns);
    if (!namespace) throw new Error(`internal: state of '${this.transformId}' used before it was loaded (namespace ${JSON.stringify(ns)})`);
    return namespace;
  }

  private writeTimer(family: string, timer: TimerValue): void {
    const coder = this.timerCoders.get(family);
    if (!coder) throw new Error(`timer '${family}' of '${this.transformId}' has no timer family in the bundle`);
    let w = this.outboundTimers.get(family);
    if (!w) this.outboundTimers.set(family, (w = new ByteWriter()));
    coder.encode(timer, w, "nested");
  }

  private timerAccess(): TimerAccess {
    return {
      set: (
        _ns: string,
        key: unknown,
        window: BoundedWindow,
        name: string,
        _domain: TimerDomain,
        fireTimestamp: number,
        outputTimestamp: number,
      ) =>
        this.writeTimer(name, {
          userKey: key,
          dynamicTimerTag: "",
          windows: [window],
          clearBit: false,
          fireTimestamp,
          holdTimestamp: outputTimestamp,
          pane: NO_FIRING,
        }),
      clear: (ns: string, name: string) => {
        const { key, window } = this.namespace(ns);
        this.writeTimer(name, { userKey: key, dynamicTimerTag: "", windows: [window], clearBit: true });
      },
      // The engine garbage-collects expired windows and decides when timers fire: nothing is polled here.
      trackWindow: () => undefined,
      pollEventTimer: () => undefined,
      pollProcessingTimer: () => undefined,
      pollExpired: () => undefined,
      hasEventTimerBefore: () => false,
      hasExpiryBefore: () => false,
      nextProcessingTime: () => Infinity,
      outputHold: () => Infinity,
    };
  }
}
