/**
 * A task manager's share of a job: subtask `worker` of every vertex, the
 * channels between them and to the other task managers, and the loop that
 * runs them. One JavaScript thread runs all its subtasks cooperatively:
 * each step processes one buffer or event (or one chunk of a source) for a
 * subtask whose outputs have credit; partly filled buffers are sent on the
 * buffer timeout, or at once when there is nothing else to do.
 */
import { keyedConsumerOf } from "../../../portability/harness/unencodable_element";
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { buildStage, stageRootCollection } from "../../../portability/harness/stage_executor";
import { combineReceivers, type ElementReceiver } from "../../../portability/harness/element_receiver";
import { MetricsContainer } from "../../../portability/harness/metrics_container";
import type { ExecutionPlan, FusedStage, ShuffleNode } from "../../../portability/plan/execution_plan";
import { stageEdges, type StageEdges } from "../../core/edge_counting";
import { collectionCoder, windowCoderOf, windowedValueCoder } from "../../core/collection_coders";
import { sideInputReaderFor, sideWindowFnOf } from "../../core/side_input_store";
import { DROPPED_DUE_TO_LATENESS, groupingRunnerFor } from "../../core/windowing/grouping_runner";
import { KeyedStateStore } from "../../core/state/keyed_state_store";
import { TimerService } from "../../core/state/timer_service";
import type { WindowedValue } from "../../../model/windowed_value";
import { emptyMetrics, type MetricResults } from "../../../model/pipeline_result";
import type { JobGraph, JobVertex } from "../job_graph";
import { targetsOf } from "../job_graph";
import type { FaultSpec, MasterMessage, PeerMessage, WorkerMessage } from "../protocol";
import { InputChannel } from "../network/input_channel";
import { LocalOutputChannel, localBufferRecords, RemoteOutputChannel, type OutputChannel } from "../network/output_channel";
import { BufferDebloater, MIN_DEBLOATED_RECORDS } from "../network/buffer_debloater";
import { RecordWriter } from "../network/record_writer";
import { channelKey } from "../network/stream_event";
import { TwoPhaseTextSink } from "../sinks/two_phase_text_sink";
import { TwoPhaseKafkaSink } from "../sinks/two_phase_kafka_sink";
import type { TwoPhaseCommitSink } from "../sinks/two_phase_commit_sink";
import { sourceReaderFor } from "./source_readers";
import { activeSubtasks } from "../active_subtasks";
import { decodeStageSnapshot, StageSubtask, type StageKeyedState, type StageSideInputs } from "./stage_subtask";
import { GroupingSubtask } from "./grouping_subtask";
import { UnionSubtask } from "./union_subtask";
import type { Subtask } from "./subtask";
import { workerFailureOf } from "../../core/worker/worker_failure";
import { TestStreamPacer } from "./test_stream_pacer";

/** Steps one subtask may take in a row before the others get a turn. */
const STEPS_PER_TURN = 32;
/** How long the loop runs before letting messages in. */
const SLICE_MS = 10;
/** How often the task manager reports its subtasks' status. */
const STATUS_EVERY_MS = 200;

/** What a job runtime needs from its task manager: the loaded job, and the master's deploy message. */
export type JobRuntimeDeps = Omit<Extract<MasterMessage, { type: "deploy" }>, "type" | "pipelineProto"> & {
  readonly model: PipelineModel;
  readonly plan: ExecutionPlan;
  readonly graph: JobGraph;
  readonly userCode: UserCodeSource;
  /** Sends a message to the job master. */
  readonly post: (msg: WorkerMessage, transfer?: ArrayBuffer[]) => void;
};

/** One task manager's part of a running job. */
export class JobRuntime {
  private readonly subtasks: Subtask[] = [];
  private readonly metricsOf = new Map<Subtask, MetricsContainer>();
  private readonly inputByKey = new Map<string, InputChannel>();
  private readonly outputByKey = new Map<string, OutputChannel>();
  /** With `--bufferDebloatTargetMs`: each input channel's debloater, and how to tell its sender a new buffer size. */
  private readonly debloaters: { channel: InputChannel; debloater: BufferDebloater; announce: (records: number) => void }[] = [];
  private readonly scripted: boolean;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private lastStatus = 0;
  private readonly p: number;
  /** `active[vertex][subtask]`: channels from inactive subtasks are not created. */
  private readonly active: boolean[][];
  /** When its TestStreams may play their next event (the master says when the pipeline has quiesced). */
  private readonly pacer = new TestStreamPacer();
  /** Data messages (buffers and events) sent to and received from other task managers: quiescence counts them. */
  private peerSent = 0;
  private peerReceived = 0;
  /** The master's quiescence probe to answer once there is nothing to do. */
  private pendingProbe: number | undefined;

  /** The collections each stage counts toward the job's "in" and "out" (the rule every runner shares). */
  private readonly edgesOf: (stage: FusedStage) => StageEdges;

  constructor(private readonly deps: JobRuntimeDeps) {
    this.edgesOf = stageEdges(deps.model, deps.plan);
    this.p = deps.settings.parallelism;
    this.active = activeSubtasks(deps.model, deps.userCode, deps.graph, this.p);
    this.scripted = deps.plan.stages.some((s) => s.root.kind === "testStream");
    for (const v of deps.graph.vertices) this.subtasks.push(this.buildSubtask(v));
    this.connect();
    for (const st of this.subtasks) st.wire();
    this.restoreState();
    for (const [j, port] of deps.peers.entries()) {
      if (!port || j === deps.worker) continue;
      port.on("message", (m: PeerMessage) => this.onPeerMessage(m));
    }
  }

  // ---- building ----

  private buildSubtask(v: JobVertex): Subtask {
    const ack = (id: number, state: Uint8Array): void => this.acknowledge(v.index, st, id, state);
    let st: Subtask;
    if (v.kind === "stage") st = this.buildStageSubtask(v, ack);
    else st = this.buildShuffleSubtask(v, ack);
    return st;
  }

  /** Receivers that write a PCollection's records to every edge that carries it. */
  private writersFor(v: JobVertex, st: () => Subtask, pc: string): ElementReceiver {
    const receivers: ElementReceiver[] = [];
    for (const edge of v.outputs) {
      if (edge.pcollection !== pc) continue;
      receivers.push(this.writerFor(v, edge.index, st));
    }
    return combineReceivers(receivers);
  }

  /** Records writers per edge index, created when channels are connected. */
  private readonly pendingWriters = new Map<number, { vertex: JobVertex; writer: RecordWriter; subtask: () => Subtask }>();

  private writerFor(v: JobVertex, edgeIndex: number, st: () => Subtask): RecordWriter {
    const edge = this.deps.graph.edges[edgeIndex]!;
    const { model, plan, userCode, settings } = this.deps;
    const channels: (OutputChannel | undefined)[] = new Array(this.p).fill(undefined);
    const keyCoder = edge.partitioning === "hash" ? collectionCoder(model, plan, edge.pcollection, userCode).components[0] : undefined;
    const producer =
      plan.shuffles.find((s) => s.kind === "combine" && s.lifted && s.input === edge.pcollection)?.transformId ??
      model.producerOf(edge.pcollection) ??
      edge.pcollection;
    const site = { producer, pcollection: edge.pcollection, keyedConsumer: keyedConsumerOf(model, edge.pcollection) };
    const writer = new RecordWriter(channels, edge.partitioning, this.deps.worker, keyCoder, settings.maxParallelism, producer, site);
    this.pendingWriters.set(edgeIndex, { vertex: v, writer, subtask: st });
    return writer;
  }

  private buildStageSubtask(v: Extract<JobVertex, { kind: "stage" }>, ack: (id: number, state: Uint8Array) => void): Subtask {
    const { model, plan, userCode, settings, worker } = this.deps;
    const stage = v.stage;
    const metrics = new MetricsContainer();
    let subtask: StageSubtask | undefined;
    const self = (): Subtask => subtask!;
    const sinks: TwoPhaseCommitSink[] = [];
    let keyed: StageKeyedState | undefined;
    const side: StageSideInputs | undefined =
      stage.sideInputs.length > 0
        ? {
            pcollectionOfEdge: new Map(v.inputs.filter((e) => e.side).map((e) => [e.index, e.pcollection] as const)),
            elements: new Map(stage.sideInputs.map((pc) => [pc, [] as WindowedValue[]] as const)),
            windowFns: new Map(stage.sideInputs.map((pc) => [pc, sideWindowFnOf(model, pc)] as const)),
            coders: new Map(stage.sideInputs.map((pc) => [pc, windowedValueCoder(model, plan, pc, userCode)] as const)),
          }
        : undefined;
    const now = (): number => (subtask ? subtask.now() : Date.now());
    const exec = buildStage(model, stage, {
      userCode,
      metrics,
      sink: (pc) => this.writersFor(v, self, pc),
      sideInputReader: (id) => sideInputReaderFor(model, id, userCode, (pc) => side?.elements.get(pc) ?? []),
      terminal: {
        receive: () => {
          subtask!.terminalOut++;
        },
      },
      edgeCounting: {
        ...this.edgesOf(stage),
        recordIn: () => {
          subtask!.sourceRecords++;
        },
        recordOut: () => {
          subtask!.sinkRecords++;
        },
      },
      textSink: (id, payload, output) => {
        const namesConsumed = Object.values(model.transform(id).outputs).some((pc) => model.consumersOf(pc).length > 0);
        const sink = new TwoPhaseTextSink(id, payload, worker, this.deps.jobRunId, this.deps.attemptId, output, namesConsumed);
        sinks.push(sink);
        return sink;
      },
      kafkaSink: (id, payload) => {
        const sink = new TwoPhaseKafkaSink(id, payload, worker);
        sinks.push(sink);
        return sink;
      },
      keyed: (id, specs) => {
        const step = stage.steps.find((s) => s.kind === "pardo" && s.transformId === id)!;
        const runtime = {
          store: new KeyedStateStore(specs.state),
          timers: new TimerService(),
          inputWatermark: () => subtask?.inputWatermark() ?? -Infinity,
          processingTime: now,
          onDroppedLate: (n: number) => metrics.counter(DROPPED_DUE_TO_LATENESS).inc(n),
        };
        keyed = {
          store: runtime.store,
          timers: runtime.timers,
          runtime,
          timerCoders: {
            keyCoder: model.coderOf(step.input, userCode).components[0]!,
            windowCoder: windowCoderOf(model, plan, step.input, userCode),
          },
        };
        return runtime;
      },
    });
    const restored = this.deps.restore[v.index];
    const reader =
      stage.root.kind === "pcollection"
        ? undefined
        : sourceReaderFor(
            model,
            userCode,
            stage,
            worker,
            settings.parallelism,
            restored ? decodeStageSnapshot(restored).source : undefined,
            exec,
            this.pacer,
          );
    const rootPc = stageRootCollection(stage);
    subtask = new StageSubtask(v.id, worker, ack, this.scripted, {
      exec,
      metrics,
      reader,
      keyed,
      side,
      rootCoder: windowedValueCoder(model, plan, rootPc, userCode),
      sinks,
      now: () => Date.now(),
    });
    this.metricsOf.set(subtask, metrics);
    return subtask;
  }

  private buildShuffleSubtask(v: Extract<JobVertex, { kind: "shuffle" }>, ack: (id: number, state: Uint8Array) => void): Subtask {
    const { model, userCode } = this.deps;
    const node: ShuffleNode = v.node;
    let subtask: Subtask | undefined;
    const self = (): Subtask => subtask!;
    const out = this.writersFor(v, self, node.output);
    if (node.kind === "flatten" || node.kind === "reshuffle") {
      subtask = new UnionSubtask(v.id, this.deps.worker, ack, this.scripted, out, () => Date.now());
      return subtask;
    }
    const metrics = new MetricsContainer();
    const reduce = groupingRunnerFor(
      model,
      node,
      userCode,
      (kv, timestamp, window, pane) => out.receive(kv, timestamp, [window], pane),
      (metric, n) => metrics.counter(metric).inc(n),
      true,
    );
    subtask = new GroupingSubtask(v.id, this.deps.worker, ack, this.scripted, node.transformId, reduce, () => Date.now());
    this.metricsOf.set(subtask, metrics);
    return subtask;
  }

  /** Creates this worker's channel ends: outputs of its subtasks, inputs of its subtasks. */
  private connect(): void {
    const { graph, model, plan, userCode, settings, worker, peers } = this.deps;
    const now = (): number => Date.now();
    // Debloating channels start with small buffers: their receivers grow them as they measure throughput.
    const initialRecords = settings.bufferDebloatTargetMs > 0 ? MIN_DEBLOATED_RECORDS : undefined;
    for (const [edgeIndex, { vertex, writer }] of this.pendingWriters) {
      const edge = graph.edges[edgeIndex]!;
      const coder = windowedValueCoder(model, plan, edge.pcollection, userCode);
      const producer = this.subtasks[vertex.index]!;
      if (!this.active[edge.from]![worker]) {
        producer.writers.push(writer);
        continue;
      }
      for (const to of targetsOf(edge, worker, this.p)) {
        const key = channelKey(edge.index, worker, to);
        let ch: OutputChannel;
        if (to === worker) {
          ch = new LocalOutputChannel(
            key,
            settings.channelCapacity,
            (item) => this.inputByKey.get(key)!.push(item),
            now,
            settings.bufferSizeBytes,
            initialRecords,
          );
        } else {
          const port = peers[to]!;
          ch = new RemoteOutputChannel(
            key,
            settings.channelCapacity,
            (item) => {
              this.peerSent++;
              if (item.kind === "bytes")
                port.postMessage({ k: key, b: item.bytes } satisfies PeerMessage, [item.bytes.buffer as ArrayBuffer]);
              else if (item.kind === "event") port.postMessage({ k: key, e: item.event } satisfies PeerMessage);
            },
            coder,
            settings.bufferSizeBytes,
            now,
            initialRecords,
          );
        }
        (writer.channels as (OutputChannel | undefined)[])[to] = ch;
        this.outputByKey.set(key, ch);
        producer.outputs.push(ch);
      }
      producer.writers.push(writer);
    }
    // Inputs: for each edge into a vertex, one channel per producer subtask that sends here.
    for (const v of graph.vertices) {
      const consumer = this.subtasks[v.index]!;
      for (const edge of v.inputs) {
        const coder = windowedValueCoder(model, plan, edge.pcollection, userCode);
        const froms = edge.partitioning === "forward" ? [worker] : Array.from({ length: this.p }, (_, i) => i);
        for (const from of froms) {
          if (!this.active[edge.from]![from]) continue;
          const key = channelKey(edge.index, from, worker);
          const returnCredit =
            from === worker
              ? () => this.outputByKey.get(key)!.returnCredit()
              : () => peers[from]!.postMessage({ c: key } satisfies PeerMessage);
          const ch = new InputChannel(key, edge.index, coder, returnCredit);
          if (settings.bufferDebloatTargetMs > 0) {
            const announce =
              from === worker
                ? (n: number) => this.outputByKey.get(key)!.setBufferRecords(n)
                : (n: number) => peers[from]!.postMessage({ s: key, n } satisfies PeerMessage);
            // A remote buffer's records take at least a byte each: its byte size bounds them too.
            const maxRecords = from === worker ? localBufferRecords(settings.bufferSizeBytes) : settings.bufferSizeBytes;
            this.debloaters.push({
              channel: ch,
              debloater: new BufferDebloater(settings.bufferDebloatTargetMs, settings.channelCapacity, maxRecords, Date.now()),
              announce,
            });
          }
          this.inputByKey.set(key, ch);
          consumer.inputs.push(ch);
          consumer.isSide.push(edge.side);
        }
      }
    }
  }

  private restoreState(): void {
    for (const v of this.deps.graph.vertices) {
      const bytes = this.deps.restore[v.index];
      if (!bytes) continue;
      (this.subtasks[v.index] as unknown as { restore(b: Uint8Array): void }).restore(bytes);
    }
  }

  // ---- messages ----

  private onPeerMessage(m: PeerMessage): void {
    if ("c" in m) this.outputByKey.get(m.c)?.returnCredit();
    else if ("s" in m) this.outputByKey.get(m.s)?.setBufferRecords(m.n);
    else {
      this.peerReceived++;
      if ("b" in m) this.inputByKey.get(m.k)?.push({ kind: "bytes", bytes: m.b });
      else this.inputByKey.get(m.k)?.push({ kind: "event", event: m.e });
    }
    this.schedule();
  }

  /** The master asks for a quiet report (round `round`): it is sent once this task manager has nothing to do. */
  probe(round: number): void {
    this.pendingProbe = round;
    this.schedule();
  }

  /** The pipeline has quiesced: the next TestStream event may be played. */
  playNext(): void {
    this.pacer.grant();
    this.schedule();
  }

  /** Starts the loop. */
  start(): void {
    this.running = true;
    for (const st of this.subtasks) if (st instanceof StageSubtask) st.parts.exec.setup();
    for (const st of this.subtasks) if (st instanceof StageSubtask) st.announceRestoredFiles();
    this.schedule();
  }

  /** The master asks sources to start checkpoint `id`. */
  trigger(id: number): void {
    // Sources, and subtasks without input channels, start the checkpoint themselves.
    for (const st of this.subtasks) if ((st instanceof StageSubtask && st.parts.reader) || st.inputs.length === 0) st.triggerCheckpoint(id);
    this.schedule();
  }

  /** Checkpoint `id` is complete: sinks commit, and the names of their files go downstream. */
  complete(id: number): void {
    for (const st of this.subtasks) if (st instanceof StageSubtask) st.notifyCheckpointComplete(id);
    this.schedule();
  }

  /** Stops the loop and tears down user code. */
  /** User metrics reported since the subtasks' last checkpoint acknowledgement (and forgets them). */
  takeUncommittedMetrics(): MetricResults {
    const metrics = emptyMetrics();
    for (const m of this.metricsOf.values()) m.commitInto(metrics);
    return metrics;
  }

  stop(): void {
    if (!this.stopped) {
      // A last report: the master's figures for the job end where the subtasks did.
      this.lastReported = "";
      this.reportStatus(Date.now());
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const st of this.subtasks) {
      if (st instanceof StageSubtask) {
        try {
          st.parts.exec.teardown();
        } catch {
          // Teardown is best effort, as in Beam.
        }
        for (const s of st.parts.sinks) s.teardown();
      }
    }
    for (const port of this.deps.peers) port?.close();
  }

  private acknowledge(vertex: number, st: Subtask, id: number, state: Uint8Array): void {
    for (const f of this.deps.faults) {
      if (f.worker === this.deps.worker && f.atCheckpoint === id) this.injectFault(f, `at checkpoint ${id}`);
    }
    const metrics: MetricResults = emptyMetrics();
    this.metricsOf.get(st)?.commitInto(metrics);
    this.deps.post({ type: "ack", checkpointId: id, vertex, subtask: this.deps.worker, state, metrics }, [state.buffer as ArrayBuffer]);
  }

  // ---- the loop ----

  private schedule(): void {
    if (this.scheduled || !this.running || this.stopped) return;
    this.scheduled = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    this.guard(() => this.runSlice());
  };

  /** Runs `f`; a failure stops this runtime and is reported to the master. */
  guard(f: () => void): void {
    if (this.stopped) return;
    try {
      f();
    } catch (e) {
      this.stop();
      this.deps.post({ type: "failed", failure: workerFailureOf(e) });
    }
  }

  private runSlice(): void {
    const started = performance.now();
    const timeout = this.deps.settings.bufferTimeoutMs;
    let worked = false;
    for (;;) {
      let progress = false;
      const now = Date.now();
      for (const st of this.subtasks) {
        let k = 0;
        while (k < STEPS_PER_TURN && st.runnable()) {
          st.step();
          k++;
        }
        if (k > 0) progress = true;
        if (!this.scripted && st.nextProcessingTime() <= now && st.outputsWritable) {
          st.advanceProcessingTime(now);
          progress = true;
        }
        if (timeout === 0) st.flushOlderThan(Infinity);
        else st.flushOlderThan(now - timeout);
      }
      this.checkFaults();
      this.debloat(now);
      worked ||= progress;
      if (!progress || performance.now() - started > SLICE_MS) break;
    }
    const now = Date.now();
    if (worked) {
      if (now - this.lastStatus >= STATUS_EVERY_MS) this.reportStatus(now);
      this.schedule();
      return;
    }
    // Nothing to do. When nothing waits for credit either, the thread is idle:
    // what is buffered goes now (no more is coming soon). When a subtask waits
    // for credit, partly filled buffers wait for their timeout, or they would
    // spend the scarce credit on small buffers.
    const waitingForCredit = this.subtasks.some((st) => st.inputQueued() && !st.outputsWritable);
    if (!waitingForCredit) for (const st of this.subtasks) st.flushOlderThan(Infinity);
    if (this.pendingProbe !== undefined && this.answerProbeIfQuiet()) return;
    this.reportStatusIfChanged(now);
    let wake = Infinity;
    for (const st of this.subtasks) {
      if (st instanceof StageSubtask) wake = Math.min(wake, st.sourceDueTime());
      if (!this.scripted) wake = Math.min(wake, st.nextProcessingTime());
      if (timeout > 0) wake = Math.min(wake, st.oldestOpenBuffer() + timeout);
    }
    if (Number.isFinite(wake)) {
      this.timer = setTimeout(() => this.schedule(), Math.max(1, Math.min(wake - Date.now(), 1000)));
    }
  }

  /**
   * Answers the pending probe when nothing is left to do here. True when a
   * subtask can run again (a buffer flushed to a subtask of this thread just
   * now, say): the loop is scheduled again and answers later. When something
   * still waits on a peer (credit, a barrier to align), the probe stays
   * pending until that peer's message arrives.
   */
  private answerProbeIfQuiet(): boolean {
    if (this.subtasks.some((st) => st.runnable())) {
      this.schedule();
      return true;
    }
    if (!this.subtasks.every((st) => st.holdsNothingInFlight())) return false;
    const round = this.pendingProbe!;
    this.pendingProbe = undefined;
    this.deps.post({
      type: "quiet",
      report: { round, sent: this.peerSent, received: this.peerReceived, scriptLeft: this.pacer.scriptLeft },
    });
    return false;
  }

  /** Measures each input channel's throughput and tells senders the buffer size that keeps a barrier's wait near the target. */
  private debloat(now: number): void {
    for (const { channel, debloater, announce } of this.debloaters) {
      const size = debloater.sample(channel.recordsTaken, now);
      if (size !== undefined) announce(size);
    }
  }

  private lastFinished = "";

  /** Reports when due, or at once when a subtask finished or awaits a commit (the master waits for that to end the job). */
  private reportStatusIfChanged(now: number): void {
    let finished = 0;
    let awaiting = 0;
    for (const st of this.subtasks) {
      if (st.finished) finished++;
      else if (st instanceof StageSubtask && st.awaitingCommit) awaiting++;
    }
    const ends = `${finished}/${awaiting}`;
    if (ends !== this.lastFinished || now - this.lastStatus >= STATUS_EVERY_MS) {
      this.lastFinished = ends;
      this.reportStatus(now);
    }
  }

  private lastReported = "";

  private reportStatus(now: number): void {
    this.lastStatus = now;
    const subtasks = this.subtasks.map((s) => s.status());
    const fingerprint = JSON.stringify(subtasks);
    if (fingerprint === this.lastReported) return;
    this.lastReported = fingerprint;
    this.deps.post({ type: "status", subtasks });
  }

  private checkFaults(): void {
    if (this.deps.faults.length === 0) return;
    let records = 0;
    for (const st of this.subtasks) records += st.recordsIn;
    for (const f of this.deps.faults) {
      if (f.worker === this.deps.worker && f.afterRecords !== undefined && records >= f.afterRecords)
        this.injectFault(f, `after ${records} records`);
    }
  }

  private injectFault(f: FaultSpec, when: string): void {
    if (f.kind === "exit") process.exit(17);
    throw new Error(`injected fault: worker ${f.worker} ${when}`);
  }
}
