/**
 * Where each source of an unbounded job is, batch by batch: what the next
 * micro-batch reads (its offsets, written to the offset log before it runs)
 * and the watermark each source reaches with it. Replaying a logged batch
 * needs nothing but its entry, and a restarted job resumes its sources from
 * the last entry.
 *
 * - a sequence gives the numbers due at the batch's time (its pace), at most
 *   `maxRecordsPerBatch`, stamped with the batch's time, which is also its
 *   watermark;
 * - a TestStream gives one event per batch, as the direct runner applies an
 *   event only when everything before it is processed; with a TestStream,
 *   processing time is its scripted clock (0, moved by its events);
 * - a Create or an Impulse gives everything in the first batch, then its
 *   watermark is the end of time.
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { asCreateSource } from "../../../portability/harness/create_source";
import type { ExecutionPlan, FusedStage } from "../../../portability/plan/execution_plan";
import { SequencePacer } from "../../core/sources/sequence_source";
import { testStreamEvents, type TestStreamEvent } from "../../core/sources/test_stream_events";
import type { SequenceSource } from "../../../sdk/transforms/generate_sequence";
import type { BatchSourceSlice } from "./batch_task_spec";

/** `[from, to)` in at most `parts` contiguous slices (none when empty). */
function splitRange(from: number, to: number, parts: number, timestamp: number): BatchSourceSlice[] {
  const total = to - from;
  if (total <= 0) return [];
  const count = Math.min(parts, total);
  return Array.from({ length: count }, (_, i) => ({
    kind: "range" as const,
    from: from + Math.floor((i * total) / count),
    to: from + Math.floor(((i + 1) * total) / count),
    timestamp,
  }));
}

/** What one source gives one batch, and where it is after it. */
export type SourceOffset =
  /** Numbers `[from, to)`; `startedAt` is when pacing started; `done` once a bounded sequence is exhausted. */
  | {
      readonly kind: "sequence";
      readonly from: number;
      readonly to: number;
      readonly startedAt: number | undefined;
      readonly done: boolean;
    }
  /** Event `event` of the script (none: nothing this batch); `next` is the next event to play; `watermark` the stream's after it. */
  | { readonly kind: "testStream"; readonly event: number | null; readonly next: number; readonly watermark: number }
  /** A Create or Impulse: `emit` in the first batch only. */
  | { readonly kind: "bounded"; readonly emit: boolean; readonly total: number };

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

  /** The offsets of the batch after `previous` (the first batch when undefined), planned at wall-clock time `now`. */
  next(batchId: number, previous: BatchOffsets | undefined, now: number, scheduledAt: number): BatchOffsets {
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
        case "sequence": {
          const spec = this.userCode.lookup(this.model.doFnPayload(root.transformId).ref) as SequenceSource;
          const prev = before as Extract<SourceOffset, { kind: "sequence" }> | undefined;
          const pacer = new SequencePacer(spec, prev ? { next: prev.to, startedAt: prev.startedAt } : undefined);
          const taken = pacer.take(clock, this.maxRecordsPerBatch);
          const from = prev?.to ?? spec.from;
          sources[stage.id] = { kind: "sequence", from, to: from + taken.length, startedAt: pacer.position().startedAt, done: pacer.done };
          break;
        }
        case "create":
        case "impulse": {
          const total =
            root.kind === "create"
              ? asCreateSource(this.userCode.lookup(this.model.doFnPayload(root.transformId).ref), root.transformId).values.length
              : 1;
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
      case "sequence":
        return o.done ? Infinity : offsets.processingTime;
      case "testStream":
        return o.watermark;
      case "bounded":
        return Infinity;
    }
  }

  /** What the tasks of source stage `stageId` emit in the batch of `offsets`: one slice per task. */
  slices(stageId: string, offsets: BatchOffsets, partitions: number): BatchSourceSlice[] {
    const o = offsets.sources[stageId]!;
    switch (o.kind) {
      case "testStream":
        return o.event !== null && this.events.get(stageId)![o.event]!.kind === "elements" ? [{ kind: "testStream", event: o.event }] : [];
      case "sequence":
        return splitRange(o.from, o.to, partitions, offsets.processingTime);
      case "bounded": {
        if (!o.emit) return [];
        const root = this.sourceStages.find((s) => s.id === stageId)!.root;
        return root.kind === "impulse" ? [{ kind: "impulse" }] : splitRange(0, o.total, partitions, offsets.processingTime);
      }
    }
  }

  /** True when no source will give anything after `offsets`. */
  exhausted(offsets: BatchOffsets): boolean {
    return Object.entries(offsets.sources).every(([id, o]) =>
      o.kind === "sequence" ? o.done : o.kind === "testStream" ? o.next >= this.events.get(id)!.length : true,
    );
  }

  /** True when a source of `offsets` is paced by processing time (batches then wait for their interval). */
  paced(offsets: BatchOffsets): boolean {
    return !this.scripted && !this.exhausted(offsets);
  }
}
