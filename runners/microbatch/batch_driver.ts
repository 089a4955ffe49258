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
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import type { PipelineModel } from "../../portability/pipeline_model";
import { IsBounded } from "../../portability/proto/messages";
import { asCreateSource } from "../../portability/harness/create_source";
import type { UserCodeSource } from "../../portability/user_code/user_code_source";
import { PipelineExecutionError } from "../../sdk/pipeline_result";
import type { SequenceSource } from "../../sdk/transforms/generate_sequence";
import { shuffleInputs, type ExecutionPlan, type FusedStage, type ShuffleNode } from "../core/execution_plan";
import type { JobHandle } from "../core/job_handle";
import { addMetricResults } from "../../portability/harness/metrics_container";
import { isStatefulParDo } from "../core/state/state_cell_specs";
import type { ShuffleOutput, Segment } from "./shuffle/shuffle_output";
import { createSpillDir, removeSpillDir } from "./shuffle/spill_dir";
import type { ExecutorPool } from "./executor_pool";
import type { Partitioner } from "./partitioning";
import type { MicrobatchSettings } from "./microbatch_flags";
import type { TaskFailure, TaskResult, TaskSpec } from "./task_spec";

type Node = { kind: "stage"; id: string; stage: FusedStage } | { kind: "shuffle"; id: string; shuffle: ShuffleNode };

/** A task that failed for good: its message names the stage, the task and the transform. */
class TaskFailedError extends PipelineExecutionError {}

/** Runs one bounded job on the executor pool. */
export class BatchDriver {
  private readonly jobId = randomUUID();
  private readonly nodes: Node[];
  private readonly partitionerOf = new Map<string, Partitioner>();
  /** What each task of a node wrote, by PCollection: the blocks of finished PCollections. */
  private readonly written = new Map<string, Map<number, ShuffleOutput>>();
  private readonly producerOf = new Map<string, Node>();
  private spillDir = "";

  constructor(
    private readonly model: PipelineModel,
    private readonly plan: ExecutionPlan,
    private readonly pipelineProto: Uint8Array,
    private readonly userCode: UserCodeSource,
    private readonly settings: MicrobatchSettings,
    private readonly job: JobHandle,
    private readonly pool: ExecutorPool,
  ) {
    this.nodes = [
      ...plan.stages.map((stage): Node => ({ kind: "stage", id: stage.id, stage })),
      ...plan.shuffles.map((shuffle): Node => ({ kind: "shuffle", id: shuffle.transformId, shuffle })),
    ];
    for (const n of this.nodes) for (const pc of this.outputsOf(n)) this.producerOf.set(pc, n);
    this.planPartitioning();
  }

  /** Runs every node; resolves when done or cancelled. */
  async run(): Promise<void> {
    for (const [id, pc] of Object.entries(this.model.components.pcollections)) {
      if (pc.isBounded === IsBounded.UNBOUNDED) {
        throw new Error(`${id} is unbounded: --runner=microbatch runs bounded pipelines only so far (micro-batches of unbounded input are not implemented yet)`);
      }
    }
    this.spillDir = createSpillDir();
    this.pool.addJob(this.jobId, this.pipelineProto);
    try {
      await this.prepare();
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
    } finally {
      this.pool.forgetJob(this.jobId);
      try {
        removeSpillDir(this.spillDir);
      } catch {
        // Best effort: never hide the job's own outcome behind a clean-up error.
      }
    }
  }

  /** Has an executor load the job's code first: a pipeline it cannot rebuild fails now, before any task. */
  private async prepare(): Promise<void> {
    const spec: TaskSpec = {
      jobId: this.jobId,
      nodeId: "(prepare)",
      nodeKind: "prepare",
      partition: 0,
      partitions: this.settings.partitions,
      attempt: 1,
      inputs: {},
      sideInputs: {},
      outputs: {},
      memoryBudgetBytes: this.settings.executorMemoryBytes,
      spillDir: this.spillDir,
    };
    try {
      await this.pool.run(spec);
    } catch (e) {
      const first = this.model.firstUserTransform();
      const message = e instanceof Error ? e.message : (e as TaskFailure).message;
      throw new PipelineExecutionError(
        `the pipeline's code cannot be loaded on the executors (first user transform: '${first}'): ${message}\n` +
          `(executors load the module that builds the pipeline again: build it in a script, or with mr.definePipeline at the top level of a module)`,
        {
          transform: first,
        },
      );
    }
  }

  // ---- planning ----

  /** Every materialized PCollection is partitioned by key when a grouping or keyed stage reads it. */
  private planPartitioning(): void {
    const keyed = new Set<string>();
    for (const s of this.plan.shuffles) if (s.kind === "groupByKey" || s.kind === "combine") keyed.add(s.input);
    for (const st of this.plan.stages) {
      const first = st.steps[0];
      if (st.root.kind === "pcollection" && first?.kind === "pardo" && isStatefulParDo(this.model, first.transformId)) keyed.add(st.root.pcollection);
    }
    for (const n of this.nodes) {
      for (const pc of this.outputsOf(n)) this.partitionerOf.set(pc, keyed.has(pc) ? "key" : "roundRobin");
    }
  }

  private outputsOf(n: Node): readonly string[] {
    return n.kind === "stage" ? n.stage.materialized : [n.shuffle.output];
  }

  private inputsOf(n: Node): readonly string[] {
    if (n.kind === "shuffle") return shuffleInputs(n.shuffle);
    return [...(n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : []), ...n.stage.sideInputs];
  }

  /** The tasks of a node: one per partition, or per source split. */
  private taskCount(n: Node): { count: number; ranges?: { from: number; to: number }[] } {
    if (n.kind === "shuffle") return { count: this.settings.partitions };
    const root = n.stage.root;
    if (root.kind === "impulse") return { count: 1 };
    if (root.kind === "create" || root.kind === "sequence") {
      const total =
        root.kind === "create"
          ? asCreateSource(this.userCode.lookup(this.model.doFnPayload(root.transformId).ref), root.transformId).values.length
          : (() => {
              const s = this.userCode.lookup(this.model.doFnPayload(root.transformId).ref) as SequenceSource;
              return s.to! - s.from;
            })();
      const count = Math.max(1, Math.min(this.settings.partitions, total));
      const ranges = Array.from({ length: count }, (_, i) => ({ from: Math.floor((i * total) / count), to: Math.floor(((i + 1) * total) / count) }));
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
    const mainInputs = n.kind === "shuffle" ? shuffleInputs(n.shuffle) : n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : [];
    for (const pc of mainInputs) inputs[pc] = this.segments(pc, partition);
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
    let failure: TaskFailure | undefined;
    for (let attempt = 1; attempt <= this.settings.maxTaskAttempts; attempt++) {
      if (this.job.isCancelRequested) return;
      try {
        const result = await this.pool.run(this.taskSpec(n, partition, attempt, range));
        this.commit(n, partition, result);
        return;
      } catch (e) {
        failure = e instanceof Error ? { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } : (e as TaskFailure);
        if (this.lostShuffleOutput(failure)) await this.recomputeInputs(n);
      }
    }
    const where = `stage '${n.id}' task ${partition} failed ${this.settings.maxTaskAttempts} time(s)`;
    throw new TaskFailedError(`${where}: ${failure!.message}`, {
      ...(failure!.transform ? { transform: failure!.transform } : {}),
      ...(failure!.element ? { element: failure!.element } : {}),
      cause: failure!.cause
        ? Object.assign(new Error(failure!.cause.message), { name: failure!.cause.name, stack: failure!.cause.stack })
        : Object.assign(new Error(failure!.message), { stack: failure!.stack }),
    });
  }

  private tasksDone = 0;
  private nodesDone = 0;

  private commit(n: Node, partition: number, result: TaskResult): void {
    const progress = this.job.progress;
    progress.elementsIn += result.elementsIn;
    progress.elementsOut += result.elementsOut;
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
