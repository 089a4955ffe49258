/**
 * Turns a fused stage of the plan into running operators: the "harness".
 * Every runner executes stages through this, in-process or on a worker
 * thread, so a ParDo means the same thing everywhere.
 */
import type { KafkaSinkPayload } from "../../sdk/io/kafka/kafka_sink_payload";
import type { PipelineModel } from "../pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { FusedStage, StageStep } from "../plan/execution_plan";
import type { MetricsContext } from "../../sdk/metrics/metrics_context";
import type { AnyDoFn, DoFnObject } from "../../sdk/transforms/dofn";
import { StatefulDoFnOperator, type KeyedRuntime } from "./stateful_dofn_operator";
import type { FiredTimer } from "./keyed_runtime";
import { isStatefulParDo, keyedSpecsOf, type KeyedSpecs } from "./state_cell_specs";
import type { CombineFn } from "../../sdk/transforms/combine_fn";
import { decodeMessage } from "../proto/messages";
import { decodeJsonPayload, type CombineFnPayload, type TextSinkPayload } from "../payloads";
import { combineReceivers, DISCARD, type ElementReceiver } from "./element_receiver";
import { DoFnContext } from "./dofn_context";
import { DoFnOperator, FilterOperator, FlatMapOperator, MapOperator, type Operator } from "./operators";
import { PrecombineOperator } from "./precombine_operator";
import { CombinePhaseOperator } from "./combine_phase_operator";
import { asCreateSource, emitCreateRange } from "./create_source";
import type { SideInputReader } from "./side_input_reader";
import { WindowIntoOperator } from "./window_into_operator";
import { windowFnFromProto, windowingOf } from "../windowing/windowing_from_proto";
import type { WindowFnSpec } from "../../sdk/windowing/windowing_strategy";
import { isSplittableDoFn, type SplittableDoFnObject } from "../../sdk/transforms/splittable/splittable_dofn";
import { IsBounded } from "../proto/messages";
import { SplittableDoFnOperator, type SplitPolicy } from "./splittable_dofn_operator";
import type { Finalization } from "./bundle_finalizations";
import type { ProcessSlice } from "./process_slice";
import {
  PairWithRestrictionOperator,
  ProcessSizedOperator,
  SplitAndSizeOperator,
  TruncateOperator,
  type PhaseResidual,
} from "./splittable_phase_operators";

/** A consumer of a PCollection inside a stage, named for error messages. */
export interface NamedReceiver {
  readonly transform: string;
  readonly receiver: ElementReceiver;
  /** Runner code (a sink, a precombine) that never mutates its input: no need to check it did. */
  readonly trusted?: boolean;
}

/** What the runner gives the harness to build a stage. */
export interface StageRuntime {
  readonly userCode: UserCodeSource;
  /** Metrics of the current bundle; the runner commits them when the bundle succeeds. */
  readonly metrics: MetricsContext;
  /** Where elements of a materialized PCollection go (the runner's buffer or shuffle writer). */
  sink(pcollectionId: string): ElementReceiver;
  /** The side inputs of a ParDo. */
  sideInputReader(transformId: string): SideInputReader;
  /**
   * Optionally wraps the edge from a PCollection to its consumers, e.g. for
   * the direct runner's immutability and encodability checks.
   */
  edge?(pcollectionId: string, producer: string, consumers: readonly NamedReceiver[]): ElementReceiver;
  /** Receives elements of outputs nothing consumes (the end of the pipeline), e.g. to count them; dropped otherwise. */
  readonly terminal?: ElementReceiver;
  /**
   * Counts the job's "in" and "out" where this stage produces them: the
   * runner gets which collections from `runners/core/edge_counting.ts`, so
   * every runner counts the same elements.
   */
  readonly edgeCounting?: EdgeCounting;
  /**
   * The runner's own file sink for an `io.writeText` step (runners that plan
   * with `NATIVE_COMPOSITES_WITH_FILE_SINK`): receives the lines, and may
   * emit the names of files it wrote to `output`.
   */
  textSink?(transformId: string, sink: TextSinkPayload, output: ElementReceiver): Operator;
  /** The runner's own Kafka sink for an `io.kafka.write` step (runners that plan `millrace:transform:kafka_write:v1` as a leaf). */
  kafkaSink?(transformId: string, sink: KafkaSinkPayload): Operator;
  /** State, timers and times for a stateful ParDo (runners that support them). */
  keyed?(transformId: string, specs: KeyedSpecs): KeyedRuntime;
  /** Where a splittable DoFn's restrictions are split before they are processed (the direct runner's random splits). */
  splitPolicy?(transformId: string): SplitPolicy | undefined;
  /**
   * Where the process phase of splittable ParDo `transformId` (an engine's
   * SDF expansion) puts the work a self-checkpoint leaves: the engine holds
   * it and sends it back later (runners that run `splittablePhase` steps).
   */
  splittableResiduals?(transformId: string): (residual: PhaseResidual) => void;
  /** Bounds each `process` call of an SDF's process phase, so the runner can answer between slices (default: unbounded calls). */
  processSlice?(): ProcessSlice;
}

/** Which collections of a stage carry the job's "in" and "out", and what to call for each element. */
export interface EdgeCounting {
  /** Collections whose elements are records the pipeline's sources read. */
  readonly inputs: readonly string[];
  /** Collections whose elements reach the pipeline's sinks. */
  readonly outputs: readonly string[];
  /** One element of an `inputs` collection was emitted. */
  recordIn(): void;
  /** One element of an `outputs` collection was emitted. */
  recordOut(): void;
}

/** The stateful ParDo of a stage, with its timers. */
interface KeyedPart {
  readonly operator: StatefulDoFnOperator;
  readonly runtime: KeyedRuntime;
}

/** A stage ready to process bundles. */
export class ExecutableStage {
  /** @internal */
  constructor(
    /** Receives the stage's root elements. */
    readonly input: ElementReceiver,
    private readonly operators: readonly Operator[],
    private readonly precombiners: readonly PrecombineOperator[],
    private readonly keyed: KeyedPart | undefined,
    /** The splittable DoFn whose work the runner drives, when the stage's root is one. */
    readonly splittableRoot: SplittableDoFnOperator | undefined,
  ) {}

  /** The bundle finalization callbacks the stage's splittable DoFns registered since the last call. */
  takeFinalizations(): Finalization[] {
    const out: Finalization[] = [];
    for (const op of this.operators) {
      if (op instanceof SplittableDoFnOperator) out.push(...op.takeFinalizations());
      else if (op instanceof ProcessSizedOperator) out.push(...op.sdf.takeFinalizations());
    }
    return out;
  }

  /** The process phases of splittable ParDos an engine expanded (the harness answers splits and resumes their slices). */
  get splittableProcessors(): ProcessSizedOperator[] {
    return this.operators.filter((op): op is ProcessSizedOperator => op instanceof ProcessSizedOperator);
  }

  /** True when the stage has a stateful ParDo (state, timers, per-key processing). */
  get isKeyed(): boolean {
    return this.keyed !== undefined;
  }

  /**
   * Fires, in timestamp order, the event-time timers before `watermark`
   * (timers they set are fired too when due), then drops the state of
   * windows that expired. Call inside a bundle. Returns how many fired.
   */
  fireEventTimers(watermark: number): number {
    if (!this.keyed) return 0;
    let fired = 0;
    for (let t = this.keyed.runtime.timers.pollEventTimer(watermark); t; t = this.keyed.runtime.timers.pollEventTimer(watermark)) {
      this.keyed.operator.fireTimer(t);
      fired++;
    }
    for (
      let ns = this.keyed.runtime.timers.pollExpired(watermark);
      ns !== undefined;
      ns = this.keyed.runtime.timers.pollExpired(watermark)
    ) {
      this.keyed.operator.expire(ns);
    }
    return fired;
  }

  /**
   * Fires one timer the runner decided is due (an engine's harness gets
   * them from the engine rather than from its own timer service). Call
   * inside a bundle.
   */
  fireTimer(timer: FiredTimer): void {
    if (!this.keyed) throw new Error(`internal: a timer '${timer.name}' fired in a stage without a stateful ParDo`);
    this.keyed.operator.fireTimer(timer);
  }

  /** Fires the processing-time timers due at `now`. Call inside a bundle. Returns how many fired. */
  fireProcessingTimers(now: number): number {
    if (!this.keyed) return 0;
    let fired = 0;
    for (let t = this.keyed.runtime.timers.pollProcessingTimer(now); t; t = this.keyed.runtime.timers.pollProcessingTimer(now)) {
      this.keyed.operator.fireTimer(t);
      fired++;
    }
    return fired;
  }

  /** True when an event-time timer before `watermark` is pending, or a window expires before it. */
  hasEventWorkBefore(watermark: number): boolean {
    if (!this.keyed) return false;
    const t = this.keyed.runtime.timers;
    return t.hasEventTimerBefore(watermark) || t.hasExpiryBefore(watermark);
  }

  /** The earliest pending processing-time timer, or Infinity. */
  nextProcessingTimer(): number {
    return this.keyed?.runtime.timers.nextProcessingTime() ?? Infinity;
  }

  /**
   * How far the stage holds its output watermark, or Infinity: pending
   * timers at their output timestamps, and partial accumulators of lifted
   * combines not yet flushed.
   */
  watermarkHold(): number {
    let hold = this.keyed?.runtime.timers.outputHold() ?? Infinity;
    for (const p of this.precombiners) hold = Math.min(hold, p.watermarkHold());
    return hold;
  }

  /** Calls `setup` on every DoFn. */
  setup(): void {
    for (const op of this.operators) op.setup();
  }
  /** Starts a bundle: downstream operators first, so what upstream emits there finds them ready. */
  startBundle(): void {
    for (let i = this.operators.length - 1; i >= 0; i--) this.operators[i]!.startBundle();
  }
  /** Finishes a bundle: upstream operators first, so their last outputs reach downstream before it finishes. */
  finishBundle(): void {
    for (const op of this.operators) op.finishBundle();
  }
  /** Emits the partial accumulators of lifted combines: at the end of the input, or before a checkpoint. */
  flush(): void {
    for (const p of this.precombiners) p.flush();
  }
  /**
   * Emits the partial accumulators of the windows the stage's input watermark has passed
   * (see {@link PrecombineOperator.flushCompleteWindows}); true when it emitted any.
   */
  flushCompleteWindows(inputWatermark: number): boolean {
    let emitted = false;
    for (const p of this.precombiners) emitted = p.flushCompleteWindows(inputWatermark) || emitted;
    return emitted;
  }
  /** Calls `teardown` on every DoFn. */
  teardown(): void {
    for (const op of this.operators) op.teardown();
  }
}

/** `receiver`, counting each element first when `pc` is one of the job's counted edges. */
function countedAtEdges(pc: string, counting: EdgeCounting | undefined, receiver: ElementReceiver): ElementReceiver {
  if (!counting) return receiver;
  const isIn = counting.inputs.includes(pc);
  const isOut = counting.outputs.includes(pc);
  if (!isIn && !isOut) return receiver;
  return {
    receive(value, timestamp, windows, pane) {
      if (isIn) counting.recordIn();
      if (isOut) counting.recordOut();
      receiver.receive(value, timestamp, windows, pane);
    },
  };
}

/** The producer named for a PCollection in check messages. */
function producerName(model: PipelineModel, pc: string): string {
  return model.producerOf(pc) ?? pc;
}

/** Builds the operators of `stage`. */
export function buildStage(model: PipelineModel, stage: FusedStage, runtime: StageRuntime): ExecutableStage {
  const operatorsByStep = new Map<StageStep, Operator>();
  let keyed: KeyedPart | undefined;
  const precombiners: PrecombineOperator[] = [];
  const receiversCache = new Map<string, ElementReceiver>();

  const receiversFor = (pc: string): ElementReceiver => {
    const cached = receiversCache.get(pc);
    if (cached) return cached;
    const consumers: NamedReceiver[] = [];
    for (const step of stage.steps) {
      if (step.input !== pc) continue;
      const op = operatorsByStep.get(step);
      if (!op) throw new Error(`internal: stage ${stage.id} step for '${pc}' built out of order`);
      consumers.push({ transform: op.transform, receiver: op, trusted: step.kind === "precombine" });
    }
    if (stage.materialized.includes(pc)) consumers.push({ transform: `(materialized ${pc})`, receiver: runtime.sink(pc), trusted: true });
    if (consumers.length === 0 && model.consumersOf(pc).length === 0 && runtime.terminal) {
      consumers.push({ transform: `(end of ${pc})`, receiver: runtime.terminal, trusted: true });
    }
    const receiver = countedAtEdges(
      pc,
      runtime.edgeCounting,
      runtime.edge ? runtime.edge(pc, producerName(model, pc), consumers) : combineReceivers(consumers.map((c) => c.receiver)),
    );
    receiversCache.set(pc, receiver);
    return receiver;
  };

  for (let i = stage.steps.length - 1; i >= 0; i--) {
    const step = stage.steps[i]!;
    const op =
      step.kind === "pardo" && isStatefulParDo(model, step.transformId)
        ? (keyed = buildStatefulParDo(model, step, runtime, receiversFor)).operator
        : step.kind === "pardo"
          ? buildParDo(model, step, runtime, receiversFor)
          : step.kind === "windowInto"
            ? new WindowIntoOperator(step.transformId, windowIntoFn(model, step.transformId), receiversFor(step.output))
            : step.kind === "writeText"
              ? buildTextSink(model, step, runtime, receiversFor)
              : step.kind === "writeKafka"
                ? buildKafkaSink(model, step, runtime)
                : step.kind === "splittablePhase"
                  ? buildSplittablePhase(model, step, runtime, receiversFor)
                  : step.kind === "combinePhase"
                    ? new CombinePhaseOperator(
                        step.transformId,
                        step.phase,
                        combineFnOf(model, step.transformId, runtime.userCode),
                        receiversFor(step.output),
                      )
                    : buildPrecombine(model, step, runtime, receiversFor);
    if (op instanceof PrecombineOperator) precombiners.unshift(op);
    operatorsByStep.set(step, op);
  }
  const rootPc = stageRootCollection(stage);
  const input = receiversFor(rootPc);
  const root = stage.root;
  const splittableRoot =
    root.kind === "splittable"
      ? operatorsByStep.get(stage.steps.find((s) => s.kind === "pardo" && s.transformId === root.transformId)!)
      : undefined;
  if (root.kind === "splittable" && !(splittableRoot instanceof SplittableDoFnOperator))
    throw new Error(`internal: stage ${stage.id} has no splittable DoFn '${root.transformId}' at its root`);
  return new ExecutableStage(
    input,
    stage.steps.map((s) => operatorsByStep.get(s)!),
    precombiners,
    keyed,
    splittableRoot as SplittableDoFnOperator | undefined,
  );
}

function buildParDo(
  model: PipelineModel,
  step: Extract<StageStep, { kind: "pardo" }>,
  runtime: StageRuntime,
  receiversFor: (pc: string) => ElementReceiver,
): Operator {
  const id = step.transformId;
  const payload = model.doFnPayload(id);
  const fn = runtime.userCode.lookup(payload.ref);
  const tagged = new Map<string, ElementReceiver>();
  for (const tag of payload.additionalOutputs) {
    const pc = step.outputs[tag];
    if (pc !== undefined) tagged.set(tag, receiversFor(pc));
  }
  const main = step.outputs.main !== undefined ? receiversFor(step.outputs.main) : combineReceivers([]);
  const ctx = new DoFnContext(
    id,
    { main, tagged },
    runtime.sideInputReader(id),
    runtime.metrics,
    payload.allowsTimestampSkew === true ? Infinity : (payload.allowedTimestampSkewMs ?? 0),
  );
  switch (payload.shape) {
    case "map":
      return new MapOperator(id, ctx, fn as never);
    case "flatMap":
      return new FlatMapOperator(id, ctx, fn as never);
    case "filter":
      return new FilterOperator(id, ctx, fn as never);
    case "dofn":
      return new DoFnOperator(id, ctx, fn as AnyDoFn<unknown, unknown>);
    case "splittable": {
      const out = step.outputs.main;
      const unbounded = out !== undefined && model.pcollection(out).isBounded === IsBounded.UNBOUNDED;
      return new SplittableDoFnOperator(
        id,
        fn as SplittableDoFnObject<unknown, unknown, unknown>,
        main,
        runtime.sideInputReader(id),
        runtime.metrics,
        unbounded,
        runtime.splitPolicy?.(id),
      );
    }
    case "create": {
      // A Create not split by the runner: emit all values when the impulse arrives.
      const source = asCreateSource(fn, id);
      return new DoFnOperator(id, ctx, {
        process: () => {
          emitCreateRange(source, 0, source.values.length, main);
        },
      });
    }
  }
}

function buildSplittablePhase(
  model: PipelineModel,
  step: Extract<StageStep, { kind: "splittablePhase" }>,
  runtime: StageRuntime,
  receiversFor: (pc: string) => ElementReceiver,
): Operator {
  const id = step.transformId;
  const fn = runtime.userCode.lookup(model.doFnPayload(id).ref);
  if (!isSplittableDoFn(fn)) throw new Error(`'${id}' is a phase of a splittable ParDo, but its DoFn is not splittable`);
  const output = receiversFor(step.output);
  const processing = step.phase === "processSized";
  const unbounded = processing && model.pcollection(step.output).isBounded === IsBounded.UNBOUNDED;
  const sdf = new SplittableDoFnOperator(id, fn, processing ? output : DISCARD, runtime.sideInputReader(id), runtime.metrics, unbounded);
  switch (step.phase) {
    case "pairWithRestriction":
      return new PairWithRestrictionOperator(sdf, output);
    case "splitAndSize":
      return new SplitAndSizeOperator(sdf, output);
    case "truncate":
      return new TruncateOperator(sdf, output);
    case "processSized": {
      const residuals = runtime.splittableResiduals?.(id);
      if (!residuals) throw new Error(`'${id}': this runner does not hold the residuals of a splittable DoFn's process phase`);
      return new ProcessSizedOperator(sdf, residuals, runtime.processSlice ? () => runtime.processSlice!() : undefined);
    }
  }
}

function buildStatefulParDo(
  model: PipelineModel,
  step: Extract<StageStep, { kind: "pardo" }>,
  runtime: StageRuntime,
  receiversFor: (pc: string) => ElementReceiver,
): KeyedPart {
  const id = step.transformId;
  if (!runtime.keyed) throw new Error(`'${id}' uses state or timers, which this runner does not support`);
  const payload = model.doFnPayload(id);
  const specs = keyedSpecsOf(model, id, runtime.userCode);
  const tagged = new Map<string, ElementReceiver>();
  for (const tag of payload.additionalOutputs) {
    const pc = step.outputs[tag];
    if (pc !== undefined) tagged.set(tag, receiversFor(pc));
  }
  const main = step.outputs.main !== undefined ? receiversFor(step.outputs.main) : combineReceivers([]);
  const skew = payload.allowsTimestampSkew === true ? Infinity : (payload.allowedTimestampSkewMs ?? 0);
  const ctx = new DoFnContext(id, { main, tagged }, runtime.sideInputReader(id), runtime.metrics, skew);
  const keyCoder = model.coderOf(step.input, runtime.userCode).components[0]!;
  const keyedRuntime = runtime.keyed(id, specs);
  const fn = runtime.userCode.lookup(payload.ref) as DoFnObject<unknown, unknown>;
  const operator = new StatefulDoFnOperator(id, ctx, fn, specs, keyCoder, model.windowingOf(step.input).allowedLateness, keyedRuntime);
  return { operator, runtime: keyedRuntime };
}

function buildTextSink(
  model: PipelineModel,
  step: Extract<StageStep, { kind: "writeText" }>,
  runtime: StageRuntime,
  receiversFor: (pc: string) => ElementReceiver,
): Operator {
  if (!runtime.textSink) throw new Error(`internal: '${step.transformId}' was planned as a native file sink, but the runner gives none`);
  return runtime.textSink(step.transformId, model.textSinkPayload(step.transformId), receiversFor(step.output));
}

function buildKafkaSink(model: PipelineModel, step: Extract<StageStep, { kind: "writeKafka" }>, runtime: StageRuntime): Operator {
  if (!runtime.kafkaSink) throw new Error(`internal: '${step.transformId}' was planned as a native Kafka sink, but the runner gives none`);
  return runtime.kafkaSink(step.transformId, model.kafkaSinkPayload(step.transformId));
}

function buildPrecombine(
  model: PipelineModel,
  step: Extract<StageStep, { kind: "precombine" }>,
  runtime: StageRuntime,
  receiversFor: (pc: string) => ElementReceiver,
): PrecombineOperator {
  const combine = combineFnOf(model, step.combineId, runtime.userCode);
  const keyCoder = model.coderOf(step.input, runtime.userCode).components[0]!;
  const timestampCombiner = windowingOf(model, step.input).timestampCombiner;
  return new PrecombineOperator(step.combineId, combine, keyCoder, timestampCombiner, receiversFor(step.output));
}

/** The PCollection a stage's root emits into. */
export function stageRootCollection(stage: FusedStage): string {
  return stage.root.kind === "pcollection"
    ? stage.root.pcollection
    : stage.root.kind === "splittable"
      ? stage.root.input
      : stage.root.output;
}

/** The window fn a WindowInto transform assigns. */
export function windowIntoFn(model: PipelineModel, transformId: string): WindowFnSpec {
  return windowFnFromProto(decodeMessage("WindowIntoPayload", model.transform(transformId).spec!.payload).windowFn!);
}

/** The CombineFn of a combine transform. */
export function combineFnOf(model: PipelineModel, combineId: string, userCode: UserCodeSource): CombineFn<unknown, unknown, unknown> {
  const payload = decodeMessage("CombinePayload", model.transform(combineId).spec!.payload);
  const { ref } = decodeJsonPayload<CombineFnPayload>(payload.combineFn!.payload, `CombineFn of '${combineId}'`);
  return userCode.lookup(ref) as CombineFn<unknown, unknown, unknown>;
}
