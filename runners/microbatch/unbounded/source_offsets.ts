/**
 * Where each source of an unbounded job is, batch by batch: what the next
 * micro-batch reads (its offsets, written to the offset log before it runs)
 * and the watermark each source reaches with it. Replaying a logged batch
 * needs nothing but its entry, and a restarted job resumes its sources from
 * the last entry.
 *
 * - a TestStream gives one event per batch, as the direct runner applies an
 *   event only when everything before it is processed; with a TestStream,
 *   processing time is its scripted clock (0, moved by its events);
 * - a Create or an Impulse gives everything in the first batch, then its
 *   watermark is the end of time;
 * - a splittable DoFn gives the restrictions that are due at the batch's
 *   time (the initial ones first, then the residuals its tasks reported,
 *   once their resume delay is over), logged with the work not yet due; its
 *   watermark is the lowest of their watermark estimators.
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { createCount } from "../../../portability/harness/create_source";
import type { ExecutionPlan, FusedStage } from "../../../portability/plan/execution_plan";
import { testStreamEvents, type TestStreamEvent } from "../../core/sources/test_stream_events";
import type { BatchSourceSlice } from "./batch_task_spec";
import type { SplittableDoFnOperator } from "../../../portability/harness/splittable_dofn_operator";
import type { PendingWork, SplittableWorkCoders } from "../../../portability/harness/splittable_work";
import { initialSplittableWork, planningSplittableOperator, splittableSeeds } from "../../../portability/harness/splittable_seeds";
import { SplittableWorkQueue, splittableWorkCoders } from "../../core/sources/splittable_source";

/** A splittable source as the driver plans it. */
interface SplittablePlanning {
  readonly op: SplittableDoFnOperator;
  readonly coders: SplittableWorkCoders;
  readonly initial: () => PendingWork[];
}

/** `[from, to)` in at most `parts` contiguous slices (none when empty). */
function splitRange(from: number, to: number, parts: number): BatchSourceSlice[] {
  const total = to - from;
  if (total <= 0) return [];
  const count = Math.min(parts, total);
  return Array.from({ length: count }, (_, i) => ({
    kind: "range" as const,
    from: from + Math.floor((i * total) / count),
    to: from + Math.floor(((i + 1) * total) / count),
  }));
}

/** What one source gives one batch, and where it is after it. */
export type SourceOffset =
  /** Event `event` of the script (none: nothing this batch); `next` is the next event to play; `watermark` the stream's after it. */
  | { readonly kind: "testStream"; readonly event: number | null; readonly next: number; readonly watermark: number }
  /** A Create or Impulse: `emit` in the first batch only. */
  | { readonly kind: "bounded"; readonly emit: boolean; readonly total: number }
  /**
   * A splittable DoFn: the work (restrictions with their watermark estimator
   * states) the batch processes, and the work not due yet, both encoded in
   * base64 with delays relative to the batch's time; the watermark of all of
   * it; `done` once no work is left.
   */
  | { readonly kind: "splittable"; readonly due: string; readonly deferred: string; readonly watermark: number; readonly done: boolean };

/** One offset log entry: everything a batch reads, so that a replay reads exactly the same. */
export interface BatchOffsets {
  readonly batchId: number;
  /** The batch's processing time (a TestStream's scripted clock, or the wall clock when it was planned). */
  readonly processingTime: number;
  /** When the batch was due to start (wall clock), for the scheduling delay. */
  readonly scheduledAt: number;
  /** Per source stage id. */
  readonly sources: Readonly<Record<string, SourceOffset>>;
}

/** Plans batches' offsets from the sources of a plan. */
export class SourceOffsets {
  private readonly sourceStages: FusedStage[];
  private readonly events = new Map<string, TestStreamEvent[]>();
  /** True when processing time is a TestStream's script. */
  readonly scripted: boolean;
  private readonly splittable = new Map<string, SplittablePlanning>();

  constructor(
    private readonly model: PipelineModel,
    plan: ExecutionPlan,
    private readonly userCode: UserCodeSource,
    private readonly maxRecordsPerBatch: number,
  ) {
    this.sourceStages = plan.stages.filter((s) => s.root.kind !== "pcollection");
    for (const s of this.sourceStages)
      if (s.root.kind === "testStream") this.events.set(s.id, testStreamEvents(model, s.root.transformId, userCode));
    this.scripted = this.events.size > 0;
  }

  /** How the driver plans a splittable source stage (its SDF's setup runs on first use). */
  private planning(stage: FusedStage): SplittablePlanning {
    let planning = this.splittable.get(stage.id);
    if (!planning) {
      const root = stage.root as Extract<FusedStage["root"], { kind: "splittable" }>;
      const op = planningSplittableOperator(this.model, root, this.userCode);
      const seeds = splittableSeeds(this.model, root, this.userCode);
      planning = {
        op,
        coders: splittableWorkCoders(this.model, root, this.userCode),
        initial: () => initialSplittableWork(seeds, op).map((work) => ({ work, resumeAt: -Infinity })),
      };
      this.splittable.set(stage.id, planning);
    }
    return planning;
  }

  /**
   * The work a splittable source stage has left after the batch of
   * `offsets`: what was not due, and the residuals its tasks reported
   * (`residuals`, as the tasks encoded them); encoded for the commit log.
   */
  splittableWorkAfter(stageId: string, offsets: BatchOffsets, residuals: readonly string[]): string {
    const o = offsets.sources[stageId] as Extract<SourceOffset, { kind: "splittable" }>;
    const { coders } = this.planning(this.sourceStages.find((s) => s.id === stageId)!);
    const at = offsets.processingTime;
    const pending = [o.deferred, ...residuals].flatMap((b64) => SplittableWorkQueue.decode(Buffer.from(b64, "base64"), coders, at));
    return Buffer.from(
      new SplittableWorkQueue(this.planning(this.sourceStages.find((s) => s.id === stageId)!).op, pending).encode(coders, at),
    ).toString("base64");
  }

  /**
   * The offsets of the batch after `previous` (the first batch when
   * undefined), planned at wall-clock time `now`; `splittableAfter` is the
   * work splittable sources had left after `previous` (its commit).
   */
  next(
    batchId: number,
    previous: BatchOffsets | undefined,
    now: number,
    scheduledAt: number,
    splittableAfter: Readonly<Record<string, string>> = {},
  ): BatchOffsets {
    const sources: Record<string, SourceOffset> = {};
    let clock = this.scripted ? (previous?.processingTime ?? 0) : now;
    // One TestStream event per batch, from the first stream that has events left (as the direct runner plays them).
    let eventPlayed = false;
    for (const stage of this.sourceStages) {
      const root = stage.root as Exclude<FusedStage["root"], { kind: "pcollection" }>;
      const before = previous?.sources[stage.id];
      switch (root.kind) {
        case "testStream": {
          const events = this.events.get(stage.id)!;
          const prev = before as Extract<SourceOffset, { kind: "testStream" }> | undefined;
          const next = prev?.next ?? 0;
          let watermark = prev?.watermark ?? -Infinity;
          if (!eventPlayed && next < events.length) {
            eventPlayed = true;
            const event = events[next]!;
            if (event.kind === "watermark") watermark = Math.max(watermark, event.watermark);
            if (event.kind === "processingTime") clock += event.advanceMs;
            sources[stage.id] = { kind: "testStream", event: next, next: next + 1, watermark };
          } else {
            sources[stage.id] = { kind: "testStream", event: null, next, watermark };
          }
          break;
        }
        case "splittable": {
          const { op, coders, initial } = this.planning(stage);
          const left = splittableAfter[stage.id];
          const pending =
            previous === undefined || left === undefined
              ? initial()
              : SplittableWorkQueue.decode(Buffer.from(left, "base64"), coders, previous.processingTime);
          const queue = new SplittableWorkQueue(op, pending);
          const watermark = queue.watermark();
          const done = queue.done;
          const due = new SplittableWorkQueue(op, queue.takeAllDue(clock));
          sources[stage.id] = {
            kind: "splittable",
            due: Buffer.from(due.encode(coders, clock)).toString("base64"),
            deferred: Buffer.from(queue.encode(coders, clock)).toString("base64"),
            watermark,
            done,
          };
          break;
        }
        case "create":
        case "impulse": {
          const total = root.kind === "create" ? createCount(this.model, root.transformId, this.userCode) : 1;
          sources[stage.id] = { kind: "bounded", emit: before === undefined, total };
          break;
        }
      }
    }
    return { batchId, processingTime: clock, scheduledAt, sources };
  }

  /** The watermark a source stage's output reaches with `offsets`. */
  watermarkAfter(stageId: string, offsets: BatchOffsets): number {
    const o = offsets.sources[stageId]!;
    switch (o.kind) {
      case "testStream":
        return o.watermark;
      case "bounded":
        return Infinity;
      case "splittable":
        return o.watermark;
    }
  }

  /** What the tasks of source stage `stageId` emit in the batch of `offsets`: one slice per task. */
  slices(stageId: string, offsets: BatchOffsets, partitions: number): BatchSourceSlice[] {
    const o = offsets.sources[stageId]!;
    switch (o.kind) {
      case "testStream":
        return o.event !== null && this.events.get(stageId)![o.event]!.kind === "elements" ? [{ kind: "testStream", event: o.event }] : [];
      case "splittable": {
        // The due work, dealt round-robin to at most `partitions` tasks.
        const { coders, op } = this.planning(this.sourceStages.find((s) => s.id === stageId)!);
        const due = SplittableWorkQueue.decode(Buffer.from(o.due, "base64"), coders, offsets.processingTime);
        const parts: PendingWork[][] = Array.from({ length: Math.min(partitions, due.length) }, () => []);
        due.forEach((w, i) => parts[i % parts.length]!.push(w));
        return parts.map((part) => ({
          kind: "splittable" as const,
          work: Buffer.from(new SplittableWorkQueue(op, part).encode(coders, offsets.processingTime)).toString("base64"),
          maxRecords: this.maxRecordsPerBatch,
        }));
      }
      case "bounded": {
        if (!o.emit) return [];
        const root = this.sourceStages.find((s) => s.id === stageId)!.root;
        return root.kind === "impulse" ? [{ kind: "impulse" }] : splitRange(0, o.total, partitions);
      }
    }
  }

  /** True when no source will give anything after `offsets`. */
  exhausted(offsets: BatchOffsets): boolean {
    return Object.entries(offsets.sources).every(([id, o]) =>
      o.kind === "splittable" ? o.done : o.kind === "testStream" ? o.next >= this.events.get(id)!.length : true,
    );
  }

  /** True when a source of `offsets` is paced by processing time (batches then wait for their interval). */
  paced(offsets: BatchOffsets): boolean {
    return !this.scripted && !this.exhausted(offsets);
  }
}
