/**
 * Runs one task of a micro-batch on an executor. Unlike a bounded task, its
 * input is not complete: the node's state (grouping buffers and triggers, a
 * stateful ParDo's cells and timers, elements waiting for side inputs) comes
 * from the partition's versioned state store and goes back to it, and event
 * time moves only to the batch's input watermark.
 *
 * Order inside a task, which is what makes a batch give the direct runner's
 * answers: the batch's elements are processed against the input watermark
 * of the previous batch (so lateness is judged as when they arrived), then
 * the watermark moves to this batch's and event-time firings happen, then
 * processing time moves to the batch's time and processing-time firings
 * happen. Everything a node emits reaches its consumers in the same batch
 * (they run after it, in topological order).
 */
import { buildStage, type ExecutableStage } from "../../../portability/harness/stage_executor";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { MetricsContainer } from "../../../portability/harness/metrics_container";
import { createSource, emitCreateRange } from "../../../portability/harness/create_source";
import { ByteReader } from "../../../portability/coders";
import { shuffleInputs, type FusedStage } from "../../../portability/plan/execution_plan";
import { decodeWindowedValues, encodeWindowedValues, windowCoderOf, windowedValueCoder } from "../../core/collection_coders";
import { sideInputReaderFor, sideWindowFnOf } from "../../core/side_input_store";
import { SideInputPushback } from "../../core/side_input_pushback";
import type { GroupingRunner } from "../../core/windowing/grouping_runner";
import { DROPPED_DUE_TO_LATENESS, groupingRunnerFor, guardGrouping, type GroupingNode } from "../../core/windowing/grouping_runner";
import { deltaCheckpoint, restoreCheckpoint } from "../../core/checkpoint/reduce_fn_checkpoint";
import { KeyedStateStore } from "../../core/state/keyed_state_store";
import { TimerService, type TimerCheckpointCoders } from "../../core/state/timer_service";
import { isStatefulParDo, keyedSpecsOf } from "../../../portability/harness/state_cell_specs";
import { testStreamEvents, type TestStreamEvent } from "../../core/sources/test_stream_events";
import { SplittableWorkQueue, splittableWorkCoders } from "../../core/sources/splittable_source";
import { runFinalizations, type Finalization } from "../../../portability/harness/bundle_finalizations";
import type { WindowedValue } from "../../../model/windowed_value";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import { NO_FIRING, type PaneInfo } from "../../../model/pane";
import { MIN_TIMESTAMP } from "../../../model/time";
import type { KV } from "../../../model/kv";
import { readAll, readGrouped } from "../shuffle/shuffle_reader";
import type { JobContext } from "../task_runner";
import type { TaskSpec } from "../task_spec";
import type { BatchSourceSlice, BatchTaskReport, BatchTaskSpec } from "./batch_task_spec";
import { withPartitionState, type PartitionStateCodec } from "./partition_state";
import { BatchTextSink } from "./batch_text_sink";
import { BatchKafkaSink, type BatchKafkaTransaction } from "./batch_kafka_sink";
import { edgeCountingFor } from "../task_edge_counting";

/** Where a task's outputs go: the receiver of a materialized PCollection. */
export type SinkFor = (pc: string) => ElementReceiver;

/** Elements read and emitted at the end of the pipeline, for progress. */
export interface TaskCounts {
  in: number;
  out: number;
  /** The job's "in" and "out" (see core/edge_counting). */
  recordsIn: number;
  recordsOut: number;
}

/** Decodes every element of some segments of `pc`. */
function* elementsOf(job: JobContext, pc: string, task: TaskSpec, side = false): Generator<WindowedValue> {
  const coder = windowedValueCoder(job.model, job.plan, pc, job.userCode);
  for (const record of readAll((side ? task.sideInputs : task.inputs)[pc] ?? []))
    yield coder.decode(new ByteReader(record.value), "outer") as WindowedValue;
}

/** Runs a task of a micro-batch: a stage (map) task or a shuffle (reduce) task. */
export function runBatchTask(
  job: JobContext,
  task: TaskSpec,
  metrics: MetricsContainer,
  sinkFor: SinkFor,
  counts: TaskCounts,
): BatchTaskReport {
  const batch = task.batch!;
  if (task.nodeKind === "stage") {
    const stage = job.plan.stages.find((s) => s.id === task.nodeId);
    if (!stage) throw new Error(`internal: no stage '${task.nodeId}'`);
    if (batch.stateDir === undefined) return runStage(job, task, stage, metrics, sinkFor, counts, newStageState(job, stage));
    return withPartitionState(task.jobId, batch.stateDir, batch.batchId, batch.snapshotEvery, stageStateCodec(job, stage), (state) =>
      runStage(job, task, stage, metrics, sinkFor, counts, state),
    );
  }
  const node = job.plan.shuffles.find((s) => s.transformId === task.nodeId);
  if (!node) throw new Error(`internal: no shuffle '${task.nodeId}'`);
  const out = sinkFor(node.output);
  if (node.kind === "flatten" || node.kind === "reshuffle") {
    for (const pc of shuffleInputs(node))
      for (const wv of elementsOf(job, pc, task)) out.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
    return { hold: Infinity, stateRows: 0, active: false };
  }
  if (batch.stateDir === undefined) throw new Error(`internal: grouping '${node.transformId}' has no state directory`);
  return withPartitionState(task.jobId, batch.stateDir, batch.batchId, batch.snapshotEvery, groupingStateCodec(job, node), (state) =>
    runGrouping(job, task, node, state, out, metrics),
  );
}

// ---------------------------------------------------------------- stages

/** What a stage keeps between batches: a stateful ParDo's cells and timers, and elements waiting for side inputs. */
interface StageState {
  readonly store: KeyedStateStore | undefined;
  readonly timers: TimerService | undefined;
  readonly timerCoders: TimerCheckpointCoders | undefined;
  pushedBack: WindowedValue[];
}

const STATE_PREFIX = "s\u0000";
const TIMERS_PREFIX = "t\u0000";
const PUSHED_BACK = "pushedBack";

function newStageState(job: JobContext, stage: FusedStage): StageState {
  const first = stage.steps[0];
  if (first?.kind !== "pardo" || !isStatefulParDo(job.model, first.transformId))
    return { store: undefined, timers: undefined, timerCoders: undefined, pushedBack: [] };
  const specs = keyedSpecsOf(job.model, first.transformId, job.userCode);
  return {
    store: new KeyedStateStore(specs.state),
    timers: new TimerService(),
    timerCoders: {
      keyCoder: job.model.coderOf(first.input, job.userCode).components[0]!,
      windowCoder: windowCoderOf(job.model, job.plan, first.input, job.userCode),
    },
    pushedBack: [],
  };
}

/** A stage's state as store entries: cells and timers per namespace, and the pushed-back elements as one entry. */
function stageStateCodec(job: JobContext, stage: FusedStage): PartitionStateCodec<StageState> {
  const rootPc = stage.root.kind === "pcollection" ? stage.root.pcollection : undefined;
  const coder = rootPc ? windowedValueCoder(job.model, job.plan, rootPc, job.userCode) : undefined;
  return {
    restore(entries) {
      const state = newStageState(job, stage);
      for (const [entry, bytes] of entries) {
        if (entry.startsWith(STATE_PREFIX)) state.store!.restoreNamespace(entry.slice(STATE_PREFIX.length), bytes);
        else if (entry.startsWith(TIMERS_PREFIX))
          state.timers!.restoreNamespace(entry.slice(TIMERS_PREFIX.length), bytes, state.timerCoders!);
        else if (entry === PUSHED_BACK) state.pushedBack.push(...decodeWindowedValues(coder!, bytes));
      }
      // Restoring is not a change: the next delta holds only what the batch changes.
      state.store?.drainChangedNamespaces();
      state.timers?.drainChangedNamespaces();
      return state;
    },
    changes(state) {
      const out = new Map<string, Uint8Array | null>();
      if (state.store) {
        const { changed, removed } = state.store.drainChangedNamespaces();
        const snap = state.store.snapshotNamespaces(changed);
        for (const ns of changed) out.set(STATE_PREFIX + ns, snap.get(ns) ?? null);
        for (const ns of removed) out.set(STATE_PREFIX + ns, null);
      }
      if (state.timers) {
        const { changed, removed } = state.timers.drainChangedNamespaces();
        const snap = state.timers.snapshotNamespaces(state.timerCoders!, changed);
        for (const ns of changed) out.set(TIMERS_PREFIX + ns, snap.get(ns) ?? null);
        for (const ns of removed) out.set(TIMERS_PREFIX + ns, null);
      }
      if (coder) out.set(PUSHED_BACK, state.pushedBack.length > 0 ? encodeWindowedValues(coder, state.pushedBack) : null);
      return out;
    },
  };
}

function runStage(
  job: JobContext,
  task: TaskSpec,
  stage: FusedStage,
  metrics: MetricsContainer,
  sinkFor: SinkFor,
  counts: TaskCounts,
  state: StageState,
): BatchTaskReport {
  const batch = task.batch!;
  let inputWatermark = batch.previousInputWatermark;
  const sideElements = new Map<string, WindowedValue[]>();
  const kafkaTransactions: BatchKafkaTransaction[] = [];
  for (const pc of stage.sideInputs) sideElements.set(pc, [...elementsOf(job, pc, task, true)]);
  const exec = buildStage(job.model, stage, {
    userCode: job.userCode,
    metrics,
    sink: sinkFor,
    sideInputReader: (id) => sideInputReaderFor(job.model, id, job.userCode, (pc) => sideElements.get(pc) ?? []),
    terminal: {
      receive: () => {
        counts.out++;
      },
    },
    edgeCounting: edgeCountingFor(job, stage, counts),
    textSink: (id, sink, output) => new BatchTextSink(id, sink, batch.batchId, task.partition, output),
    kafkaSink: (id, sink) => new BatchKafkaSink(id, sink, batch.batchId, task.partition, (t) => kafkaTransactions.push(t)),
    keyed: () => ({
      store: state.store!,
      timers: state.timers!,
      inputWatermark: () => inputWatermark,
      processingTime: () => batch.processingTime,
      onDroppedLate: (n) => metrics.counter(DROPPED_DUE_TO_LATENESS).inc(n),
    }),
  });
  job.setUpOnce(stage.id, exec);
  exec.startBundle();
  const root = stage.root;
  let residuals: string | undefined;
  if (root.kind === "pcollection") {
    // Elements pushed back in earlier batches first, in the order they came; then this batch's.
    const pushback = new SideInputPushback(new Map(stage.sideInputs.map((pc) => [pc, sideWindowFnOf(job.model, pc)] as const)));
    const sideWatermarkOf = (pc: string): number => batch.sideInputWatermarks[pc] ?? -Infinity;
    for (const wv of state.pushedBack) pushback.keep(wv);
    pushback.release(sideWatermarkOf, exec.input);
    const input = function* (): Generator<WindowedValue> {
      for (const wv of elementsOf(job, root.pcollection, task)) {
        counts.in++;
        yield wv;
      }
    };
    pushback.feed(input(), sideWatermarkOf, exec.input);
    state.pushedBack = pushback.elements();
  } else if (batch.source?.kind === "splittable") {
    // A splittable source's input rows are what its restrictions read, not the restrictions.
    const before = exec.splittableRoot!.outputCount;
    residuals = processSplittableSlice(job, stage, batch, batch.source, exec);
    counts.in += exec.splittableRoot!.outputCount - before;
  } else {
    counts.in += emitSourceSlice(job, root, batch, exec.input);
  }
  // The batch's elements are in: event time, then processing time, move to the batch's.
  inputWatermark = batch.inputWatermark;
  while (exec.fireEventTimers(batch.inputWatermark) + exec.fireProcessingTimers(batch.processingTime) > 0);
  exec.flush();
  exec.finishBundle();
  if (root.kind === "splittable") keepFinalizations(job, stage.id, batch.batchId, exec.takeFinalizations());
  // The report's hold includes the pushed-back elements (the driver applies the watermark rule to it).
  let hold = exec.watermarkHold();
  for (const wv of state.pushedBack) hold = Math.min(hold, wv.timestamp);
  const stateRows = (state.store?.namespaceCount ?? 0) + state.pushedBack.length;
  const active = stateRows > 0 || hold < Infinity || exec.nextProcessingTimer() < Infinity;
  return {
    hold,
    stateRows,
    active,
    ...(residuals !== undefined ? { splittableResiduals: residuals } : {}),
    ...(kafkaTransactions.length > 0 ? { kafkaTransactions } : {}),
  };
}

/**
 * Processes the restrictions of a splittable source the batch gives this
 * task (whatever their resume time: the driver chose them as due), then
 * those that resumed at once (the source has more ready: a paced sequence
 * behind its pace, a partition with more records), as Spark reads what is
 * available up to a cap, until `maxRecords` were read; returns the work
 * left, for the driver to log with the batch's commit.
 */
function processSplittableSlice(
  job: JobContext,
  stage: FusedStage,
  batch: BatchTaskSpec,
  slice: Extract<BatchSourceSlice, { kind: "splittable" }>,
  exec: ExecutableStage,
): string {
  runCommittedFinalizations(job, stage.id, batch.batchId);
  const root = stage.root as Extract<FusedStage["root"], { kind: "splittable" }>;
  const coders = splittableWorkCoders(job.model, root, job.userCode);
  const now = batch.processingTime;
  const op = exec.splittableRoot!;
  const items = SplittableWorkQueue.decode(Buffer.from(slice.work, "base64"), coders, now);
  const queue = new SplittableWorkQueue(op, []);
  const start = op.outputCount;
  for (const item of items) queue.process(item, now);
  while (op.outputCount - start < slice.maxRecords) {
    const item = queue.takeDue(now);
    if (!item) break;
    queue.process(item, now);
  }
  return Buffer.from(queue.encode(coders, now)).toString("base64");
}

/** Runs `finalizations` now; a failing one is logged (Beam: finalization is best effort, the data is already committed). */
function runLogged(finalizations: readonly Finalization[]): void {
  void runFinalizations(finalizations, Date.now(), (f, e) => {
    console.warn(`millrace: a bundle finalization of '${f.transform}' failed: ${(e as Error)?.stack ?? String(e)}`);
  });
}

/** Bundle finalizations of splittable sources' tasks, by job and stage, with the batch that registered them. */
const finalizationsOf = new WeakMap<JobContext, Map<string, { batchId: number; finalizations: Finalization[] }[]>>();

function keepFinalizations(job: JobContext, stageId: string, batchId: number, finalizations: Finalization[]): void {
  if (finalizations.length === 0) return;
  let byStage = finalizationsOf.get(job);
  if (!byStage) finalizationsOf.set(job, (byStage = new Map()));
  const list = byStage.get(stageId) ?? [];
  list.push({ batchId, finalizations });
  byStage.set(stageId, list);
}

/**
 * Runs the finalizations of batches before `batchId`: the driver plans a
 * batch only after the one before it is in the commit log, so they are
 * committed. (The last batches' run when the job ends: {@link endFinalizations}.)
 */
function runCommittedFinalizations(job: JobContext, stageId: string, batchId: number): void {
  const list = finalizationsOf.get(job)?.get(stageId);
  if (!list) return;
  const committed = list.filter((f) => f.batchId < batchId);
  finalizationsOf.get(job)!.set(
    stageId,
    list.filter((f) => f.batchId >= batchId),
  );
  for (const { finalizations } of committed) runLogged(finalizations);
}

/**
 * At the end of a job on this executor: runs the finalizations still kept
 * (the last batches', which no later batch ran) when every batch is in the
 * commit log (`committed`), or drops them when the job failed or was
 * cancelled: an uncommitted batch is replayed, so its source must not be told
 * its data is safe.
 */
export function endFinalizations(job: JobContext, committed: boolean): void {
  const byStage = finalizationsOf.get(job);
  finalizationsOf.delete(job);
  if (!byStage || !committed) return;
  for (const list of byStage.values()) {
    for (const { finalizations } of list) runLogged(finalizations);
  }
}

const eventsOf = new WeakMap<JobContext, Map<string, TestStreamEvent[]>>();

/** Emits what a source gives this task in this batch; returns how many elements. */
function emitSourceSlice(
  job: JobContext,
  root: Exclude<FusedStage["root"], { kind: "pcollection" }>,
  batch: BatchTaskSpec,
  input: ElementReceiver,
): number {
  const slice = batch.source;
  if (!slice) return 0;
  switch (slice.kind) {
    case "impulse":
      input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
      return 1;
    case "range":
      if (root.kind !== "create") throw new Error(`internal: stage '${root.transformId}' got a range of values, it is no Create`);
      emitCreateRange(createSource(job.model, root.transformId, job.userCode), slice.from, slice.to, input);
      return slice.to - slice.from;
    case "testStream": {
      let byStream = eventsOf.get(job);
      if (!byStream) eventsOf.set(job, (byStream = new Map()));
      let events = byStream.get(root.transformId);
      if (!events) byStream.set(root.transformId, (events = testStreamEvents(job.model, root.transformId, job.userCode)));
      const event = events[slice.event];
      if (event?.kind !== "elements") return 0;
      for (const el of event.elements) input.receive(el.value, el.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
      return event.elements.length;
    }
    case "splittable":
      throw new Error(`internal: a splittable source's work is processed by its operator, not emitted`);
  }
}

// ---------------------------------------------------------------- groupings

/** A grouping's live runner; its emit and metrics go to the current task's receivers. */
interface GroupingState {
  readonly runner: GroupingRunner;
  emit: (kv: KV<unknown, unknown>, timestamp: number, window: BoundedWindow, pane: PaneInfo) => void;
  count: (metric: string, n: number) => void;
}

function groupingStateCodec(job: JobContext, node: GroupingNode): PartitionStateCodec<GroupingState> {
  return {
    restore(entries) {
      const hooks: Omit<GroupingState, "runner"> = { emit: () => undefined, count: () => undefined };
      const runner = groupingRunnerFor(
        job.model,
        node,
        job.userCode,
        (kv, ts, w, pane) => hooks.emit(kv, ts, w, pane),
        (metric, n) => hooks.count(metric, n),
        true,
      );
      restoreCheckpoint(runner, entries);
      runner.drainChangedKeys();
      return Object.assign(hooks, { runner });
    },
    changes: (state) => deltaCheckpoint(state.runner),
  };
}

function runGrouping(
  job: JobContext,
  task: TaskSpec,
  node: GroupingNode,
  state: GroupingState,
  out: ElementReceiver,
  metrics: MetricsContainer,
): BatchTaskReport {
  const batch = task.batch!;
  state.emit = (kv, timestamp, window, pane) => out.receive(kv, timestamp, [window], pane);
  state.count = (metric, n) => metrics.counter(metric).inc(n);
  const reduce = state.runner;
  const coder = windowedValueCoder(job.model, job.plan, node.input, job.userCode);
  for (const group of readGrouped(task.inputs[node.input] ?? [])) {
    for (const bytes of group.values) {
      const wv = coder.decode(new ByteReader(bytes), "outer") as WindowedValue<KV<unknown, unknown>>;
      guardGrouping(node.transformId, wv.value, () =>
        reduce.processElement(wv.value.key, wv.value.value, wv.timestamp, wv.windows, batch.previousInputWatermark, batch.processingTime),
      );
    }
  }
  guardGrouping(node.transformId, undefined, () => {
    reduce.advanceInputWatermark(batch.inputWatermark);
    reduce.advanceProcessingTime(batch.processingTime);
  });
  const stateRows = reduce.activeWindowCount;
  return { hold: reduce.outputWatermarkHold(), stateRows, active: stateRows > 0 };
}
