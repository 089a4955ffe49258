/**
 * The driver of a bounded job, after Spark's DAGScheduler: the plan's fused
 * stages are map stages and its shuffles are reduce stages; every
 * materialized PCollection is written as partitioned shuffle blocks (by key
 * when a grouping or a keyed stage reads it, round robin otherwise). A node
 * runs when everything it reads is complete, as one task per partition on
 * the executor pool. A failed task is retried up to `--maxTaskAttempts`;
 * when it failed because shuffle blocks it needed are gone, the tasks that
 * wrote them are run again first (recomputed from lineage).
 */
import * as fs from "node:fs";
import { newTimeOrderedId } from "../core/ids";
import type { PipelineModel } from "../../portability/pipeline_model";
import { IsBounded } from "../../portability/proto/messages";
import { createCount } from "../../portability/harness/create_source";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { ExecutionPlan } from "../../portability/plan/execution_plan";
import type { JobHandle } from "../core/job_handle";
import { addMetricResults } from "../../portability/harness/metrics_container";
import type { ShuffleOutput, Segment } from "./shuffle/shuffle_output";
import { createSpillDir, removeSpillDir } from "./shuffle/spill_dir";
import type { ExecutorPool } from "./executor_pool";
import type { Partitioner } from "./partitioning";
import type { MicrobatchSettings } from "./microbatch_flags";
import type { TaskFailure, TaskResult, TaskSpec } from "./task_spec";
import { prepareExecutors, taskFailedError, taskFailureOf } from "./task_attempts";
import { decideRetry } from "../core/retry_policy";

import { nodeInputs, nodeMainInputs, nodeOutputs, planNodes, planPartitioning, type PlanNode as Node } from "./plan_nodes";

/** Runs one bounded job on the executor pool. */
export class BoundedJobDriver {
  private readonly jobId = newTimeOrderedId();
  private readonly nodes: Node[];
  private readonly partitionerOf: Map<string, Partitioner>;
  /** What each task of a node wrote, by PCollection: the blocks of finished PCollections. */
  private readonly written = new Map<string, Map<number, ShuffleOutput>>();
  private readonly producerOf = new Map<string, Node>();
  private spillDir = "";

  constructor(
    private readonly model: PipelineModel,
    plan: ExecutionPlan,
    private readonly pipelineProto: Uint8Array,
    private readonly userCode: UserCodeSource,
    private readonly settings: MicrobatchSettings,
    private readonly job: JobHandle,
    private readonly pool: ExecutorPool,
  ) {
    this.nodes = planNodes(plan);
    for (const n of this.nodes) for (const pc of this.outputsOf(n)) this.producerOf.set(pc, n);
    this.partitionerOf = planPartitioning(model, plan, this.nodes);
  }

  /** Runs every node; resolves when done or cancelled. */
  async run(): Promise<void> {
    for (const [id, pc] of Object.entries(this.model.components.pcollections)) {
      if (pc.isBounded === IsBounded.UNBOUNDED) {
        throw new Error(
          `internal: ${id} is unbounded: an unbounded pipeline runs as micro-batches (UnboundedDriver), not as one bounded job`,
        );
      }
    }
    this.spillDir = createSpillDir();
    this.pool.addJob(this.jobId, this.pipelineProto);
    let finished = false;
    try {
      await prepareExecutors(this.pool, this.model, {
        jobId: this.jobId,
        partitions: this.settings.partitions,
        memoryBudgetBytes: this.settings.executorMemoryBytes,
        spillDir: this.spillDir,
      });
      const done = new Set<Node>();
      const complete = new Set<string>();
      while (done.size < this.nodes.length) {
        if (this.job.isCancelRequested) return;
        const ready = this.nodes.filter((n) => !done.has(n) && this.inputsOf(n).every((pc) => complete.has(pc)));
        if (ready.length === 0) throw new Error("internal: no stage can run");
        const outcomes = await Promise.allSettled(
          ready.map(async (n) => {
            await this.runNode(n);
            done.add(n);
            this.nodesDone = done.size;
            for (const pc of this.outputsOf(n)) complete.add(pc);
          }),
        );
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
        if (failed) throw failed.reason;
      }
      this.job.progress.watermark = Infinity;
      this.job.progress.detail = `${this.nodes.length}/${this.nodes.length} stages done, ${this.tasksDone} tasks`;
      finished = true;
    } finally {
      this.pool.forgetJob(this.jobId, finished);
      try {
        removeSpillDir(this.spillDir);
      } catch {
        // Best effort: never hide the job's own outcome behind a clean-up error.
      }
    }
  }

  // ---- planning ----

  private outputsOf(n: Node): readonly string[] {
    return nodeOutputs(n);
  }

  private inputsOf(n: Node): readonly string[] {
    return nodeInputs(n);
  }

  /** The tasks of a node: one per partition, or per source split. */
  private taskCount(n: Node): { count: number; ranges?: { from: number; to: number }[] } {
    if (n.kind === "shuffle") return { count: this.settings.partitions };
    const root = n.stage.root;
    if (root.kind === "impulse") return { count: 1 };
    if (root.kind === "splittable") {
      // Each task reads every partitions-th piece of the initial work (see the task runner).
      const count = this.settings.partitions;
      return { count, ranges: Array.from({ length: count }, (_, i) => ({ from: i, to: i + 1 })) };
    }
    if (root.kind === "create") {
      const total = createCount(this.model, root.transformId, this.userCode);
      const count = Math.max(1, Math.min(this.settings.partitions, total));
      const ranges = Array.from({ length: count }, (_, i) => ({
        from: Math.floor((i * total) / count),
        to: Math.floor(((i + 1) * total) / count),
      }));
      return { count, ranges };
    }
    return { count: this.settings.partitions };
  }

  // ---- running ----

  private async runNode(n: Node): Promise<void> {
    const { count, ranges } = this.taskCount(n);
    // Wait for every task of the node, even after one failed, so nothing still
    // writes shuffle files when the job ends and cleans up.
    const outcomes = await Promise.allSettled(Array.from({ length: count }, (_, p) => this.runTaskWithRetries(n, p, ranges?.[p])));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
  }

  private taskSpec(n: Node, partition: number, attempt: number, range: { from: number; to: number } | undefined): TaskSpec {
    const inputs: Record<string, Segment[]> = {};
    for (const pc of nodeMainInputs(n)) inputs[pc] = this.segments(pc, partition);
    const sideInputs: Record<string, Segment[]> = {};
    if (n.kind === "stage") for (const pc of n.stage.sideInputs) sideInputs[pc] = this.segments(pc);
    const outputs: Record<string, Partitioner> = {};
    for (const pc of this.outputsOf(n)) outputs[pc] = this.partitionerOf.get(pc)!;
    return {
      jobId: this.jobId,
      nodeId: n.id,
      nodeKind: n.kind,
      partition,
      partitions: this.settings.partitions,
      attempt,
      ...(range ? { sourceRange: range } : {}),
      inputs,
      sideInputs,
      outputs,
      memoryBudgetBytes: this.settings.executorMemoryBytes,
      spillDir: this.spillDir,
    };
  }

  /** The segments of partition `p` of `pc` (all partitions when `p` is absent), from every task that wrote it. */
  private segments(pc: string, p?: number): Segment[] {
    const byTask = this.written.get(pc);
    if (!byTask) throw new Error(`internal: ${pc} was read before it was written`);
    const out: Segment[] = [];
    for (const output of byTask.values()) {
      if (p === undefined) for (const part of output.partitions) out.push(...part);
      else out.push(...(output.partitions[p] ?? []));
    }
    return out;
  }

  private async runTaskWithRetries(n: Node, partition: number, range: { from: number; to: number } | undefined): Promise<void> {
    let previous: TaskFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.job.isCancelRequested) return;
      try {
        const result = await this.pool.run(this.taskSpec(n, partition, attempt, range));
        this.commit(n, partition, result);
        return;
      } catch (e) {
        const failure = taskFailureOf(e);
        const decision = decideRetry(attempt, this.settings.maxTaskAttempts, failure, previous);
        if (!decision.retry) throw taskFailedError(n.id, partition, attempt, failure, decision);
        previous = failure;
        if (this.lostShuffleOutput(failure)) await this.recomputeInputs(n);
      }
    }
  }

  private tasksDone = 0;
  private nodesDone = 0;
  /** The job's "in" and "out" each committed task counted, by node and partition. */
  private readonly recordsByTask = new Map<string, { in: number; out: number }>();

  private commit(n: Node, partition: number, result: TaskResult): void {
    const progress = this.job.progress;
    // The job's "in" and "out" are counted at the pipeline's sources and sinks (core/edge_counting), only for tasks
    // that succeeded; a task run again (its shuffle output was lost) replaces its earlier figures.
    const key = `${n.id}/${partition}`;
    const before = this.recordsByTask.get(key);
    const records = { in: result.recordsIn ?? 0, out: result.recordsOut ?? 0 };
    this.recordsByTask.set(key, records);
    progress.elementsIn += records.in - (before?.in ?? 0);
    progress.elementsOut += records.out - (before?.out ?? 0);
    // Per plan node too, as the streaming driver counts: the dashboard's graph and stage table show them.
    const counts = progress.stage(n.id);
    counts.elementsIn += result.elementsIn;
    counts.elementsOut += result.elementsOut;
    this.tasksDone++;
    progress.detail = `${this.nodesDone}/${this.nodes.length} stages done, ${this.tasksDone} tasks`;
    for (const [pc, output] of Object.entries(result.outputs)) {
      let byTask = this.written.get(pc);
      if (!byTask) this.written.set(pc, (byTask = new Map()));
      // A re-run replaces what the earlier attempt wrote, so nothing is counted twice.
      byTask.set(partition, output);
    }
    addMetricResults(this.job.totals, result.metrics);
  }

  /** True when a task failed because a shuffle file it read has disappeared. */
  private lostShuffleOutput(f: TaskFailure): boolean {
    return /ENOENT/.test(f.message) && f.message.includes(this.spillDir);
  }

  /** Runs again every task that wrote what `n` reads (Spark's recomputation from lineage). */
  private async recomputeInputs(n: Node): Promise<void> {
    const producers = new Set(this.inputsOf(n).map((pc) => this.producerOf.get(pc)!));
    for (const producer of producers) {
      for (const pc of this.outputsOf(producer)) {
        for (const out of this.written.get(pc)?.values() ?? []) {
          for (const part of out.partitions) for (const s of part) if (s.kind === "file") fs.rmSync(s.path, { force: true });
        }
      }
      await this.runNode(producer);
    }
  }
}
