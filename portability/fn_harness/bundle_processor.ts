/**
 * Runs the bundles of one `ProcessBundleDescriptor`: the stage is built once
 * with `portability/harness`'s `buildStage` (the same operators as every
 * runner) and reused for bundle after bundle. Per bundle: elements are read
 * from the data plane and pushed through the stage, timers fired, outputs
 * written back with `is_last`, and the bundle's metrics returned as
 * MonitoringInfos. While a bundle runs, the engine may ask for progress and
 * for a channel split: the harness reads its input asynchronously, so both
 * are answered between elements.
 */
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { MetricResults } from "../../model/pipeline_result";
import type { WindowedValue } from "../../model/windowed_value";
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { Coder } from "../coders/coder";
import { ByteReader } from "../coders/byte_reader";
import { ByteWriter } from "../coders/byte_writer";
import { MetricsContainer } from "../harness/metrics_container";
import { buildStage, windowIntoFn, type ExecutableStage, type NamedReceiver, type StageRuntime } from "../harness/stage_executor";
import { combineReceivers, type ElementReceiver } from "../harness/element_receiver";
import type { SideInputReader } from "../harness/side_input_reader";
import type { KeyedSpecs } from "../harness/state_cell_specs";
import type { FiredTimer, KeyedRuntime } from "../harness/keyed_runtime";
import type { BundleDescriptorPlan, DataPort } from "./bundle_descriptor";
import { UnsupportedDescriptorError } from "./bundle_descriptor";
import type { DataChannel, InboundBlock } from "./data_channel";
import type { CacheToken, DesiredSplit, MonitoringInfo } from "./fn_messages";
import { int64 } from "./fn_messages";
import { elementCountInfo, readIndexInfo, userMetricInfos } from "./monitoring_infos";
import { CoderError } from "../coders/coder";
import { assignWindows } from "../windowing/window_fns";
import { unencodableElementError, type EncodingSite } from "../harness/unencodable_element";
import { keyedConsumerMarked } from "../engine/keyed_consumer_marks";
import type { BundleApplication, DelayedBundleApplication } from "./fn_messages";
import { protoDuration, protoTimestamp } from "./fn_messages";
import { WindowedValueCoder } from "../coders/standard/windowed_value";
import { IsBounded } from "../proto/messages";
import type { PhaseResidual, ProcessSizedOperator } from "../harness/splittable_phase_operators";
import { timeSlice } from "../harness/process_slice";
import type { Finalization } from "../harness/bundle_finalizations";

/** What a bundle needs beyond its descriptor: user code, the data plane, and the State API adapters. */
export interface BundleServices {
  readonly userCode: UserCodeSource;
  /** The data channel of an endpoint ("" = the engine's default). */
  dataChannel(endpoint: string): DataChannel;
  /** Side inputs and user state over the State API; absent when the descriptor needs none. */
  readonly state?: BundleStateServices;
  /** How long one `process` call of a splittable DoFn runs before the harness answers what came meanwhile (default {@link PROCESS_SLICE_MS}). */
  readonly processSliceMs?: number;
}

/**
 * How long (ms) a splittable DoFn's `process` runs before the harness
 * checkpoints it to answer the engine (a split request, progress) and goes
 * on: long enough that the checkpoints cost nothing next to the work.
 */
export const PROCESS_SLICE_MS = 100;

/**
 * The State API as a bundle uses it: readers and backends that answer
 * synchronously from what `prefetch` loaded, because user code reads state
 * and side inputs synchronously.
 */
export interface BundleStateServices {
  /** Starts a bundle: which instruction state requests belong to, and the cache tokens valid for it. */
  beginBundle(instructionId: string, cacheTokens: readonly CacheToken[]): void;
  /** The side inputs of ParDo `transformId`. */
  sideInputReader(transformId: string): SideInputReader;
  /** The state and timers of stateful ParDo `transformId`. */
  keyed(transformId: string, specs: KeyedSpecs): KeyedRuntime & KeyedPrefetch;
  /** Loads what an element of the stage root needs (side-input windows); undefined when all is loaded. */
  prefetchSideInputs(windows: readonly BoundedWindow[]): Promise<void> | undefined;
  /** Writes the bundle's state changes and outbound timers; call before answering the bundle. */
  finishBundle(): Promise<void>;
}

/** A keyed runtime that loads a key's state before its element is processed. */
export interface KeyedPrefetch {
  /** Loads the state of `key` in `windows`; undefined when already loaded. */
  prefetch(key: unknown, windows: readonly BoundedWindow[]): Promise<void> | undefined;
  /** Fires the timers that arrived on the data plane for timer family `family`. */
  fireTimers(family: string, bytes: Uint8Array, fire: (t: FiredTimer) => void): Promise<void>;
  /** The timer families the engine sends (and expects back) for this transform. */
  readonly timerFamilies: readonly string[];
}

/** A data source's read position: the channel-split bookkeeping of Beam's gRPC read. */
interface SourceCursor {
  readonly port: DataPort;
  readonly coder: Coder<WindowedValue<unknown>>;
  /** Elements started so far (the next one's index). */
  next: number;
  /** The first element index given away by a split: elements from here on are dropped. */
  stopAt: number;
  /** Bytes of an element split across data blocks, kept until the rest arrives. */
  leftover: Uint8Array | undefined;
  done: boolean;
}

/** Thrown for an element the data plane sent that the port's coder cannot read. */
export class DataPlaneError extends Error {
  override readonly name = "DataPlaneError";
}

/** A built stage for one descriptor, processing one bundle at a time. */
export class BundleProcessor {
  private readonly stage: ExecutableStage;
  private readonly metrics = new MetricsContainer();
  private readonly elementCounts = new Map<string, number>();
  private readonly sinks = new Map<string, SinkWriter[]>();
  private readonly keyed = new Map<string, KeyedRuntime & KeyedPrefetch>();
  private readonly metricsTransform: string;
  private cursors: SourceCursor[] = [];
  private bundleMetrics: MetricResults = { counters: {}, distributions: {}, gauges: {} };
  private instructionId: string | undefined;
  /** The work the bundle's splittable DoFns left by checkpointing themselves: the engine holds it and sends it back. */
  private residualRoots: DelayedBundleApplication[] = [];
  private readonly residualEncoders = new Map<string, (residual: PhaseResidual) => DelayedBundleApplication>();
  /** The process phases of splittable DoFns in the stage. */
  private readonly splittable: ProcessSizedOperator[];
  private rootPrefetch: ((value: unknown, timestamp: number, windows: readonly BoundedWindow[]) => Promise<void> | undefined) | undefined;

  constructor(
    readonly plan: BundleDescriptorPlan,
    private readonly services: BundleServices,
  ) {
    const { model } = plan;
    const runtime: StageRuntime = {
      userCode: services.userCode,
      metrics: this.metrics,
      sink: (pc) => this.sinkReceiver(pc),
      sideInputReader: (transformId) => {
        if (Object.keys(model.parDoPayload(transformId).sideInputs).length === 0) return NO_SIDE_INPUTS(transformId);
        if (!services.state)
          throw new UnsupportedDescriptorError(`'${transformId}' reads side inputs and the engine gave no State API endpoint`);
        return services.state.sideInputReader(transformId);
      },
      edge: (pc, _producer, consumers) => this.countedEdge(pc, consumers),
      splittableResiduals: (transformId) => {
        const encode = residualEncoder(model, transformId, services.userCode);
        this.residualEncoders.set(transformId, encode);
        return (residual) => this.residualRoots.push(encode(residual));
      },
      processSlice: () => timeSlice(services.processSliceMs ?? PROCESS_SLICE_MS),
      keyed: (transformId, specs) => {
        if (!services.state)
          throw new UnsupportedDescriptorError(`'${transformId}' uses state or timers and the engine gave no State API endpoint`);
        const step = plan.stage.steps.find((s) => s.kind === "pardo" && s.transformId === transformId);
        if (step && step.input !== rootOf(plan)) {
          throw new UnsupportedDescriptorError(
            `stateful '${transformId}' must read the bundle's input directly (the engine fused it after '${step.input}')`,
          );
        }
        const k = services.state.keyed(transformId, specs);
        this.keyed.set(transformId, k);
        return k;
      },
    };
    this.stage = buildStage(model, plan.stage, runtime);
    this.splittable = this.stage.splittableProcessors;
    this.metricsTransform = plan.stage.steps.find((s) => s.kind === "pardo")?.transformId ?? plan.sources[0]!.transformId;
    const keyedRuntime = [...this.keyed.values()][0];
    const needsSideInputs = plan.stage.sideInputs.length > 0;
    if (keyedRuntime || needsSideInputs) {
      const sideWindows = windowsInStage(plan);
      this.rootPrefetch = (value, timestamp, windows) => {
        const side = needsSideInputs ? services.state!.prefetchSideInputs(sideWindows(timestamp, windows)) : undefined;
        const own = keyedRuntime ? keyedRuntime.prefetch((value as { key: unknown }).key, windows) : undefined;
        if (side && own) return Promise.all([side, own]).then(() => undefined);
        return side ?? own;
      };
    }
    this.stage.setup();
  }

  /** Runs one bundle to the end; resolves with what the engine is told of it. Throws (naming transform and element) when it fails. */
  async process(instructionId: string, cacheTokens: readonly CacheToken[]): Promise<BundleOutcome> {
    this.instructionId = instructionId;
    this.residualRoots = [];
    this.bundleMetrics = { counters: {}, distributions: {}, gauges: {} };
    this.elementCounts.clear();
    this.cursors = this.plan.sources.map((port) => ({
      port,
      coder: this.plan.model.coder(port.coderId, this.services.userCode) as Coder<WindowedValue<unknown>>,
      next: 0,
      stopAt: Infinity,
      leftover: undefined,
      done: false,
    }));
    const channels = new Set(this.plan.sources.map((s) => this.services.dataChannel(s.dataEndpoint)));
    if (this.plan.timerEndpoint !== "" || this.keyed.size > 0) channels.add(this.services.dataChannel(this.plan.timerEndpoint));
    for (const writers of this.sinks.values()) for (const w of writers) w.begin(instructionId);
    this.services.state?.beginBundle(instructionId, cacheTokens);
    try {
      this.stage.startBundle();
      await Promise.all([...channels].map((c) => this.readInput(c, instructionId)));
      this.stage.flush();
      this.stage.finishBundle();
      await this.services.state?.finishBundle();
      for (const writers of this.sinks.values()) for (const w of writers) w.end();
      return { monitoringInfos: this.monitoringInfos(), residualRoots: this.residualRoots, finalizations: this.stage.takeFinalizations() };
    } finally {
      for (const c of channels) c.release(instructionId);
      this.instructionId = undefined;
    }
  }

  /** The running bundle's metrics so far (for ProcessBundleProgress). */
  monitoringInfos(): MonitoringInfo[] {
    if (!this.metrics.isEmpty) this.metrics.commitInto(this.bundleMetrics);
    const infos = userMetricInfos(this.metricsTransform, this.bundleMetrics);
    for (const [pc, n] of this.elementCounts) infos.push(elementCountInfo(pc, n));
    for (const c of this.cursors) infos.push(readIndexInfo(c.port.transformId, c.next - 1));
    return infos;
  }

  /** True while a bundle runs. */
  get busy(): boolean {
    return this.instructionId !== undefined;
  }

  /**
   * Splits the running bundle's input channels as the engine asks: inside
   * the current element when a splittable DoFn's restriction is being
   * processed, otherwise between elements (keeps a fraction of those not yet
   * started and gives up the rest). Returns the splits made (none when the
   * bundle is too far along).
   */
  split(desired: Record<string, DesiredSplit>): BundleSplit {
    const out: BundleSplit = { channelSplits: [], primaryRoots: [], residualRoots: [] };
    for (const c of this.cursors) {
      const d = desired[c.port.transformId];
      if (!d || c.done) continue;
      if (this.splitInsideElement(c, d, out)) continue;
      const at = channelSplitPoint(c.next, c.stopAt, d);
      if (at === undefined) continue;
      c.stopAt = at;
      out.channelSplits.push({ transformId: c.port.transformId, lastPrimaryElement: at - 1, firstResidualElement: at });
    }
    return out;
  }

  /**
   * Splits inside the element being processed, as Beam's harnesses do for a
   * splittable DoFn: the work its process slices left is split at the
   * fraction asked (this bundle keeps the primary, reported as a primary
   * root; the rest is a residual root), and the elements after it are given
   * away by a channel split. False when no such work is pending.
   */
  private splitInsideElement(c: SourceCursor, d: DesiredSplit, out: BundleSplit): boolean {
    const current = c.next - 1;
    if (current < 0 || current >= c.stopAt) return false;
    const fraction = Math.min(1, Math.max(0, d.fractionOfRemainder ?? 0));
    for (const op of this.splittable) {
      if (!op.hasPending) continue;
      const parts = op.splitPending(fraction);
      if (!parts) continue;
      const encode = this.residualEncoders.get(op.transform)!;
      out.primaryRoots.push(...parts.primary.map((p) => encode(p).application));
      out.residualRoots.push(...parts.residual.map(encode));
      c.stopAt = current + 1;
      out.channelSplits.push({ transformId: c.port.transformId, lastPrimaryElement: current - 1, firstResidualElement: current + 1 });
      return true;
    }
    return false;
  }

  /** Tears the stage down (the harness is stopping, or the processor failed and is dropped). */
  teardown(): void {
    this.stage.teardown();
  }

  /** Reads one data channel until every stream the bundle expects on it has ended. */
  private async readInput(channel: DataChannel, instructionId: string): Promise<void> {
    const expected = new Set<string>();
    for (const c of this.cursors)
      if (this.services.dataChannel(c.port.dataEndpoint) === channel) expected.add(`data:${c.port.transformId}`);
    if (this.services.dataChannel(this.plan.timerEndpoint) === channel) {
      for (const [transformId, k] of this.keyed) for (const f of k.timerFamilies) expected.add(`timers:${transformId}:${f}`);
    }
    if (expected.size === 0) return;
    const inbox = channel.inbox(instructionId);
    while (expected.size > 0) {
      const block = await inbox.next();
      if (block === undefined) {
        throw new DataPlaneError(
          `the data stream ${channel.endpoint} ended before bundle ${instructionId} got all its input (missing ${[...expected].join(", ")})`,
        );
      }
      await this.onBlock(block);
      if (block.isLast)
        expected.delete(block.kind === "data" ? `data:${block.transformId}` : `timers:${block.transformId}:${block.timerFamilyId}`);
    }
  }

  private async onBlock(block: InboundBlock): Promise<void> {
    if (block.kind === "timers") {
      const k = this.keyed.get(block.transformId);
      if (!k) throw new DataPlaneError(`the engine sent timers for '${block.transformId}', which declares none in this bundle`);
      if (block.bytes.length > 0) await k.fireTimers(block.timerFamilyId, block.bytes, (t) => this.stage.fireTimer(t));
      return;
    }
    const cursor = this.cursors.find((c) => c.port.transformId === block.transformId);
    if (!cursor) throw new DataPlaneError(`the engine sent data for '${block.transformId}', which is no data source of this bundle`);
    await this.readElements(cursor, block.bytes, block.isLast);
  }

  private async readElements(cursor: SourceCursor, bytes: Uint8Array, isLast: boolean): Promise<void> {
    if (cursor.leftover) {
      const joined = new Uint8Array(cursor.leftover.length + bytes.length);
      joined.set(cursor.leftover);
      joined.set(bytes, cursor.leftover.length);
      bytes = joined;
      cursor.leftover = undefined;
    }
    const reader = new ByteReader(bytes);
    const input = this.stage.input;
    const prefetch = this.rootPrefetch;
    while (!reader.atEnd) {
      const start = reader.position;
      let wv: WindowedValue<unknown>;
      try {
        wv = cursor.coder.decode(reader, "nested");
      } catch (e) {
        if (!isLast) {
          // An element may span blocks: keep its start for the next one.
          cursor.leftover = bytes.slice(start);
          return;
        }
        throw new DataPlaneError(
          `cannot decode element ${cursor.next} of data source '${cursor.port.transformId}' with coder '${cursor.port.coderId}': ${(e as Error).message}`,
        );
      }
      const index = cursor.next++;
      if (index >= cursor.stopAt) continue;
      if (prefetch) {
        const loading = prefetch(wv.value, wv.timestamp, wv.windows);
        if (loading) await loading;
      }
      input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
      if (this.splittable.length > 0) await this.drainSplittable();
    }
    if (isLast) cursor.done = true;
  }

  /**
   * Goes on with the work the element's process slices left, one slice at a
   * time, yielding between slices so the engine's requests are answered.
   */
  private async drainSplittable(): Promise<void> {
    for (const op of this.splittable) {
      while (op.hasPending) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        op.resumePending();
      }
    }
  }

  /** Where a materialized PCollection's elements go: every data sink reading it. */
  private sinkReceiver(pc: string): ElementReceiver {
    const writers = this.plan.sinks
      .filter((s) => s.pcollection === pc)
      .map((port) => {
        const channel = this.services.dataChannel(port.dataEndpoint);
        const coder = this.plan.model.coder(port.coderId, this.services.userCode) as Coder<WindowedValue<unknown>>;
        return new SinkWriter(port, coder, channel, this.encodingSite(pc));
      });
    this.sinks.set(pc, writers);
    return combineReceivers(writers);
  }

  /** Where elements of `pc` are encoded for the engine: its producer here, and the GroupByKey the engine runs on it, if any. */
  private encodingSite(pc: string): EncodingSite {
    const { model } = this.plan;
    const producer = Object.entries(model.components.transforms).find(([, t]) => Object.values(t.outputs).includes(pc));
    const pcollection = model.components.pcollections[pc];
    return {
      producer: producer?.[1].uniqueName || producer?.[0] || pc,
      pcollection: pcollection?.uniqueName || pc,
      keyedConsumer: pcollection === undefined ? undefined : keyedConsumerMarked(pcollection),
    };
  }

  /** Counts the elements of each PCollection (Beam's element_count) on their way to the consumers. */
  private countedEdge(pc: string, consumers: readonly NamedReceiver[]): ElementReceiver {
    const inner = combineReceivers(consumers.map((c) => c.receiver));
    const counts = this.elementCounts;
    return {
      receive(value, timestamp, windows, pane) {
        counts.set(pc, (counts.get(pc) ?? 0) + 1);
        inner.receive(value, timestamp, windows, pane);
      },
    };
  }
}

/** The answer to a `ProcessBundleSplit`: channel splits, and the roots of a split inside a splittable DoFn's element. */
export interface BundleSplit {
  channelSplits: { transformId: string; lastPrimaryElement: number; firstResidualElement: number }[];
  primaryRoots: BundleApplication[];
  residualRoots: DelayedBundleApplication[];
}

/** What a finished bundle tells the engine: its metrics, the work it left, and whether it asks to be finalized. */
export interface BundleOutcome {
  readonly monitoringInfos: MonitoringInfo[];
  /** Residuals of splittable DoFns that checkpointed themselves (`ProcessBundleResponse.residual_roots`). */
  readonly residualRoots: DelayedBundleApplication[];
  /** Callbacks to run when the engine says the bundle is committed (`FinalizeBundle`). */
  readonly finalizations: Finalization[];
}

/**
 * Encodes the residuals of splittable ParDo `transformId`'s process phase
 * as Beam's harnesses do: the element in the phase's input coder (windowed),
 * for the phase's main input, each output's watermark held at the
 * residual's estimator's, and the resume delay the DoFn asked for.
 */
function residualEncoder(
  model: BundleDescriptorPlan["model"],
  transformId: string,
  userCode: UserCodeSource,
): (residual: PhaseResidual) => DelayedBundleApplication {
  const transform = model.transform(transformId);
  const [inputId, input] = Object.entries(transform.inputs)[0]!;
  const coder = new WindowedValueCoder(
    model.coderOf(input, userCode),
    model.coder(model.windowingOf(input).windowCoderId, userCode) as Coder<BoundedWindow>,
  );
  const outputs = Object.keys(transform.outputs);
  return (residual) => {
    const writer = new ByteWriter(64);
    coder.encode(
      { value: residual.element, timestamp: residual.timestamp, windows: [residual.window], pane: residual.pane },
      writer,
      "nested",
    );
    const watermark = protoTimestamp(residual.outputWatermark);
    return {
      application: {
        transformId,
        inputId,
        element: writer.finish(),
        outputWatermarks: Object.fromEntries(outputs.map((o) => [o, watermark])),
        isBounded: residual.bounded ? IsBounded.BOUNDED : IsBounded.UNBOUNDED,
      },
      requestedTimeDelay: protoDuration(residual.delayMs),
    };
  };
}

/** The reader of a ParDo that declares no side inputs. */
function NO_SIDE_INPUTS(transformId: string): SideInputReader {
  return {
    get(name) {
      throw new Error(`no side input named '${name}' in '${transformId}'; declared: none`);
    },
  };
}

/**
 * The windows an element of the stage root may be in when a ParDo of the
 * stage reads a side input: its own, and those a WindowInto fused into the
 * stage (the engine decides the fusion) assigns it. Side inputs are fetched
 * for all of them before the element goes in, because user code reads them
 * synchronously.
 */
function windowsInStage(plan: BundleDescriptorPlan): (timestamp: number, windows: readonly BoundedWindow[]) => readonly BoundedWindow[] {
  const fns = plan.stage.steps.flatMap((s) => (s.kind === "windowInto" ? [windowIntoFn(plan.model, s.transformId)] : []));
  if (fns.length === 0) return (_timestamp, windows) => windows;
  return (timestamp, windows) => [...windows, ...fns.flatMap((fn) => assignWindows(fn, timestamp))];
}

function rootOf(plan: BundleDescriptorPlan): string {
  return plan.stage.root.kind === "pcollection" ? plan.stage.root.pcollection : plan.stage.root.output;
}

/**
 * Where to cut a channel whose next element is `next` (none started after
 * it), currently ending at `stopAt`, as `desired` asks: keep
 * `fraction_of_remainder` of what is left, at an allowed split point if
 * the engine lists some. Undefined: no split possible, or one that would
 * leave the primary empty.
 */
export function channelSplitPoint(next: number, stopAt: number, desired: DesiredSplit): number | undefined {
  const estimated = int64(desired.estimatedInputElements);
  const end = Math.min(stopAt, estimated > 0 ? estimated : stopAt);
  if (!Number.isFinite(end) || next >= end) return undefined;
  const fraction = Math.min(1, Math.max(0, desired.fractionOfRemainder ?? 0));
  // Rounded as Beam's Python harness does: half of one element left keeps it.
  let at = next + Math.round((end - next) * fraction);
  const allowed = (desired.allowedSplitPoints ?? []).map((p) => int64(p)).sort((a, b) => a - b);
  if (allowed.length > 0) {
    const ok = allowed.find((p) => p >= at && p >= next && p < end);
    if (ok === undefined) return undefined;
    at = ok;
  }
  // An empty primary is declined: the engine would get the whole bundle back
  // and run it again for nothing (Prism asks this of a bundle not yet started).
  return at > 0 && at < end ? at : undefined;
}

/** Encodes a sink's elements into data blocks for the engine. */
class SinkWriter implements ElementReceiver {
  private readonly buffer = new ByteWriter(64 * 1024);
  private instructionId = "";

  constructor(
    private readonly port: DataPort,
    private readonly coder: Coder<WindowedValue<unknown>>,
    private readonly channel: DataChannel,
    private readonly site: EncodingSite,
  ) {}

  begin(instructionId: string): void {
    this.instructionId = instructionId;
    this.buffer.reset();
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const start = this.buffer.length;
    try {
      this.coder.encode({ value, timestamp, windows, pane }, this.buffer, "nested");
    } catch (e) {
      this.buffer.truncate(start);
      // The same error as every runner's: the producer (or the GroupByKey that needs a KV) named, the element shown.
      if (e instanceof CoderError) throw unencodableElementError(this.site, e, value);
      throw e;
    }
    if (this.buffer.length >= 256 * 1024) this.send(false);
  }

  /** Sends the rest and ends the stream for the bundle. */
  end(): void {
    this.send(true);
  }

  private send(isLast: boolean): void {
    this.channel.sendData(this.instructionId, this.port.transformId, this.buffer.finish(), isLast);
    this.buffer.reset();
  }
}
