/**
 * Executes a plan in one process, the reference way, driven by watermarks:
 *
 * - sources (Create, Impulse, sequences, TestStream) emit bundles; each
 *   stage and shuffle keeps a queue of bundles to process;
 * - the next piece of work is picked in a seeded random order among all that
 *   are ready, to flush out order dependence;
 * - after each piece of work, watermarks are recomputed in topological
 *   order: a node's input watermark is the minimum of its inputs' watermarks
 *   and of the timestamps it still has queued; its output watermark is held
 *   further by what it buffers (panes not yet fired, pushed-back elements);
 * - groupings run the shared ReduceFnRunner (windows, triggers, panes,
 *   lateness); a ParDo waits, element by element, for the side input windows
 *   it reads;
 * - a TestStream event is applied only when nothing else can happen, so
 *   tests control event time and processing time exactly; otherwise
 *   processing time is the real clock;
 * - every edge can be checked for immutability and encodability.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { keyedConsumerOf } from "../../portability/harness/unencodable_element";
import type { UserCodeSource } from "../../portability/user_code/user_code_source";
import { buildStage, stageRootCollection, type ExecutableStage, type NamedReceiver } from "../../portability/harness/stage_executor";
import { combineReceivers, type ElementReceiver } from "../../portability/harness/element_receiver";
import { MetricsContainer } from "../../portability/harness/metrics_container";
import { shuffleInputs, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../core/execution_plan";
import { sideInputReaderFor, sideWindowFnOf } from "../core/side_input_store";
import { collectionCoder } from "../core/collection_coders";
import { sideWindowsReady, type SideWindowFn } from "../core/side_input_views";
import { DROPPED_DUE_TO_LATENESS, groupingRunnerFor, guardGrouping } from "../core/windowing/grouping_runner";
import type { ReduceFnRunnerApi } from "../core/windowing/reduce_fn_runner_api";
import type { JobHandle } from "../core/job_handle";
import type { StageCounts } from "../core/progress";
import type { WindowedValue } from "../../sdk/values/windowed_value";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../sdk/values/windows";
import { NO_FIRING } from "../../sdk/values/pane";
import { MIN_TIMESTAMP } from "../../sdk/values/time";
import type { KV } from "../../sdk/values/kv";
import { CheckedEdge, OutputWatchList } from "./element_checks";
import { BundleCollector, type Bundle } from "./bundle_collector";
import { sourceIdle, sourceOf, type SourceState } from "./source_state";
import { SeededRandom } from "./seeded_random";
import { PendingQueue } from "./pending_queue";
import { KeyedStateStore } from "../core/state/keyed_state_store";
import { TimerService } from "../core/state/timer_service";
import type { DirectSettings } from "./direct_flags";




/** Processing time: the real clock, or a TestStream's scripted one. */
interface Clock {
  now(): number;
  readonly scripted: boolean;
}


interface StageNode {
  readonly kind: "stage";
  readonly stage: FusedStage;
  readonly exec: ExecutableStage;
  readonly sinks: Map<string, BundleCollector>;
  readonly metrics: MetricsContainer;
  readonly source: SourceState;
  /** Bundles of the root PCollection waiting to be processed. */
  readonly pending: PendingQueue;
  /** Elements (one window each) waiting for side input windows. */
  pushedBack: WindowedValue[];
  /** Side input progress seen at the last push-back attempt. */
  sideProgressAtPushBack: number;
  readonly sideWindowFns: Map<string, SideWindowFn>;
  outputWatermark: number;
  /** The input watermark when the current bundle was taken: elements of windows expired before it are late. */
  bundleInputWatermark: number;
  /** The highest input watermark computed so far (watermarks never go back). */
  inputWatermarkSeen: number;
  /** Elements in and out, for progress displays (counted per bundle). */
  readonly counts: StageCounts;
}

interface ShuffleNodeState {
  readonly kind: "shuffle";
  readonly node: ShuffleNode;
  readonly pending: PendingQueue;
  readonly reduce: ReduceFnRunnerApi | undefined;
  readonly out: BundleCollector;
  readonly emit: ElementReceiver;
  inputWatermarkFired: number;
  outputWatermark: number;
  /** The highest input watermark computed so far (watermarks never go back). */
  inputWatermarkSeen: number;
  /** Elements in and out, for progress displays (counted per bundle). */
  readonly counts: StageCounts;
}

type ExecNode = StageNode | ShuffleNodeState;

/** Runs one job's plan. */
export class DirectExecutor {
  private readonly random: SeededRandom;
  private readonly watch = new OutputWatchList();
  private readonly nodes: ExecNode[] = [];
  /** Output watermark of each PCollection's producer. */
  private readonly watermarks = new Map<string, number>();
  /** Consumers of each PCollection: nodes reading it as main input. */
  private readonly mainConsumers = new Map<string, ExecNode[]>();
  /** Side input elements so far, for PCollections read as side inputs. */
  private readonly sideElements = new Map<string, WindowedValue[]>();
  private sideProgress = 0;
  private readonly clock: Clock;
  private bundlesRun = 0;
  /** Counts the elements that reach the end of the pipeline. */
  private readonly terminal: ElementReceiver = {
    receive: () => {
      this.job.progress.elementsOut++;
    },
  };
  private testClockNow = 0;

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly userCode: UserCodeSource,
    private readonly settings: DirectSettings,
    private readonly job: JobHandle,
  ) {
    this.random = new SeededRandom(settings.seed);
    const scripted = plan.stages.some((s) => s.root.kind === "testStream");
    this.clock = scripted ? { now: () => this.testClockNow, scripted: true } : { now: () => Date.now(), scripted: false };
  }

  /** Runs until every watermark reaches the end of time, or the job is cancelled. */
  async run(): Promise<void> {
    this.buildNodes();
    let lastYield = performance.now();
    try {
      for (;;) {
        if (this.job.isCancelRequested) return;
        if (performance.now() - lastYield > 20) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
        const work = this.readyWork();
        if (work.length > 0) {
          work[this.random.nextInt(work.length)]!();
          this.advanceWatermarks();
          continue;
        }
        // Quiescent: let time move.
        if (this.advanceWatermarks()) continue;
        if (this.fireProcessingTimers()) continue;
        if (this.finished()) return;
        if (this.playNextTestStreamEvent()) continue;
        const wake = this.nextWakeTime();
        if (!this.clock.scripted && Number.isFinite(wake)) {
          await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wake - this.clock.now(), 50))));
          lastYield = performance.now();
          continue;
        }
        throw new Error(`the pipeline cannot make progress: ${this.describeStuck()}`);
      }
    } finally {
      for (const n of this.nodes) if (n.kind === "stage") n.exec.teardown();
    }
  }

  // ---- set-up ----

  private buildNodes(): void {
    const producerOf = new Map<string, ExecNode>();
    for (const stage of this.plan.stages) {
      const node = this.buildStageNode(stage);
      this.nodes.push(node);
      for (const pc of stage.produces) producerOf.set(pc, node);
    }
    for (const shuffle of this.plan.shuffles) {
      const node = this.buildShuffleNode(shuffle);
      this.nodes.push(node);
      producerOf.set(shuffle.output, node);
    }
    for (const node of this.nodes) {
      const inputs = node.kind === "stage" ? (node.stage.root.kind === "pcollection" ? [node.stage.root.pcollection] : []) : shuffleInputs(node.node);
      for (const pc of inputs) {
        const list = this.mainConsumers.get(pc) ?? [];
        list.push(node);
        this.mainConsumers.set(pc, list);
      }
      if (node.kind === "stage") for (const pc of node.stage.sideInputs) this.sideElements.set(pc, []);
    }
    // Topological order: a node after the producers of everything it reads.
    const ordered: ExecNode[] = [];
    const seen = new Set<ExecNode>();
    const visit = (n: ExecNode): void => {
      if (seen.has(n)) return;
      seen.add(n);
      const reads = n.kind === "stage" ? [...(n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : []), ...n.stage.sideInputs] : shuffleInputs(n.node);
      for (const pc of reads) {
        const p = producerOf.get(pc);
        if (p) visit(p);
      }
      ordered.push(n);
    };
    this.nodes.forEach(visit);
    this.nodes.splice(0, this.nodes.length, ...ordered);
    for (const n of this.nodes) {
      for (const pc of n.kind === "stage" ? n.stage.produces : [n.node.output]) this.watermarks.set(pc, -Infinity);
      if (n.kind === "stage") n.exec.setup();
    }
  }

  private buildStageNode(stage: FusedStage): StageNode {
    // The keyed runtime reads the node's input watermark, so it needs the node once built.
    let node: StageNode | undefined;
    const metrics = new MetricsContainer();
    const sinks = new Map<string, BundleCollector>();
    const exec = buildStage(this.model, stage, {
      userCode: this.userCode,
      metrics,
      sink: (pc) => {
        let c = sinks.get(pc);
        if (!c) sinks.set(pc, (c = new BundleCollector(this.settings.bundleSize)));
        return c;
      },
      sideInputReader: (id) => sideInputReaderFor(this.model, id, this.userCode, (pc) => this.sideElements.get(pc) ?? []),
      edge: (pc, producer, consumers) => this.edge(pc, producer, consumers),
      terminal: this.terminal,
      keyed: (_id, specs) => ({
        store: new KeyedStateStore(specs.state),
        timers: new TimerService(),
        inputWatermark: () => node?.bundleInputWatermark ?? -Infinity,
        processingTime: () => this.clock.now(),
        onDroppedLate: (n) => this.count(DROPPED_DUE_TO_LATENESS, n),
      }),
    });
    const sideWindowFns = new Map(stage.sideInputs.map((pc) => [pc, sideWindowFnOf(this.model, pc)] as const));
    return (node = {
      kind: "stage",
      stage,
      exec,
      sinks,
      metrics,
      source: sourceOf(this.model, this.userCode, stage),
      pending: new PendingQueue(),
      pushedBack: [],
      sideProgressAtPushBack: -1,
      sideWindowFns,
      outputWatermark: -Infinity,
      bundleInputWatermark: -Infinity,
      inputWatermarkSeen: -Infinity,
      counts: this.job.progress.stage(stage.id),
    });
  }



  private buildShuffleNode(node: ShuffleNode): ShuffleNodeState {
    const out = new BundleCollector(this.settings.bundleSize);
    const emit = this.edge(node.output, node.transformId, [{ transform: `(materialized ${node.output})`, receiver: out, trusted: true }]);
    let reduce: ReduceFnRunnerApi | undefined;
    if (node.kind === "groupByKey" || node.kind === "combine") {
      reduce = groupingRunnerFor(
        this.model,
        node,
        this.userCode,
        (kv, timestamp, window, pane) => emit.receive(kv, timestamp, [window], pane),
        (metric, n) => this.count(metric, n),
      );
    }
    return { kind: "shuffle", node, pending: new PendingQueue(), reduce, out, emit, inputWatermarkFired: -Infinity, outputWatermark: -Infinity, inputWatermarkSeen: -Infinity, counts: this.job.progress.stage(node.transformId) };
  }

  private count(counter: string, n: number): void {
    this.job.totals.counters[counter] = (this.job.totals.counters[counter] ?? 0) + n;
  }

  private edge(pc: string, producer: string, consumers: readonly NamedReceiver[]): ElementReceiver {
    const { enforceImmutability, enforceEncodability } = this.settings;
    if (!enforceImmutability && !enforceEncodability) return combineReceivers(consumers.map((c) => c.receiver));
    return new CheckedEdge(
      pc,
      producer,
      consumers,
      collectionCoder(this.model, this.plan, pc, this.userCode),
      { immutability: enforceImmutability, encodability: enforceEncodability },
      this.watch,
      () => keyedConsumerOf(this.model, pc),
    );
  }

  // ---- work ----

  /** Every piece of work that can be done now. */
  private readyWork(): (() => void)[] {
    const work: (() => void)[] = [];
    for (const n of this.nodes) {
      if (n.kind === "shuffle") {
        if (n.pending.length > 0) work.push(() => this.processShuffleBundle(n));
        continue;
      }
      if (n.pending.length > 0) {
        work.push(() => {
          // The bundle still holds the input watermark until it is processed.
          n.bundleInputWatermark = this.inputWatermarkOf(n);
          this.processStageBundle(n, n.pending.takeRandom(this.random));
        });
      }
      if (n.pushedBack.length > 0 && n.sideProgressAtPushBack !== this.sideProgress) work.push(() => this.retryPushedBack(n));
      const src = n.source;
      if (src.kind === "once" && !src.done) work.push(() => this.emitImpulse(n));
      if (src.kind === "ranges" && src.next < src.total) work.push(() => this.emitRange(n));
      if (src.kind === "sequence" && src.pacer.nextDueTime(this.clock.now()) <= this.clock.now()) work.push(() => this.emitSequence(n));
    }
    return work;
  }

  private runBundle(n: StageNode, feed: (input: ElementReceiver) => void): void {
    this.bundlesRun++;
    const outBefore = this.job.progress.elementsOut;
    n.exec.startBundle();
    feed(n.exec.input);
    n.exec.finishBundle();
    n.counts.elementsOut += this.job.progress.elementsOut - outBefore;
    this.commit(n);
  }

  /** Counts elements a stage reads, for the job and for the stage. */
  private countIn(n: StageNode, count: number): void {
    this.job.progress.elementsIn += count;
    n.counts.elementsIn += count;
  }

  private countOut(counts: StageCounts, bundles: readonly Bundle[]): void {
    for (const b of bundles) counts.elementsOut += b.length;
  }

  /** A bundle succeeded: its outputs go downstream and its metrics count. */
  private commit(n: StageNode): void {
    this.watch.verifyAndClear();
    n.metrics.commitInto(this.job.totals);
    for (const [pc, collector] of n.sinks) {
      const bundles = collector.drain();
      this.countOut(n.counts, bundles);
      this.deliver(pc, bundles);
    }
  }

  private deliver(pc: string, bundles: Bundle[]): void {
    if (bundles.length === 0) return;
    const side = this.sideElements.get(pc);
    if (side) {
      for (const b of bundles) for (const wv of b) side.push(wv);
      this.sideProgress++;
    }
    for (const consumer of this.mainConsumers.get(pc) ?? []) consumer.pending.push(...bundles);
  }

  private emitImpulse(n: StageNode): void {
    (n.source as { done: boolean }).done = true;
    this.countIn(n, 1);
    this.runBundle(n, (input) => input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING));
  }

  private emitRange(n: StageNode): void {
    const src = n.source as Extract<SourceState, { kind: "ranges" }>;
    const from = src.next;
    const to = Math.min(from + this.settings.bundleSize, src.total);
    src.next = to;
    this.countIn(n, to - from);
    this.runBundle(n, (input) => src.emit(from, to, input));
  }

  private emitSequence(n: StageNode): void {
    const src = n.source as Extract<SourceState, { kind: "sequence" }>;
    const now = this.clock.now();
    const numbers = src.pacer.take(now, this.settings.bundleSize);
    this.countIn(n, numbers.length);
    this.runBundle(n, (input) => {
      for (const x of numbers) input.receive(x, now, IN_GLOBAL_WINDOW, NO_FIRING);
    });
  }

  private processStageBundle(n: StageNode, bundle: Bundle): void {
    this.countIn(n, bundle.length);
    if (n.stage.sideInputs.length === 0) {
      this.runBundle(n, (input) => {
        for (let i = 0; i < bundle.length; i++) {
          const wv = bundle[i]!;
          input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        }
      });
      return;
    }
    // Earlier pushed-back elements are retried with the new bundle: the progress
    // mark set after this feed must not hide them.
    const earlier = n.pushedBack;
    n.pushedBack = [];
    this.feedWithSideInputs(n, earlier.length > 0 ? [...earlier, ...bundle] : bundle);
  }

  /** Feeds the elements whose side input windows are ready; pushes the others back, one window each. */
  private feedWithSideInputs(n: StageNode, elements: readonly WindowedValue[]): void {
    const waiting: WindowedValue[] = [];
    this.runBundle(n, (input) => {
      for (const wv of elements) {
        for (const w of wv.windows) {
          if (this.sideInputsReady(n, w)) input.receive(wv.value, wv.timestamp, [w], wv.pane);
          else waiting.push({ value: wv.value, timestamp: wv.timestamp, windows: [w], pane: wv.pane });
        }
      }
    });
    n.pushedBack.push(...waiting);
    n.sideProgressAtPushBack = this.sideProgress;
  }

  private retryPushedBack(n: StageNode): void {
    const elements = n.pushedBack;
    n.pushedBack = [];
    this.feedWithSideInputs(n, elements);
  }

  /** True when the side input windows `mainWindow` reads are complete (see `sideWindowsReady`). */
  private sideInputsReady(n: StageNode, mainWindow: BoundedWindow): boolean {
    return sideWindowsReady(
      mainWindow,
      n.stage.sideInputs.map((pc) => ({ fn: n.sideWindowFns.get(pc)!, watermark: this.watermarks.get(pc) ?? -Infinity })),
    );
  }

  private processShuffleBundle(n: ShuffleNodeState): void {
    // The bundle being processed still holds the input watermark: measure it before taking the bundle off the queue.
    const inputWatermark = this.inputWatermarkOf(n);
    const bundle = n.pending.takeRandom(this.random);
    const node = n.node;
    n.counts.elementsIn += bundle.length;
    if (node.kind === "flatten" || node.kind === "reshuffle") {
      n.counts.elementsOut += bundle.length;
      this.deliver(node.output, [node.kind === "flatten" ? bundle : this.random.shuffle([...bundle])]);
      return;
    }
    const now = this.clock.now();
    for (let i = 0; i < bundle.length; i++) {
      const wv = bundle[i]!;
      const kv = wv.value as KV<unknown, unknown>;
      guardGrouping(node.transformId, kv, () => n.reduce!.processElement(kv.key, kv.value, wv.timestamp, wv.windows, inputWatermark, now));
    }
    this.flushShuffle(n);
  }

  private flushShuffle(n: ShuffleNodeState): void {
    this.watch.verifyAndClear();
    const bundles = n.out.drain();
    this.countOut(n.counts, bundles);
    this.deliver(n.node.output, bundles);
  }

  // ---- time ----

  /**
   * A node's input watermark: the minimum of its inputs' watermarks and of
   * the timestamps it still has queued, and never lower than before (as in
   * Beam's watermark manager): a late element waiting in the queue does not
   * pull time back, so it is late.
   */
  private inputWatermarkOf(n: ExecNode): number {
    let wm = Infinity;
    const inputs = n.kind === "stage" ? (n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : []) : shuffleInputs(n.node);
    for (const pc of inputs) wm = Math.min(wm, this.watermarks.get(pc) ?? -Infinity);
    wm = Math.max(n.inputWatermarkSeen, Math.min(wm, n.pending.minTimestamp()));
    n.inputWatermarkSeen = wm;
    return wm;
  }

  /**
   * Recomputes every watermark in topological order, firing what event time
   * allows on the way. Returns true when that produced new work.
   */
  private advanceWatermarks(): boolean {
    let produced = false;
    for (const n of this.nodes) {
      let out: number;
      if (n.kind === "stage") {
        if (n.exec.isKeyed) {
          const input = this.inputWatermarkOf(n);
          n.bundleInputWatermark = input;
          if (n.exec.hasEventWorkBefore(input)) {
            const before = this.pendingCount();
            this.runBundle(n, () => n.exec.fireEventTimers(input));
            produced ||= this.pendingCount() > before;
          }
        }
        // What feeds the stage has reached this watermark: its source's, or its input's.
        const fed = this.stageOutputWatermark(n);
        out = Math.min(fed, n.exec.watermarkHold());
        const idle = n.pending.length === 0 && n.pushedBack.length === 0 && sourceIdle(n.source);
        if (idle || n.exec.watermarkHold() < fed) {
          // Partial combines are flushed when the stage is idle, or once the input
          // watermark has passed them (their windows are complete): they hold the
          // output watermark until then.
          n.exec.flush();
          const before = this.pendingCount();
          this.commit(n);
          produced ||= this.pendingCount() > before;
        }
        n.outputWatermark = out;
        for (const pc of n.stage.produces) this.setWatermark(pc, out);
      } else {
        const input = this.inputWatermarkOf(n);
        if (n.reduce && input > n.inputWatermarkFired) {
          n.inputWatermarkFired = input;
          guardGrouping(n.node.transformId, undefined, () => n.reduce!.advanceInputWatermark(input));
          const before = this.pendingCount();
          this.flushShuffle(n);
          produced ||= this.pendingCount() > before;
        }
        out = n.reduce ? Math.min(input, n.reduce.outputWatermarkHold()) : input;
        n.outputWatermark = out;
        this.setWatermark(n.node.output, out);
      }
    }
    // Event time as the groupings see it (where windows fire); every step's when there is none.
    let atGroupings = Infinity;
    let everywhere = Infinity;
    for (const n of this.nodes) {
      everywhere = Math.min(everywhere, n.outputWatermark);
      if (n.kind === "shuffle" && n.reduce) atGroupings = Math.min(atGroupings, n.inputWatermarkSeen);
    }
    this.job.progress.watermark = this.nodes.some((n) => n.kind === "shuffle" && n.reduce) ? atGroupings : everywhere;
    this.job.progress.detail = `${this.bundlesRun.toLocaleString("en-US")} bundles`;
    return produced;
  }

  /** Records a PCollection's watermark; a side input's moving watermark may release pushed-back elements. */
  private setWatermark(pc: string, wm: number): void {
    if (this.watermarks.get(pc) !== wm && this.sideElements.has(pc)) this.sideProgress++;
    this.watermarks.set(pc, wm);
  }

  private stageOutputWatermark(n: StageNode): number {
    const src = n.source;
    let wm: number;
    switch (src.kind) {
      case "once":
        wm = src.done ? Infinity : -Infinity;
        break;
      case "ranges":
        wm = src.next >= src.total ? Infinity : -Infinity;
        break;
      case "sequence":
        wm = src.pacer.done ? Infinity : this.clock.now();
        break;
      case "testStream":
        wm = src.watermark;
        break;
      case "none":
        wm = this.inputWatermarkOf(n);
        for (const pc of n.stage.sideInputs) wm = Math.min(wm, this.watermarks.get(pc) ?? -Infinity);
        break;
    }
    for (const wv of n.pushedBack) if (wv.timestamp < wm) wm = wv.timestamp;
    return wm;
  }



  private pendingCount(): number {
    let c = 0;
    for (const n of this.nodes) c += n.pending.length;
    return c;
  }

  private fireProcessingTimers(): boolean {
    const now = this.clock.now();
    let produced = false;
    for (const n of this.nodes) {
      if (n.kind === "stage") {
        if (n.exec.nextProcessingTimer() > now) continue;
        const before = this.pendingCount();
        this.runBundle(n, () => n.exec.fireProcessingTimers(now));
        produced ||= this.pendingCount() > before;
        continue;
      }
      if (!n.reduce || n.reduce.nextProcessingTimeTimer() > now) continue;
      guardGrouping(n.node.transformId, undefined, () => n.reduce!.advanceProcessingTime(now));
      const before = this.pendingCount();
      this.flushShuffle(n);
      produced ||= this.pendingCount() > before;
    }
    return produced;
  }

  private nextWakeTime(): number {
    const now = this.clock.now();
    let wake = Infinity;
    for (const n of this.nodes) {
      if (n.kind === "shuffle" && n.reduce) wake = Math.min(wake, n.reduce.nextProcessingTimeTimer());
      if (n.kind === "stage" && n.source.kind === "sequence") wake = Math.min(wake, n.source.pacer.nextDueTime(now));
      if (n.kind === "stage") wake = Math.min(wake, n.exec.nextProcessingTimer());
    }
    return wake;
  }

  /** Applies the next TestStream event; true if there was one. */
  private playNextTestStreamEvent(): boolean {
    const streams = this.nodes.filter((n): n is StageNode => n.kind === "stage" && n.source.kind === "testStream" && n.source.next < n.source.events.length);
    if (streams.length === 0) return false;
    const n = streams[0]!;
    const src = n.source as Extract<SourceState, { kind: "testStream" }>;
    const event = src.events[src.next++]!;
    switch (event.kind) {
      case "elements":
        this.countIn(n, event.elements.length);
        this.runBundle(n, (input) => {
          for (const el of event.elements) input.receive(el.value, el.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
        });
        break;
      case "watermark":
        src.watermark = Math.max(src.watermark, event.watermark);
        break;
      case "processingTime":
        this.testClockNow += event.advanceMs;
        break;
    }
    this.advanceWatermarks();
    return true;
  }

  private finished(): boolean {
    for (const n of this.nodes) {
      if (n.pending.length > 0) return false;
      if (n.kind === "stage" && (n.pushedBack.length > 0 || n.outputWatermark !== Infinity)) return false;
      if (n.kind === "shuffle" && n.outputWatermark !== Infinity) return false;
    }
    return true;
  }

  private describeStuck(): string {
    const waiting = this.nodes
      .filter((n) => n.kind === "stage" && n.pushedBack.length > 0)
      .map((n) => `${(n as StageNode).stage.id} waits for side inputs ${(n as StageNode).stage.sideInputs.join(", ")}`);
    const held = this.nodes
      .filter((n) => n.outputWatermark !== Infinity)
      .map((n) => `${n.kind === "stage" ? `${n.stage.id} (${stageRootCollection(n.stage)})` : n.node.transformId} at watermark ${n.outputWatermark}`);
    return [...waiting, ...held].join("; ") || "no work and no time left";
  }
}
