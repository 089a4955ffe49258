/**
 * The driver of an unbounded job: Spark's micro-batch execution. Every
 * `--batchIntervalMs` (at once, batch after batch, with a TestStream's
 * scripted clock) a batch is planned and run:
 *
 * 1. its source offsets are written to the offset log (the write-ahead log);
 * 2. the plan's nodes run in topological order, each as tasks per partition
 *    on the executors, reading what upstream nodes wrote in this batch; a
 *    stateful node (grouping, stateful ParDo, ParDo waiting for side inputs)
 *    loads its partition's state, processes, moves event time to its input
 *    watermark for the batch and processing time to the batch's time, and
 *    commits one state store version per batch;
 * 3. watermarks are computed as the batch goes: a node's input watermark is
 *    the lowest of its inputs' (a source's comes from its offsets); its
 *    output watermark is held by what its partitions still hold;
 * 4. once every node ran (sinks wrote the batch), the commit log records it.
 *
 * A restart with the same checkpoint directory replays a batch that is in
 * the offset log but not in the commit log, with the same offsets and time,
 * after dropping any state version it had committed; then it goes on.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../portability/user_code/user_code_source";
import { addMetricResults } from "../../../portability/harness/metrics_container";
import type { ExecutionPlan } from "../../core/execution_plan";
import type { JobHandle } from "../../core/job_handle";
import type { BatchSummary } from "../../core/progress";
import type { ExecutorPool } from "../executor_pool";
import type { MicrobatchSettings } from "../microbatch_flags";
import type { Partitioner } from "../partitioning";
import { nodeMainInputs, nodeOutputs, planNodes, planPartitioning, topologicalOrder, type PlanNode } from "../plan_nodes";
import { isKeyedStage } from "../../core/fusion";
import type { Segment } from "../shuffle/shuffle_output";
import { createSpillDir, removeSpillDir } from "../shuffle/spill_dir";
import { prepareExecutors, taskFailedError, taskFailureOf } from "../task_attempts";
import type { TaskFailure, TaskResult, TaskSpec } from "../task_spec";
import type { BatchTaskReport, BatchSourceSlice } from "./batch_task_spec";
import type { BatchCommit, NodeAfterBatch } from "./batch_commit";
import { CheckpointLocation } from "./checkpoint_location";
import { SideInputContents } from "./side_input_contents";
import { SourceOffsets, type BatchOffsets } from "./source_offsets";
import { recordBatchMetrics } from "./batch_metrics";
import { removeBatchFiles } from "./batch_text_sink";
import type { TextSinkPayload } from "../../../portability/payloads";

/** Offset and commit log entries kept for inspection, as Spark's minBatchesToRetain. */
const BATCHES_RETAINED = 100;
/** Batches allowed, once every source is exhausted, for the watermarks to reach the end of time. */
const BATCHES_TO_DRAIN = 3;

/** One task of a batch: a partition, and for a source stage what it emits. */
interface PlannedTask {
  readonly partition: number;
  readonly source?: BatchSourceSlice;
}

/** Runs one unbounded job as micro-batches. */
export class StreamingDriver {
  private readonly jobId = randomUUID();
  private readonly nodes: PlanNode[];
  private readonly partitionerOf: Map<string, Partitioner>;
  private readonly sources: SourceOffsets;
  /** PCollections read as side inputs: their contents accumulate over batches. */
  private readonly sidePcs: Set<string>;
  private location!: CheckpointLocation;
  private sideContents!: SideInputContents;
  private spillRoot = "";
  /** Output watermark of every PCollection, after the last batch. */
  private watermarks = new Map<string, number>();
  private nodeStates = new Map<string, NodeAfterBatch>();
  private tasksDone = 0;

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly pipelineProto: Uint8Array,
    private readonly userCode: UserCodeSource,
    private readonly settings: MicrobatchSettings,
    private readonly job: JobHandle,
    private readonly pool: ExecutorPool,
  ) {
    this.nodes = topologicalOrder(planNodes(plan));
    this.partitionerOf = planPartitioning(model, plan, this.nodes);
    this.sources = new SourceOffsets(model, plan, userCode, settings.maxRecordsPerBatch);
    this.sidePcs = new Set(plan.stages.flatMap((s) => s.sideInputs));
  }

  /** Runs batches until every watermark reaches the end of time, or the job is cancelled. */
  async run(): Promise<void> {
    this.location = CheckpointLocation.open(this.settings.checkpointDir, {
      transforms: Object.values(this.model.components.transforms).map((t) => t.uniqueName),
      partitions: this.settings.partitions,
    });
    this.spillRoot = createSpillDir();
    this.pool.addJob(this.jobId, this.pipelineProto);
    try {
      await prepareExecutors(this.pool, this.model, {
        jobId: this.jobId,
        partitions: this.settings.partitions,
        memoryBudgetBytes: this.settings.executorMemoryBytes,
        spillDir: this.spillRoot,
      });
      await this.runBatches();
    } finally {
      this.pool.forgetJob(this.jobId);
      try {
        removeSpillDir(this.spillRoot);
        this.location.close();
      } catch {
        // Best effort: never hide the job's own outcome behind a clean-up error.
      }
    }
  }

  private async runBatches(): Promise<void> {
    const { previous, replay } = this.recover();
    let last = previous;
    let drainBatches = 0;
    for (let batchId = (previous?.batchId ?? -1) + 1; ; batchId++) {
      if (this.job.isCancelRequested) return;
      let offsets: BatchOffsets;
      if (replay && replay.batchId === batchId) {
        offsets = replay;
        // The failed attempt may have written some of the batch's files: the replay writes them all again.
        for (const sink of this.textSinks()) removeBatchFiles(sink, batchId);
      } else {
        const scheduledAt = await this.waitForSchedule(last);
        if (this.job.isCancelRequested) return;
        offsets = this.sources.next(batchId, last, Date.now(), scheduledAt);
        this.location.offsets.write(batchId, offsets);
      }
      await this.runBatch(offsets);
      last = offsets;
      if (this.sources.exhausted(offsets)) {
        if ([...this.watermarks.values()].every((w) => w === Infinity)) return;
        if (++drainBatches > BATCHES_TO_DRAIN) throw new Error(`the pipeline cannot make progress: its sources are exhausted but ${this.describeHeld()}`);
      }
    }
  }

  /**
   * Reads the checkpoint directory: the last committed batch's offsets and
   * driver state, and the batch to replay (logged, not committed), if any.
   */
  private recover(): { previous: BatchOffsets | undefined; replay: BatchOffsets | undefined } {
    const lastCommitted = this.location.commits.latestId();
    const lastLogged = this.location.offsets.latestId();
    this.sideContents = new SideInputContents(this.location.sideInputsDir(), this.settings.stateSnapshotEvery, lastCommitted ?? -1);
    let previous: BatchOffsets | undefined;
    if (lastCommitted !== undefined) {
      const commit = this.location.commits.read(lastCommitted)!;
      this.location.verifyStateOf(commit);
      this.watermarks = new Map(Object.entries(commit.watermarks));
      this.nodeStates = new Map(Object.entries(commit.nodes));
      previous = this.location.offsets.read(lastCommitted);
      if (!previous) throw new Error(`${this.location.root}: batch ${lastCommitted} is committed but its offsets are missing from offsets/`);
    }
    const replay = lastLogged !== undefined && lastLogged > (lastCommitted ?? -1) ? this.location.offsets.read(lastLogged) : undefined;
    if (replay && replay.batchId !== (lastCommitted ?? -1) + 1) {
      throw new Error(`${this.location.root}: the offset log is at batch ${replay.batchId} but the last commit is ${lastCommitted ?? "none"}`);
    }
    return { previous, replay };
  }

  /** Waits for the next batch's slot: `--batchIntervalMs` after the previous one (at once when late, or when sources are not paced). */
  private async waitForSchedule(last: BatchOffsets | undefined): Promise<number> {
    const now = Date.now();
    if (!last || !this.sources.paced(last)) return now;
    let due = last.scheduledAt + this.settings.batchIntervalMs;
    // Far behind (a slow batch, a restart): skip the missed slots, as Spark's ProcessingTime trigger does.
    if (now > due + this.settings.batchIntervalMs) due = now;
    while (Date.now() < due && !this.job.isCancelRequested) await new Promise((r) => setTimeout(r, Math.min(50, due - Date.now())));
    return due;
  }

  // ---- one batch ----

  private async runBatch(offsets: BatchOffsets): Promise<void> {
    const started = Date.now();
    const batchSpill = path.join(this.spillRoot, `batch-${offsets.batchId}`);
    fs.mkdirSync(batchSpill, { recursive: true });
    /** What this batch wrote: per PCollection, per partition. */
    const written = new Map<string, Segment[][]>();
    let inputRows = 0;
    const nodeStates = new Map<string, NodeAfterBatch>();
    const watermarks = new Map(this.watermarks);
    for (const n of this.nodes) {
      const before = this.nodeStates.get(n.id);
      const sourceRoot = n.kind === "stage" && n.stage.root.kind !== "pcollection";
      let inputWatermark = sourceRoot ? this.sources.watermarkAfter(n.id, offsets) : Infinity;
      for (const pc of nodeMainInputs(n)) inputWatermark = Math.min(inputWatermark, watermarks.get(pc) ?? -Infinity);
      const previousInputWatermark = before?.inputWatermark ?? -Infinity;
      inputWatermark = Math.max(previousInputWatermark, inputWatermark);
      const stateful = this.isStateful(n);
      const tasks = this.planTasks(n, offsets, written, before);
      const sideInputWatermarks: Record<string, number> = {};
      if (n.kind === "stage") for (const pc of n.stage.sideInputs) sideInputWatermarks[pc] = watermarks.get(pc) ?? -Infinity;
      const writesSide = nodeOutputs(n).some((pc) => this.sidePcs.has(pc));
      const results = await Promise.all(
        tasks.map((t) =>
          this.runTask({
            jobId: this.jobId,
            nodeId: n.id,
            nodeKind: n.kind,
            partition: t.partition,
            partitions: this.settings.partitions,
            attempt: 1,
            inputs: Object.fromEntries(nodeMainInputs(n).map((pc) => [pc, written.get(pc)?.[t.partition] ?? []])),
            sideInputs: n.kind === "stage" ? Object.fromEntries(n.stage.sideInputs.map((pc) => [pc, this.sideContents.segments(pc)])) : {},
            outputs: Object.fromEntries(nodeOutputs(n).map((pc) => [pc, this.partitionerOf.get(pc)!])),
            memoryBudgetBytes: this.settings.executorMemoryBytes,
            // Side input contents outlive their batch: they are written where batches' clean-up does not reach.
            spillDir: writesSide ? this.spillRoot : batchSpill,
            batch: {
              batchId: offsets.batchId,
              processingTime: offsets.processingTime,
              previousInputWatermark,
              inputWatermark,
              sideInputWatermarks,
              ...(stateful ? { stateDir: this.location.stateDir(n.id, t.partition) } : {}),
              snapshotEvery: this.settings.stateSnapshotEvery,
              ...(t.source ? { source: t.source } : {}),
            },
          }),
        ),
      );
      // What the node holds back: its partitions' holds (a partition that did not run holds nothing).
      let hold = Infinity;
      const active = [...(before?.active ?? new Array<boolean>(this.settings.partitions).fill(false))];
      const stateRows = [...(before?.stateRows ?? new Array<number>(this.settings.partitions).fill(0))];
      const counts = this.job.progress.stage(n.id);
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        const report = r.batch as BatchTaskReport;
        hold = Math.min(hold, report.hold);
        active[tasks[i]!.partition] = report.active;
        stateRows[tasks[i]!.partition] = report.stateRows;
        counts.elementsIn += r.elementsIn;
        counts.elementsOut += r.elementsOut;
        if (sourceRoot) inputRows += r.elementsIn;
        for (const [pc, output] of Object.entries(r.outputs)) {
          let parts = written.get(pc);
          if (!parts) written.set(pc, (parts = Array.from({ length: this.settings.partitions }, () => [])));
          output.partitions.forEach((segments, p) => parts![p]!.push(...segments));
        }
      }
      let outputWatermark = Math.min(inputWatermark, hold);
      if (n.kind === "stage") for (const pc of n.stage.sideInputs) outputWatermark = Math.min(outputWatermark, watermarks.get(pc) ?? -Infinity);
      for (const pc of n.kind === "stage" ? n.stage.produces : [n.shuffle.output]) watermarks.set(pc, outputWatermark);
      for (const pc of nodeOutputs(n)) if (this.sidePcs.has(pc)) this.sideContents.add(pc, offsets.batchId, (written.get(pc) ?? []).flat());
      nodeStates.set(n.id, { inputWatermark, active, stateRows });
    }
    // The batch's output is complete: record it, then forget its shuffle data.
    this.sideContents.commit(offsets.batchId);
    const summary: BatchSummary = {
      id: offsets.batchId,
      inputRows,
      processingMs: Date.now() - started,
      schedulingDelayMs: Math.max(0, started - offsets.scheduledAt),
      stateRows: [...nodeStates.values()].reduce((sum, s) => sum + s.stateRows.reduce((a, b) => a + b, 0), 0),
      watermark: this.eventTime(watermarks, nodeStates),
      completedAt: Date.now(),
    };
    const commit: BatchCommit = { batchId: offsets.batchId, watermarks: Object.fromEntries(watermarks), nodes: Object.fromEntries(nodeStates), summary };
    this.location.commits.write(offsets.batchId, commit);
    this.watermarks = watermarks;
    this.nodeStates = nodeStates;
    this.location.offsets.pruneBefore(offsets.batchId - BATCHES_RETAINED);
    this.location.commits.pruneBefore(offsets.batchId - BATCHES_RETAINED);
    removeSpillDir(batchSpill);
    this.job.progress.addBatch(summary);
    this.job.progress.watermark = summary.watermark;
    this.job.progress.detail = `batch ${summary.id} committed, ${this.tasksDone.toLocaleString("en-US")} tasks`;
    recordBatchMetrics(this.job.totals, summary);
  }

  /** The file sinks of the plan's writeText steps. */
  private textSinks(): TextSinkPayload[] {
    return this.plan.stages.flatMap((s) => s.steps.filter((step) => step.kind === "writeText").map((step) => this.model.textSinkPayload(step.transformId)));
  }

  /** A node keeps state between batches: groupings, stateful ParDos, and ParDos that wait for side inputs. */
  private isStateful(n: PlanNode): boolean {
    if (n.kind === "shuffle") return n.shuffle.kind === "groupByKey" || n.shuffle.kind === "combine";
    return isKeyedStage(this.model, n.stage) || n.stage.sideInputs.length > 0;
  }

  /**
   * The tasks a node runs in a batch: a source stage's slices; otherwise the
   * partitions that got input, and (for stateful nodes) those whose state
   * time may still fire.
   */
  private planTasks(n: PlanNode, offsets: BatchOffsets, written: Map<string, Segment[][]>, before: NodeAfterBatch | undefined): PlannedTask[] {
    if (n.kind === "stage" && n.stage.root.kind !== "pcollection") {
      return this.sources.slices(n.id, offsets, this.settings.partitions).map((source, partition) => ({ partition, source }));
    }
    const stateful = this.isStateful(n);
    const tasks: PlannedTask[] = [];
    for (let p = 0; p < this.settings.partitions; p++) {
      const hasInput = nodeMainInputs(n).some((pc) => (written.get(pc)?.[p]?.length ?? 0) > 0);
      if (hasInput || (stateful && before?.active[p] === true)) tasks.push({ partition: p });
    }
    return tasks;
  }

  private async runTask(spec: TaskSpec): Promise<TaskResult> {
    let failure: TaskFailure | undefined;
    for (let attempt = 1; attempt <= this.settings.maxTaskAttempts; attempt++) {
      try {
        const result = await this.pool.run({ ...spec, attempt });
        this.tasksDone++;
        this.job.progress.elementsIn += result.elementsIn;
        this.job.progress.elementsOut += result.elementsOut;
        addMetricResults(this.job.totals, result.metrics);
        return result;
      } catch (e) {
        // A retry is safe: the task's state store drops the version a failed attempt may have committed.
        failure = taskFailureOf(e);
      }
    }
    throw taskFailedError(spec.nodeId, spec.partition, this.settings.maxTaskAttempts, failure!);
  }

  /** Event time as the groupings see it (where windows fire); the lowest watermark when there are none. */
  private eventTime(watermarks: ReadonlyMap<string, number>, nodeStates: ReadonlyMap<string, NodeAfterBatch>): number {
    const groupings = this.nodes.filter((n) => n.kind === "shuffle" && (n.shuffle.kind === "groupByKey" || n.shuffle.kind === "combine"));
    if (groupings.length > 0) return Math.min(...groupings.map((n) => nodeStates.get(n.id)?.inputWatermark ?? -Infinity));
    return Math.min(...watermarks.values());
  }

  private describeHeld(): string {
    const held = [...this.watermarks].filter(([, w]) => w !== Infinity).map(([pc, w]) => `${pc} at watermark ${w}`);
    return `${held.join("; ")} (a TestStream must end with advanceWatermarkToInfinity)`;
  }
}
