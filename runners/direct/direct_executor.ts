/**
 * Executes a plan in one process, the reference way, driven by watermarks
 * (Beam's DirectRunner: this file is its scheduler, the quiescence loop):
 *
 * - sources (Create, Impulse, splittable DoFns) emit bundles; each stage and
 *   shuffle keeps a queue of bundles to process;
 * - the next piece of work is picked in a seeded random order among all that
 *   are ready, to flush out order dependence;
 * - after each piece of work, the watermarks of the nodes it touched are
 *   refreshed (`WatermarkRefresh`, the rule in `runners/core/watermarks`),
 *   firing what event time allows on the way;
 * - groupings run the shared ReduceFnRunner (windows, triggers, panes,
 *   lateness); a ParDo waits, element by element, for the side input windows
 *   it reads (`runners/core/side_input_pushback`);
 * - a TestStream event is applied only when nothing else can happen
 *   (`TestStreamPlayer`); otherwise processing time is the real clock;
 * - every edge can be checked for immutability and encodability.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import { keyedConsumerOf } from "../../portability/harness/unencodable_element";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { buildStage, stageRootCollection, type NamedReceiver } from "../../portability/harness/stage_executor";
import { combineReceivers, type ElementReceiver } from "../../portability/harness/element_receiver";
import { MetricsContainer } from "../../portability/harness/metrics_container";
import type { ExecutionPlan, FusedStage, ShuffleNode } from "../../portability/plan/execution_plan";
import { sideInputReaderFor, sideWindowFnOf } from "../core/side_input_store";
import { collectionCoder } from "../core/collection_coders";
import { SideInputPushback } from "../core/side_input_pushback";
import { lowestWatermark, nextInputWatermark, nextOutputWatermark } from "../core/watermarks";
import { DROPPED_DUE_TO_LATENESS, groupingRunnerFor, guardGrouping } from "../core/windowing/grouping_runner";
import type { ReduceFnRunnerApi } from "../core/windowing/reduce_fn_runner_api";
import type { JobHandle } from "../core/job_handle";
import { jobWatermark, type StageCounts } from "../core/progress";
import { stageEdges, type StageEdges } from "../core/edge_counting";
import type { WindowedValue } from "../../model/windowed_value";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import { NO_FIRING } from "../../model/pane";
import type { KV } from "../../model/kv";
import { KeyedStateStore } from "../core/state/keyed_state_store";
import { TimerService } from "../core/state/timer_service";
import { CheckedEdge } from "./element_checks";
import { OutputWatchList } from "./output_watch";
import { BundleCollector, type Bundle } from "./bundle_collector";
import {
  nextSourceBundle,
  sourceHasWork,
  sourceIdle,
  sourceNextDueTime,
  sourceOf,
  sourcePieces,
  sourceWaits,
  sourceWatermark,
} from "./source_state";
import { runFinalizations } from "../../portability/harness/bundle_finalizations";
import { SeededRandom } from "./seeded_random";
import { PendingQueue } from "./pending_queue";
import { mainInputsOf, topologicalOrder, type ExecNode, type ShuffleNodeState, type StageNode } from "./direct_nodes";
import { WatermarkRefresh } from "./watermark_refresh";
import { TestStreamPlayer } from "./test_stream_player";
import { allFinished, describeStuck } from "./stuck_job";
import type { DirectSettings } from "./direct_flags";

/** A source holding this many pieces of work is not split further (see the split policy). */
const SPLIT_PIECES_LIMIT = 32;

/** Runs one job's plan. */
export class DirectExecutor {
  private readonly random: SeededRandom;
  private readonly watch = new OutputWatchList();
  /** Every node, in topological order. */
  private nodes: ExecNode[] = [];
  private time!: WatermarkRefresh;
  private player!: TestStreamPlayer;
  /** Nodes that may have work: a queue, elements a side input may release, a source. */
  private readonly busy = new Set<ExecNode>();
  /** Stages fed by a splittable DoFn: their watermark may follow processing time, so they are refreshed on every pass. */
  private splittableSources: StageNode[] = [];
  /** Shuffles that group (where windows fire): event time as the job reports it. */
  private groupings: ShuffleNodeState[] = [];
  /** Side input elements so far, for PCollections read as side inputs. */
  private readonly sideElements = new Map<string, WindowedValue[]>();
  /** Bundles delivered to a main input so far: a refresh that delivers some produced work. */
  private delivered = 0;
  private bundlesRun = 0;
  /** Elements output to no consumer so far: a stage's "out" in the per-stage counts. */
  private terminalOut = 0;
  /** Counts the elements that reach the end of the pipeline. */
  private readonly terminal: ElementReceiver = {
    receive: () => {
      this.terminalOut++;
    },
  };
  /** The collections each stage counts toward the job's "in" and "out" (the rule every runner shares). */
  private readonly edgesOf: (stage: FusedStage) => StageEdges;

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly userCode: UserCodeSource,
    private readonly settings: DirectSettings,
    private readonly job: JobHandle,
  ) {
    this.random = new SeededRandom(settings.seed);
    this.edgesOf = stageEdges(model, plan);
  }

  /** Processing time: the real clock, or a TestStream's scripted one. */
  private now(): number {
    return this.player.scripted ? this.player.now() : Date.now();
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
        if (allFinished(this.nodes)) return;
        if (this.playNextTestStreamEvent()) continue;
        const wake = this.nextWakeTime();
        if (!this.player.scripted && Number.isFinite(wake)) {
          await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wake - this.now(), 50))));
          lastYield = performance.now();
          continue;
        }
        throw new Error(`the pipeline cannot make progress: ${describeStuck(this.nodes)}`);
      }
    } finally {
      for (const n of this.nodes) if (n.kind === "stage") n.exec.teardown();
    }
  }

  // ---- set-up ----

  private buildNodes(): void {
    const nodes: ExecNode[] = [
      ...this.plan.stages.map((s) => this.buildStageNode(s)),
      ...this.plan.shuffles.map((s) => this.buildShuffleNode(s)),
    ];
    this.nodes = topologicalOrder(nodes);
    this.time = new WatermarkRefresh(this.nodes);
    const stages = this.nodes.filter((n): n is StageNode => n.kind === "stage");
    this.player = new TestStreamPlayer(stages.filter((n) => n.source.kind === "testStream"));
    this.splittableSources = stages.filter((n) => n.source.kind === "splittable");
    this.groupings = this.nodes.filter((n): n is ShuffleNodeState => n.kind === "shuffle" && n.reduce !== undefined);
    for (const n of stages) {
      for (const pc of n.stage.sideInputs) this.sideElements.set(pc, []);
      if (n.source.kind !== "none") this.busy.add(n);
      n.exec.setup();
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
      // The stage's input comes from runner code (its source, or committed bundles): no transform can change it after output.
      edge: (pc, producer, consumers) => this.edge(pc, producer, consumers, pc === stageRootCollection(stage)),
      terminal: this.terminal,
      edgeCounting: {
        ...this.edgesOf(stage),
        recordIn: () => {
          this.job.progress.elementsIn++;
        },
        recordOut: () => {
          this.job.progress.elementsOut++;
        },
      },
      // Splits each restriction at a random fraction half of the time, to flush out SDFs that split wrongly; not
      // once the stage's source holds SPLIT_PIECES_LIMIT pieces, since each bundle looks at every piece (its
      // watermark, whether it is due): unbounded, the pieces grow with the input and a bundle's cost with them.
      splitPolicy: () => () => {
        if (this.random.next() >= 0.5) return undefined;
        const fraction = this.random.next();
        return sourcePieces(node?.source) < SPLIT_PIECES_LIMIT ? fraction : undefined;
      },
      keyed: (_id, specs) => ({
        store: new KeyedStateStore(specs.state),
        timers: new TimerService(),
        inputWatermark: () => node?.bundleInputWatermark ?? -Infinity,
        processingTime: () => this.now(),
        onDroppedLate: (n) => this.count(DROPPED_DUE_TO_LATENESS, n),
      }),
    });
    return (node = {
      kind: "stage",
      order: -1,
      stage,
      exec,
      sinks,
      metrics,
      source: sourceOf(this.model, this.userCode, stage, exec, this.random),
      pending: new PendingQueue(),
      pushback: new SideInputPushback(new Map(stage.sideInputs.map((pc) => [pc, sideWindowFnOf(this.model, pc)] as const))),
      sideMoved: false,
      outputWatermark: -Infinity,
      bundleInputWatermark: -Infinity,
      inputWatermarkSeen: -Infinity,
      counts: this.job.progress.stage(stage.id),
    });
  }

  private buildShuffleNode(node: ShuffleNode): ShuffleNodeState {
    const out = new BundleCollector(this.settings.bundleSize);
    // A GroupByKey's output is made by the runner from elements checked on their way in: checking it again would copy every group.
    const emit =
      node.kind === "groupByKey"
        ? out
        : this.edge(node.output, node.transformId, [{ transform: `(materialized ${node.output})`, receiver: out, trusted: true }], false);
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
    return {
      kind: "shuffle",
      order: -1,
      node,
      pending: new PendingQueue(),
      reduce,
      out,
      emit,
      inputWatermarkFired: -Infinity,
      outputWatermark: -Infinity,
      inputWatermarkSeen: -Infinity,
      counts: this.job.progress.stage(node.transformId),
    };
  }

  private count(counter: string, n: number): void {
    this.job.totals.counters[counter] = (this.job.totals.counters[counter] ?? 0) + n;
  }

  private edge(pc: string, producer: string, consumers: readonly NamedReceiver[], producedByRunner: boolean): ElementReceiver {
    const { enforceImmutability, enforceEncodability } = this.settings;
    if (!enforceImmutability && !enforceEncodability) return combineReceivers(consumers.map((c) => c.receiver));
    return new CheckedEdge(
      {
        pcollection: pc,
        producer,
        consumers,
        coder: collectionCoder(this.model, this.plan, pc, this.userCode),
        producedByRunner,
        keyedConsumer: () => keyedConsumerOf(this.model, pc),
      },
      { immutability: enforceImmutability, encodability: enforceEncodability },
      this.watch,
    );
  }

  // ---- work ----

  /** Every piece of work that can be done now; each marks its node for the next refresh. */
  private readyWork(): (() => void)[] {
    const work: (() => void)[] = [];
    const now = this.now();
    for (const n of this.busy) {
      let any = false;
      if (n.pending.length > 0) {
        any = true;
        work.push(n.kind === "shuffle" ? () => this.processShuffleBundle(n) : () => this.processStageBundle(n));
      }
      if (n.kind === "stage") {
        if (n.sideMoved && n.pushback.size > 0) {
          any = true;
          work.push(() => this.retryPushedBack(n));
        }
        if (sourceHasWork(n.source, now)) {
          any = true;
          work.push(() => this.emitSourceBundle(n));
        }
        // A resumed restriction waits for its next due time: it stays busy until it is done.
        if (sourceWaits(n.source)) any = true;
      }
      if (!any) this.busy.delete(n);
    }
    return work;
  }

  private runBundle(n: StageNode, feed: (input: ElementReceiver) => void): void {
    this.bundlesRun++;
    const outBefore = this.terminalOut;
    n.exec.startBundle();
    feed(n.exec.input);
    n.exec.finishBundle();
    n.counts.elementsOut += this.terminalOut - outBefore;
    this.commit(n);
  }

  /** Counts elements a stage reads (the job's "in" is counted at the pipeline's sources, see edge_counting). */
  private countIn(n: StageNode, count: number): void {
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
    // The bundle's outputs are delivered: that is the direct runner's commit, so its finalizations run now.
    const finalizations = n.exec.takeFinalizations();
    if (finalizations.length > 0) {
      void runFinalizations(finalizations, this.now(), (f, e) => {
        console.warn(`millrace: a bundle finalization of '${f.transform}' failed: ${(e as Error)?.stack ?? String(e)}`);
      });
    }
  }

  private deliver(pc: string, bundles: Bundle[]): void {
    if (bundles.length === 0) return;
    const side = this.sideElements.get(pc);
    if (side) for (const b of bundles) for (const wv of b) side.push(wv);
    for (const consumer of this.time.mainConsumers(pc)) {
      consumer.pending.push(...bundles);
      this.delivered++;
      this.busy.add(consumer);
      this.time.mark(consumer);
    }
  }

  private emitSourceBundle(n: StageNode): void {
    const bundle = nextSourceBundle(n.source, this.settings.bundleSize, this.now());
    this.countIn(n, bundle.count);
    this.runBundle(n, bundle.feed);
    this.time.mark(n);
  }

  private processStageBundle(n: StageNode): void {
    // The bundle still holds the input watermark until it is processed.
    n.bundleInputWatermark = this.inputWatermarkOf(n);
    const bundle = n.pending.takeRandom(this.random);
    this.countIn(n, bundle.length);
    this.time.mark(n);
    if (n.stage.sideInputs.length === 0) {
      this.runBundle(n, (input) => {
        for (let i = 0; i < bundle.length; i++) {
          const wv = bundle[i]!;
          input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        }
      });
      return;
    }
    // Elements released by side inputs go first, as they came first.
    n.sideMoved = false;
    this.runBundle(n, (input) => {
      n.pushback.release(this.sideWatermarkOf, input);
      n.pushback.feed(bundle, this.sideWatermarkOf, input);
    });
  }

  private readonly sideWatermarkOf = (pc: string): number => this.time.of(pc);

  private retryPushedBack(n: StageNode): void {
    n.sideMoved = false;
    this.time.mark(n);
    if (!n.pushback.hasReleasable(this.sideWatermarkOf)) return;
    this.runBundle(n, (input) => n.pushback.release(this.sideWatermarkOf, input));
  }

  private processShuffleBundle(n: ShuffleNodeState): void {
    // The bundle being processed still holds the input watermark: measure it before taking the bundle off the queue.
    const inputWatermark = this.inputWatermarkOf(n);
    const bundle = n.pending.takeRandom(this.random);
    this.time.mark(n);
    const node = n.node;
    n.counts.elementsIn += bundle.length;
    if (node.kind === "flatten" || node.kind === "reshuffle") {
      n.counts.elementsOut += bundle.length;
      this.deliver(node.output, [node.kind === "flatten" ? bundle : this.random.shuffle([...bundle])]);
      return;
    }
    const now = this.now();
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

  /** A node's input watermark (the rule in `runners/core/watermarks`): its inputs and its queue. */
  private inputWatermarkOf(n: ExecNode): number {
    const upstream = lowestWatermark(mainInputsOf(n), (pc) => this.time.of(pc));
    n.inputWatermarkSeen = nextInputWatermark(n.inputWatermarkSeen, upstream, n.pending.minTimestamp());
    return n.inputWatermarkSeen;
  }

  /**
   * Refreshes the watermarks of the nodes work touched, firing what event
   * time allows on the way. Returns true when that produced new work.
   */
  private advanceWatermarks(): boolean {
    const deliveredBefore = this.delivered;
    for (const n of this.splittableSources) this.time.mark(n);
    let moved = false;
    this.time.refresh((n) => {
      const before = n.outputWatermark;
      if (n.kind === "stage") this.refreshStage(n);
      else this.refreshShuffle(n);
      moved ||= n.outputWatermark !== before;
    });
    if (moved || this.groupings.length > 0) this.reportEventTime();
    this.job.progress.detail = `${this.bundlesRun.toLocaleString("en-US")} bundles`;
    return this.delivered > deliveredBefore;
  }

  private refreshStage(n: StageNode): void {
    if (n.sideMoved && n.pushback.size > 0) this.busy.add(n);
    if (n.exec.isKeyed) {
      const input = this.inputWatermarkOf(n);
      n.bundleInputWatermark = input;
      if (n.exec.hasEventWorkBefore(input)) this.runBundle(n, () => n.exec.fireEventTimers(input));
    }
    const idle = n.pending.length === 0 && n.pushback.size === 0 && sourceIdle(n.source, this.now());
    // Partial combines are flushed when the stage is idle (latency), or by the watermark rule once they hold time back.
    const flush = (): void => {
      n.exec.flush();
      this.commit(n);
    };
    if (idle) flush();
    n.outputWatermark = nextOutputWatermark(
      {
        input: n.source.kind === "none" ? this.inputWatermarkOf(n) : sourceWatermark(n.source),
        sideInputs: lowestWatermark(n.stage.sideInputs, this.sideWatermarkOf),
        pushedBack: n.pushback.minTimestamp,
        previous: n.outputWatermark,
      },
      {
        watermarkHold: () => n.exec.watermarkHold(),
        flushCompleteWindows: (input) => {
          if (n.exec.flushCompleteWindows(input)) this.commit(n);
        },
        flush,
      },
    );
    for (const pc of n.stage.produces) this.time.set(pc, n.outputWatermark);
  }

  private refreshShuffle(n: ShuffleNodeState): void {
    const input = this.inputWatermarkOf(n);
    if (n.reduce && input > n.inputWatermarkFired) {
      n.inputWatermarkFired = input;
      guardGrouping(n.node.transformId, undefined, () => n.reduce!.advanceInputWatermark(input));
      this.flushShuffle(n);
    }
    const reduce = n.reduce;
    n.outputWatermark = nextOutputWatermark(
      { input, sideInputs: Infinity, pushedBack: Infinity, previous: n.outputWatermark },
      reduce && { watermarkHold: () => reduce.outputWatermarkHold() },
    );
    this.time.set(n.node.output, n.outputWatermark);
  }

  /** Event time as the groupings see it (where windows fire); every node's when there is none. */
  private reportEventTime(): void {
    this.job.progress.watermark = jobWatermark(
      this.groupings.map((n) => n.inputWatermarkSeen),
      () => this.nodes.map((n) => n.outputWatermark),
    );
  }

  private fireProcessingTimers(): boolean {
    const now = this.now();
    const deliveredBefore = this.delivered;
    for (const n of this.nodes) {
      if (n.kind === "stage") {
        if (n.exec.nextProcessingTimer() > now) continue;
        this.runBundle(n, () => n.exec.fireProcessingTimers(now));
        this.time.mark(n);
        continue;
      }
      if (!n.reduce || n.reduce.nextProcessingTimeTimer() > now) continue;
      guardGrouping(n.node.transformId, undefined, () => n.reduce!.advanceProcessingTime(now));
      this.flushShuffle(n);
      this.time.mark(n);
    }
    return this.delivered > deliveredBefore;
  }

  private nextWakeTime(): number {
    const now = this.now();
    let wake = Infinity;
    for (const n of this.nodes) {
      if (n.kind === "shuffle" && n.reduce) wake = Math.min(wake, n.reduce.nextProcessingTimeTimer());
      if (n.kind === "stage") wake = Math.min(wake, sourceNextDueTime(n.source, now));
      if (n.kind === "stage") wake = Math.min(wake, n.exec.nextProcessingTimer());
    }
    return wake;
  }

  /** Applies the next TestStream event; true if there was one. */
  private playNextTestStreamEvent(): boolean {
    const played = this.player.playNext();
    if (!played) return false;
    const n = played.node;
    const elements = played.elements;
    if (elements) {
      this.countIn(n, elements.length);
      this.runBundle(n, (input) => {
        for (const el of elements) input.receive(el.value, el.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
      });
    }
    this.time.mark(n);
    this.advanceWatermarks();
    return true;
  }
}
