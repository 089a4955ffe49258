/**
 * Runs one task on an executor, for a bounded job: a map task feeds its
 * partition of a fused stage's input through the stage's operators; a reduce
 * task groups its partition of a shuffle (GroupByKey, Combine) with the
 * shared ReduceFnRunner, or concatenates it (Flatten, Reshuffle). Both write
 * their materialized outputs as partitioned, encoded shuffle blocks that
 * spill to disk past the memory budget.
 *
 * Input of a bounded task is complete: the input watermark is -infinity
 * while it is fed and +infinity once it is all in, which fires what event
 * time allows (panes, timers) exactly as the direct runner does at the end.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import { buildStage } from "../../portability/harness/stage_executor";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import { MetricsContainer } from "../../portability/harness/metrics_container";
import { createSource, emitCreateRange } from "../../portability/harness/create_source";
import { ByteReader, ByteWriter, type Coder } from "../../portability/coders";
import { RunnerCheckError } from "../../portability/harness/user_code_error";
import { keyedConsumerOf, unencodableElementError } from "../../portability/harness/unencodable_element";
import type { ExecutionPlan, FusedStage, ShuffleNode } from "../../portability/plan/execution_plan";
import { shuffleInputs } from "../../portability/plan/execution_plan";
import { windowedValueCoder, collectionCoder } from "../core/collection_coders";
import { sideInputReaderFor } from "../core/side_input_store";
import type { GroupingRunner } from "../core/windowing/grouping_runner";
import { DROPPED_DUE_TO_LATENESS, groupingRunnerFor, guardGrouping } from "../core/windowing/grouping_runner";
import { KeyedStateStore } from "../core/state/keyed_state_store";
import { TimerService } from "../core/state/timer_service";
import { SplittableWorkQueue } from "../core/sources/splittable_source";
import { runFinalizations } from "../../portability/harness/bundle_finalizations";
import { initialSplittableWork, splittableSeeds } from "../../portability/harness/splittable_seeds";
import type { WindowedValue } from "../../model/windowed_value";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../model/windows";
import { NO_FIRING, type PaneInfo } from "../../model/pane";
import { MIN_TIMESTAMP } from "../../model/time";
import type { KV } from "../../model/kv";
import { emptyMetrics } from "../../model/pipeline_result";
import { ShuffleWriter } from "./shuffle/shuffle_writer";
import { readAll, readGrouped } from "./shuffle/shuffle_reader";
import type { Segment } from "./shuffle/shuffle_output";
import { partitionOf, type Partitioner } from "./partitioning";
import type { TaskResult, TaskSpec } from "./task_spec";
import { runBatchTask, type TaskCounts } from "./unbounded/batch_task_runner";
import { edgeCountingFor } from "./task_edge_counting";
import { stageEdges, type StageEdges } from "../core/edge_counting";
import type { BatchTaskReport } from "./unbounded/batch_task_spec";

/**
 * What an executor knows about a job: decoded once, used by all its tasks.
 * The user's DoFn instances are shared by the tasks of an executor (as Beam
 * reuses deserialized instances across bundles): each is set up once, the
 * first time a stage runs here, and torn down when the job is over.
 */
export class JobContext {
  private readonly setUp = new Set<string>();
  private readonly toTearDown = new Map<string, { teardown(): void }>();

  constructor(
    readonly model: PipelineModel,
    readonly plan: ExecutionPlan,
    readonly userCode: UserCodeSource,
  ) {}

  private edges: ((stage: FusedStage) => StageEdges) | undefined;

  /** The collections `stage` counts toward the job's "in" and "out" (the rule every runner shares). */
  edgesOf(stage: FusedStage): StageEdges {
    return (this.edges ??= stageEdges(this.model, this.plan))(stage);
  }

  /** Sets up a stage's DoFns unless this executor already did. */
  setUpOnce(stageId: string, exec: { setup(): void; teardown(): void }): void {
    if (this.setUp.has(stageId)) return;
    exec.setup();
    this.setUp.add(stageId);
    this.toTearDown.set(stageId, exec);
  }

  /** Tears down every DoFn set up here. */
  teardownAll(): void {
    for (const exec of this.toTearDown.values()) {
      try {
        exec.teardown();
      } catch {
        // Teardown is best effort, as in Beam.
      }
    }
    this.toTearDown.clear();
  }
}

/** Decodes every element of some segments of `pc`. */
function* elementsOf(job: JobContext, pc: string, segments: readonly Segment[]): Generator<WindowedValue> {
  const coder = windowedValueCoder(job.model, job.plan, pc, job.userCode);
  for (const record of readAll(segments)) yield coder.decode(new ByteReader(record.value), "outer") as WindowedValue;
}

/** A receiver that encodes elements of `pc` into a partitioned shuffle writer. */
class ShuffleSink implements ElementReceiver {
  private readonly writer: ShuffleWriter;
  private readonly coder: Coder<unknown>;
  private readonly keyCoder: Coder<unknown> | undefined;
  private readonly scratch = new ByteWriter();
  private readonly keyScratch = new ByteWriter();
  private next = 0;
  private static readonly NO_KEY = new Uint8Array(0);

  /** The transform that writes the collection, named when an element cannot be encoded. */
  private readonly producer: string;

  constructor(
    private readonly job: JobContext,
    private readonly pc: string,
    partitioner: Partitioner,
    private readonly partitions: number,
    task: TaskSpec,
  ) {
    this.producer =
      job.plan.shuffles.find((s) => s.kind === "combine" && s.lifted && s.input === pc)?.transformId ?? job.model.producerOf(pc) ?? pc;
    this.coder = windowedValueCoder(job.model, job.plan, pc, job.userCode);
    this.keyCoder = partitioner === "key" ? collectionCoder(job.model, job.plan, pc, job.userCode).components[0] : undefined;
    this.writer = new ShuffleWriter({
      partitions,
      memoryBudgetBytes: task.memoryBudgetBytes,
      spillDir: task.spillDir,
      grouped: partitioner === "key",
    });
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    this.scratch.reset();
    try {
      this.coder.encode({ value, timestamp, windows, pane }, this.scratch, "outer");
    } catch (e) {
      throw unencodableElementError(
        { producer: this.producer, pcollection: this.pc, keyedConsumer: keyedConsumerOf(this.job.model, this.pc) },
        e,
        value,
      );
    }
    // Views, not copies: the shuffle writer copies both into its arena at once.
    const record = this.scratch.view();
    if (this.keyCoder) {
      this.keyScratch.reset();
      try {
        this.keyCoder.encode((value as KV<unknown, unknown>).key, this.keyScratch, "nested");
      } catch (e) {
        throw new RunnerCheckError(
          this.producer,
          `a key output by '${this.producer}' to ${this.pc} cannot be encoded: ${(e as Error).message}`,
          { cause: e },
        );
      }
      const key = this.keyScratch.view();
      this.writer.add(partitionOf(key, this.partitions), key, record);
    } else {
      this.writer.add(this.next++ % this.partitions, ShuffleSink.NO_KEY, record);
    }
  }

  finish() {
    return this.writer.finish();
  }
}

/** Runs one task and returns what it wrote. */
export function runTask(job: JobContext, task: TaskSpec): TaskResult {
  const metrics = new MetricsContainer();
  const sinks = new Map<string, ShuffleSink>();
  const sinkFor = (pc: string): ShuffleSink => {
    let sink = sinks.get(pc);
    if (!sink) {
      const partitioner = task.outputs[pc];
      if (!partitioner) throw new Error(`internal: task ${task.nodeId}/${task.partition} writes ${pc}, which the driver did not plan`);
      sinks.set(pc, (sink = new ShuffleSink(job, pc, partitioner, task.partitions, task)));
    }
    return sink;
  };
  if (task.nodeKind === "prepare") return { outputs: {}, metrics: emptyMetrics(), elementsIn: 0, elementsOut: 0 };
  const counts: TaskCounts = { in: 0, out: 0, recordsIn: 0, recordsOut: 0 };
  let batchReport: BatchTaskReport | undefined;
  if (task.batch) {
    batchReport = runBatchTask(job, task, metrics, sinkFor, counts);
  } else if (task.nodeKind === "stage") {
    const stage = job.plan.stages.find((s) => s.id === task.nodeId);
    if (!stage) throw new Error(`internal: no stage '${task.nodeId}'`);
    runStageTask(job, task, stage, metrics, sinkFor, counts);
  } else {
    const node = job.plan.shuffles.find((s) => s.transformId === task.nodeId);
    if (!node) throw new Error(`internal: no shuffle '${task.nodeId}'`);
    runShuffleTask(job, task, node, sinkFor(node.output), metrics);
  }
  const outputs: TaskResult["outputs"] = {};
  for (const pc of Object.keys(task.outputs)) outputs[pc] = sinkFor(pc).finish();
  const totals = emptyMetrics();
  metrics.commitInto(totals);
  return {
    outputs,
    metrics: totals,
    elementsIn: counts.in,
    elementsOut: counts.out,
    recordsIn: counts.recordsIn,
    recordsOut: counts.recordsOut,
    ...(batchReport ? { batch: batchReport } : {}),
  };
}

function runStageTask(
  job: JobContext,
  task: TaskSpec,
  stage: FusedStage,
  metrics: MetricsContainer,
  sinkFor: (pc: string) => ShuffleSink,
  counts: TaskCounts,
): void {
  let inputWatermark = -Infinity;
  const sideElements = new Map<string, WindowedValue[]>();
  for (const [pc, segments] of Object.entries(task.sideInputs)) sideElements.set(pc, [...elementsOf(job, pc, segments)]);
  const exec = buildStage(job.model, stage, {
    userCode: job.userCode,
    metrics,
    sink: (pc) => sinkFor(pc),
    sideInputReader: (id) => sideInputReaderFor(job.model, id, job.userCode, (pc) => sideElements.get(pc) ?? []),
    terminal: {
      receive: () => {
        counts.out++;
      },
    },
    edgeCounting: edgeCountingFor(job, stage, counts),
    keyed: (_id, specs) => ({
      store: new KeyedStateStore(specs.state),
      timers: new TimerService(),
      inputWatermark: () => inputWatermark,
      processingTime: () => Date.now(),
      onDroppedLate: (n) => metrics.counter(DROPPED_DUE_TO_LATENESS).inc(n),
    }),
  });
  job.setUpOnce(stage.id, exec);
  {
    exec.startBundle();
    const root = stage.root;
    switch (root.kind) {
      case "impulse":
        exec.input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
        counts.in++;
        break;
      case "create": {
        const { from, to } = task.sourceRange!;
        // An empty range (an empty Create) does not make the values.
        if (from < to) emitCreateRange(createSource(job.model, root.transformId, job.userCode), from, to, exec.input);
        counts.in += task.sourceRange!.to - task.sourceRange!.from;
        break;
      }
      case "pcollection":
        for (const wv of elementsOf(job, root.pcollection, task.inputs[root.pcollection] ?? [])) {
          exec.input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
          counts.in++;
        }
        break;
      case "splittable": {
        // A bounded splittable DoFn: this task's share of the initial work, processed until none is left.
        const op = exec.splittableRoot!;
        const share = task.sourceRange!.from;
        const work = initialSplittableWork(splittableSeeds(job.model, root, job.userCode), op)
          .filter((_, i) => i % task.partitions === share)
          .map((w) => ({ work: w, resumeAt: -Infinity }));
        const queue = new SplittableWorkQueue(op, work);
        const before = op.outputCount;
        for (let item = queue.takeDue(Infinity); item; item = queue.takeDue(Infinity)) queue.process(item, Date.now());
        // Its input rows are what the restrictions read.
        counts.in += op.outputCount - before;
        break;
      }
      case "testStream":
        throw new Error(`stage '${stage.id}' reads a TestStream: unbounded input is not supported by this runner yet`);
    }
    // The input is complete: event time runs to the end.
    inputWatermark = Infinity;
    exec.fireEventTimers(Infinity);
    exec.flush();
    exec.finishBundle();
    // A bounded job's task is its unit of commit: its bundle finalizations run once it has finished.
    const finalizations = exec.takeFinalizations();
    if (finalizations.length > 0) {
      void runFinalizations(finalizations, Date.now(), (f, e) => {
        console.warn(`millrace: a bundle finalization of '${f.transform}' failed: ${(e as Error)?.stack ?? String(e)}`);
      });
    }
  }
}

function runShuffleTask(job: JobContext, task: TaskSpec, node: ShuffleNode, out: ShuffleSink, metrics: MetricsContainer): void {
  if (node.kind === "flatten" || node.kind === "reshuffle") {
    for (const pc of shuffleInputs(node)) {
      for (const wv of elementsOf(job, pc, task.inputs[pc] ?? [])) out.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
    }
    return;
  }
  const elementCoder = windowedValueCoder(job.model, job.plan, node.input, job.userCode);
  const newRunner = (): GroupingRunner =>
    groupingRunnerFor(
      job.model,
      node,
      job.userCode,
      (kv, timestamp, window, pane) => out.receive(kv, timestamp, [window], pane),
      (metric, n) => metrics.counter(metric).inc(n),
    );
  const feed = (reduce: GroupingRunner, values: readonly Uint8Array[], now: number): void => {
    for (const bytes of values) {
      const wv = elementCoder.decode(new ByteReader(bytes), "outer") as WindowedValue<KV<unknown, unknown>>;
      guardGrouping(node.transformId, wv.value, () =>
        reduce.processElement(wv.value.key, wv.value.value, wv.timestamp, wv.windows, -Infinity, now),
      );
    }
  };
  if (node.kind === "combine") {
    // Accumulators are small: one runner holds the whole partition's keys.
    const reduce = newRunner();
    const now = Date.now();
    for (const group of readGrouped(task.inputs[node.input] ?? [])) feed(reduce, group.values, now);
    guardGrouping(node.transformId, undefined, () => reduce.advanceInputWatermark(Infinity));
    return;
  }
  // A GroupByKey holds values: each key is complete within this partition, so
  // group it, fire it and forget it, and memory holds one key's values at a time.
  for (const group of readGrouped(task.inputs[node.input] ?? [])) {
    const reduce = newRunner();
    feed(reduce, group.values, Date.now());
    guardGrouping(node.transformId, undefined, () => reduce.advanceInputWatermark(Infinity));
  }
}
