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
 * 4. once every node ran (sinks staged the batch's files), the commit log
 *    records it, and then the batch's files are published (renamed from
 *    their staged names): readers never see an uncommitted batch.
 *
 * A restart with the same checkpoint directory replays a batch that is in
 * the offset log but not in the commit log, with the same offsets and time,
 * after dropping any state version it had committed; then it goes on. A job
 * that stops (cancelled, failed) with a batch logged but not committed rolls
 * back that batch's staged files: the next restart replays it whole.
 */
import { BlockingKafka } from "../../../sdk/io/kafka/blocking_kafka";
import { commitRecorded, kafkaSinkTransforms } from "../../core/kafka_sinks";
import { batchTransactionalId, type BatchKafkaTransaction } from "./batch_kafka_sink";
import * as fs from "node:fs";
import * as path from "node:path";
import { newTimeOrderedId } from "../../core/ids";
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { addMetricResults } from "../../../portability/harness/metrics_container";
import type { ExecutionPlan } from "../../../portability/plan/execution_plan";
import type { JobHandle } from "../../core/job_handle";
import { jobWatermark, type BatchSummary } from "../../core/progress";
import type { ExecutorPool } from "../executor_pool";
import type { MicrobatchSettings } from "../microbatch_flags";
import type { Partitioner } from "../partitioning";
import { nodeMainInputs, nodeOutputs, planNodes, planPartitioning, topologicalOrder, type PlanNode } from "../plan_nodes";
import { isKeyedStage } from "../../core/fusion";
import { createSpillDir, removeSpillDir } from "../shuffle/spill_dir";
import { prepareExecutors, taskFailedError, taskFailureOf } from "../task_attempts";
import { decideRetry } from "../../core/retry_policy";
import type { TaskFailure, TaskResult, TaskSpec } from "../task_spec";
import type { BatchSourceSlice, BatchTaskReport, BatchTaskSpec } from "./batch_task_spec";
import { BatchOutputs } from "./batch_outputs";
import { lowestWatermark, nextInputWatermark, nextOutputWatermark } from "../../core/watermarks";
import { foldNodeTaskReports } from "./node_task_reports";
import type { BatchCommit, NodeAfterBatch } from "./batch_commit";
import { CheckpointLocation } from "./checkpoint_location";
import { SideInputContents } from "./side_input_contents";
import { SourceOffsets, type BatchOffsets } from "./source_offsets";
import { recordBatchMetrics } from "./batch_metrics";
import { publishBatchFiles, removeBatchFiles } from "./batch_text_sink";
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

/** A batch while its nodes run: what they wrote and the driver state they leave, committed together at its end. */
interface BatchInProgress {
  readonly offsets: BatchOffsets;
  readonly started: number;
  /** This batch's shuffle files, removed once it is committed. */
  readonly spillDir: string;
  readonly written: BatchOutputs;
  /** Elements the source stages read. */
  inputRows: number;
  readonly nodeStates: Map<string, NodeAfterBatch>;
  /** Output watermark of every PCollection, as the batch's nodes set them. */
  readonly watermarks: Map<string, number>;
  /** The work each splittable source has left after the batch (see `BatchCommit.splittable`). */
  readonly splittable: Record<string, string>;
  /** The Kafka transactions its tasks flushed: recorded in its commit log entry, then committed. */
  readonly kafkaTransactions: BatchKafkaTransaction[];
}

/**
 * The results of every task, once all have settled; the first failure if
 * any failed. Waiting for all keeps a failed batch's roll-back from racing
 * with its other tasks, which would stage files after it.
 */
async function allSettledOrFirstFailure<T>(running: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(running);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Runs one unbounded job as micro-batches. */
export class UnboundedDriver {
  private readonly jobId = newTimeOrderedId();
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
  /** The work each splittable source had left after the last committed batch. */
  private splittableAfter: Record<string, string> = {};
  private tasksDone = 0;

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly pipelineProto: Uint8Array,
    userCode: UserCodeSource,
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
    let finished = false;
    try {
      await prepareExecutors(this.pool, this.model, {
        jobId: this.jobId,
        partitions: this.settings.partitions,
        memoryBudgetBytes: this.settings.executorMemoryBytes,
        spillDir: this.spillRoot,
      });
      await this.runBatches();
      finished = true;
    } finally {
      this.rollBackUncommittedFiles();
      // Every batch is in the commit log only when runBatches returned: then the last batches' finalizations run.
      this.pool.forgetJob(this.jobId, finished);
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
        this.abortKafkaTransactions(batchId);
      } else {
        const scheduledAt = await this.waitForSchedule(last);
        if (this.job.isCancelRequested) return;
        offsets = this.sources.next(batchId, last, Date.now(), scheduledAt, this.splittableAfter);
        this.location.offsets.write(batchId, offsets);
      }
      await this.runBatch(offsets);
      last = offsets;
      if (this.sources.exhausted(offsets)) {
        if ([...this.watermarks.values()].every((w) => w === Infinity)) return;
        if (++drainBatches > BATCHES_TO_DRAIN)
          throw new Error(`the pipeline cannot make progress: its sources are exhausted but ${this.describeHeld()}`);
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
      this.splittableAfter = commit.splittable ?? {};
      previous = this.location.offsets.read(lastCommitted);
      if (!previous)
        throw new Error(`${this.location.root}: batch ${lastCommitted} is committed but its offsets are missing from offsets/`);
    }
    // A crash between the commit and the renames left the last committed batch's files staged (and its Kafka transactions open).
    if (lastCommitted !== undefined) for (const sink of this.textSinks()) publishBatchFiles(sink, lastCommitted);
    if (lastCommitted !== undefined) this.commitKafkaTransactions(this.location.commits.read(lastCommitted)!.kafkaTransactions ?? []);
    const replay = lastLogged !== undefined && lastLogged > (lastCommitted ?? -1) ? this.location.offsets.read(lastLogged) : undefined;
    if (replay && replay.batchId !== (lastCommitted ?? -1) + 1) {
      throw new Error(
        `${this.location.root}: the offset log is at batch ${replay.batchId} but the last commit is ${lastCommitted ?? "none"}`,
      );
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
    const batch: BatchInProgress = {
      offsets,
      started: Date.now(),
      spillDir: path.join(this.spillRoot, `batch-${offsets.batchId}`),
      written: new BatchOutputs(this.settings.partitions),
      inputRows: 0,
      nodeStates: new Map<string, NodeAfterBatch>(),
      watermarks: new Map(this.watermarks),
      splittable: {},
      kafkaTransactions: [],
    };
    fs.mkdirSync(batch.spillDir, { recursive: true });
    for (const n of this.nodes) await this.runNode(n, batch);
    this.commitBatch(batch);
  }

  /** Runs a node's tasks of the batch, then records what it wrote, holds and keeps. */
  private async runNode(n: PlanNode, batch: BatchInProgress): Promise<void> {
    const { offsets, watermarks } = batch;
    const before = this.nodeStates.get(n.id);
    const sourceRoot = n.kind === "stage" && n.stage.root.kind !== "pcollection";
    const previousInputWatermark = before?.inputWatermark ?? -Infinity;
    const upstream = Math.min(
      sourceRoot ? this.sources.watermarkAfter(n.id, offsets) : Infinity,
      lowestWatermark(nodeMainInputs(n), (pc) => watermarks.get(pc)),
    );
    const inputWatermark = nextInputWatermark(previousInputWatermark, upstream);
    const tasks = this.planTasks(n, offsets, batch.written, before);
    const sideInputWatermarks: Record<string, number> = {};
    if (n.kind === "stage") for (const pc of n.stage.sideInputs) sideInputWatermarks[pc] = watermarks.get(pc) ?? -Infinity;
    const times = { previousInputWatermark, inputWatermark, sideInputWatermarks };
    const results = await allSettledOrFirstFailure(tasks.map((t) => this.runTask(this.taskSpec(n, t, batch, times))));
    // What the node holds back: its partitions' holds (a partition that did not run holds nothing).
    const reports = foldNodeTaskReports(
      results,
      tasks.map((t) => t.partition),
      this.settings.partitions,
      before,
    );
    const counts = this.job.progress.stage(n.id);
    counts.elementsIn += reports.elementsIn;
    counts.elementsOut += reports.elementsOut;
    if (sourceRoot) batch.inputRows += reports.elementsIn;
    if (n.kind === "stage" && n.stage.root.kind === "splittable") {
      const residuals = results
        .map((r) => (r.batch as BatchTaskReport | undefined)?.splittableResiduals)
        .filter((r): r is string => r !== undefined);
      batch.splittable[n.id] = this.sources.splittableWorkAfter(n.id, offsets, residuals);
    }
    for (const r of results) for (const [pc, output] of Object.entries(r.outputs)) batch.written.add(pc, output);
    for (const r of results) batch.kafkaTransactions.push(...(r.batch?.kafkaTransactions ?? []));
    // The tasks flushed their partial combines; their holds include the elements they pushed back.
    const produces = n.kind === "stage" ? n.stage.produces : [n.shuffle.output];
    const outputWatermark = nextOutputWatermark(
      {
        input: inputWatermark,
        sideInputs: n.kind === "stage" ? lowestWatermark(n.stage.sideInputs, (pc) => watermarks.get(pc)) : Infinity,
        pushedBack: Infinity,
        previous: produces.length > 0 ? lowestWatermark(produces, (pc) => this.watermarks.get(pc)) : -Infinity,
      },
      { watermarkHold: () => reports.hold },
    );
    for (const pc of produces) watermarks.set(pc, outputWatermark);
    for (const pc of nodeOutputs(n)) if (this.sidePcs.has(pc)) this.sideContents.add(pc, offsets.batchId, batch.written.all(pc));
    batch.nodeStates.set(n.id, { inputWatermark, active: reports.active, stateRows: reports.stateRows });
  }

  /** The spec of one task of node `n` in the batch. */
  private taskSpec(
    n: PlanNode,
    t: PlannedTask,
    batch: BatchInProgress,
    times: Pick<BatchTaskSpec, "previousInputWatermark" | "inputWatermark" | "sideInputWatermarks">,
  ): TaskSpec {
    const writesSide = nodeOutputs(n).some((pc) => this.sidePcs.has(pc));
    return {
      jobId: this.jobId,
      nodeId: n.id,
      nodeKind: n.kind,
      partition: t.partition,
      partitions: this.settings.partitions,
      attempt: 1,
      inputs: Object.fromEntries(nodeMainInputs(n).map((pc) => [pc, batch.written.partition(pc, t.partition)])),
      sideInputs: n.kind === "stage" ? Object.fromEntries(n.stage.sideInputs.map((pc) => [pc, this.sideContents.segments(pc)])) : {},
      outputs: Object.fromEntries(nodeOutputs(n).map((pc) => [pc, this.partitionerOf.get(pc)!])),
      memoryBudgetBytes: this.settings.executorMemoryBytes,
      // Side input contents outlive their batch: they are written where batches' clean-up does not reach.
      spillDir: writesSide ? this.spillRoot : batch.spillDir,
      batch: {
        batchId: batch.offsets.batchId,
        processingTime: batch.offsets.processingTime,
        ...times,
        ...(this.isStateful(n) ? { stateDir: this.location.stateDir(n.id, t.partition) } : {}),
        snapshotEvery: this.settings.stateSnapshotEvery,
        ...(t.source ? { source: t.source } : {}),
      },
    };
  }

  /** The batch's output is complete: record it in the commit log, then forget its shuffle data. */
  private commitBatch(batch: BatchInProgress): void {
    const { offsets, watermarks, nodeStates } = batch;
    this.sideContents.commit(offsets.batchId);
    const summary: BatchSummary = {
      id: offsets.batchId,
      inputRows: batch.inputRows,
      processingMs: Date.now() - batch.started,
      schedulingDelayMs: Math.max(0, batch.started - offsets.scheduledAt),
      stateRows: [...nodeStates.values()].reduce((sum, s) => sum + s.stateRows.reduce((a, b) => a + b, 0), 0),
      watermark: this.eventTime(watermarks, nodeStates),
      completedAt: Date.now(),
    };
    const commit: BatchCommit = {
      batchId: offsets.batchId,
      watermarks: Object.fromEntries(watermarks),
      nodes: Object.fromEntries(nodeStates),
      summary,
      splittable: batch.splittable,
      ...(batch.kafkaTransactions.length > 0 ? { kafkaTransactions: batch.kafkaTransactions } : {}),
    };
    this.location.commits.write(offsets.batchId, commit);
    for (const sink of this.textSinks()) publishBatchFiles(sink, offsets.batchId);
    this.commitKafkaTransactions(batch.kafkaTransactions);
    this.watermarks = watermarks;
    this.nodeStates = nodeStates;
    this.splittableAfter = batch.splittable;
    this.location.offsets.pruneBefore(offsets.batchId - BATCHES_RETAINED);
    this.location.commits.pruneBefore(offsets.batchId - BATCHES_RETAINED);
    removeSpillDir(batch.spillDir);
    this.job.progress.addBatch(summary);
    this.job.progress.watermark = summary.watermark;
    this.job.progress.detail = `batch ${summary.id} committed, ${this.tasksDone.toLocaleString("en-US")} tasks`;
    recordBatchMetrics(this.job.totals, summary);
  }

  /**
   * Deletes the staged files of the batch logged after the last commit (a
   * cancel before its replay, a failure in it): nothing half-written stays,
   * and the offset log still holds the batch for the next restart to replay.
   */
  private rollBackUncommittedFiles(): void {
    if (!this.location) return;
    try {
      const uncommitted = (this.location.commits.latestId() ?? -1) + 1;
      if ((this.location.offsets.latestId() ?? -1) < uncommitted) return;
      for (const sink of this.textSinks()) removeBatchFiles(sink, uncommitted);
      this.abortKafkaTransactions(uncommitted);
    } catch {
      // Best effort: never hide the job's own outcome behind a clean-up error.
    }
  }

  /** Commits the Kafka transactions a committed batch recorded (again, after a restart: harmless). */
  private commitKafkaTransactions(transactions: readonly BatchKafkaTransaction[]): void {
    if (transactions.length === 0) return;
    const kafka = BlockingKafka.shared();
    for (const t of transactions) commitRecorded(kafka, this.model.kafkaSinkPayload(t.transform), t.transform, [t.handle]);
  }

  /**
   * Aborts whatever an attempt of batch `batchId` left open in Kafka (every
   * partition's transactional id: InitProducerId aborts and fences), so
   * read_committed readers are not held up by it until it times out.
   */
  private abortKafkaTransactions(batchId: number): void {
    const sinks = kafkaSinkTransforms(this.plan)
      .map((id) => this.model.kafkaSinkPayload(id))
      .filter((s) => s.deliveryGuarantee === "exactly-once");
    if (sinks.length === 0) return;
    const kafka = BlockingKafka.shared();
    for (const sink of sinks) {
      for (let p = 0; p < this.settings.partitions; p++) {
        kafka.initProducerId(sink.bootstrapServers, batchTransactionalId(sink, batchId, p), sink.transactionTimeoutMs);
      }
    }
  }

  /** The file sinks of the plan's writeText steps. */
  private textSinks(): TextSinkPayload[] {
    return this.plan.stages.flatMap((s) =>
      s.steps.filter((step) => step.kind === "writeText").map((step) => this.model.textSinkPayload(step.transformId)),
    );
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
  private planTasks(n: PlanNode, offsets: BatchOffsets, written: BatchOutputs, before: NodeAfterBatch | undefined): PlannedTask[] {
    if (n.kind === "stage" && n.stage.root.kind !== "pcollection") {
      return this.sources.slices(n.id, offsets, this.settings.partitions).map((source, partition) => ({ partition, source }));
    }
    const stateful = this.isStateful(n);
    const tasks: PlannedTask[] = [];
    for (let p = 0; p < this.settings.partitions; p++) {
      if (written.hasInput(nodeMainInputs(n), p) || (stateful && before?.active[p] === true)) tasks.push({ partition: p });
    }
    return tasks;
  }

  private async runTask(spec: TaskSpec): Promise<TaskResult> {
    let previous: TaskFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.run({ ...spec, attempt });
        this.tasksDone++;
        // The job's "in" and "out" are counted at the pipeline's sources and sinks (core/edge_counting).
        this.job.progress.elementsIn += result.recordsIn ?? 0;
        this.job.progress.elementsOut += result.recordsOut ?? 0;
        addMetricResults(this.job.totals, result.metrics);
        return result;
      } catch (e) {
        // A retry is safe: the task's state store drops the version a failed attempt may have committed.
        const failure = taskFailureOf(e);
        const decision = decideRetry(attempt, this.settings.maxTaskAttempts, failure, previous);
        if (!decision.retry) throw taskFailedError(spec.nodeId, spec.partition, attempt, failure, decision);
        previous = failure;
      }
    }
  }

  /** Event time as the groupings see it (where windows fire); the lowest watermark when there are none. */
  private eventTime(watermarks: ReadonlyMap<string, number>, nodeStates: ReadonlyMap<string, NodeAfterBatch>): number {
    const groupings = this.nodes.filter((n) => n.kind === "shuffle" && (n.shuffle.kind === "groupByKey" || n.shuffle.kind === "combine"));
    return jobWatermark(
      groupings.map((n) => nodeStates.get(n.id)?.inputWatermark ?? -Infinity),
      () => [...watermarks.values()],
    );
  }

  private describeHeld(): string {
    const held = [...this.watermarks].filter(([, w]) => w !== Infinity).map(([pc, w]) => `${pc} at watermark ${w}`);
    return `${held.join("; ")} (a TestStream must end with advanceWatermarkToInfinity)`;
  }
}
