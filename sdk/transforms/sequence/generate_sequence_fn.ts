/**
 * `generateSequence` as a splittable DoFn (Beam's `GenerateSequence` over
 * its `CountingSource`): a bounded sequence is an offset range split into
 * parts that runners read in parallel; an unbounded one is a range without
 * end that checkpoints itself (`ProcessContinuation.resume`) until its next
 * numbers are due. Numbers are stamped with the processing time they are
 * emitted at, and the watermark follows the wall clock.
 */
import type { SplittableDoFnObject, SplittableProcessContext } from "../splittable/splittable_dofn";
import { OffsetRange } from "../splittable/offset_range";
import { ProcessContinuation } from "../splittable/process_continuation";
import { WallTimeWatermarkEstimator, type WatermarkEstimator } from "../splittable/watermark_estimators";
import { SequenceRangeTracker, type SequenceRange } from "./sequence_range_tracker";
import type { GenerateSequenceOptions } from "../generate_sequence";

/** How many numbers one call emits at most, so a fast sequence still yields to checkpoints and batches. */
export const MAX_NUMBERS_PER_CALL = 256;

/** How many parts a bounded, unpaced sequence is split into at most (each runner deals them to its readers). */
const INITIAL_PARTS = 16;

/** The splittable DoFn behind `generateSequence`: reads from an Impulse. */
export class GenerateSequenceFn implements SplittableDoFnObject<Uint8Array, number, SequenceRange, number> {
  readonly boundedness: "bounded" | "unbounded";

  /**
   * @param spec the validated options of `generateSequence`.
   * @param clock processing time (ms): a test steps it to check the pace.
   */
  constructor(
    private readonly spec: GenerateSequenceOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.boundedness = spec.to === undefined ? "unbounded" : "bounded";
  }

  /** All the numbers; a paced sequence's pace starts now, so that parts split off before their first call keep it too. */
  initialRestriction(): SequenceRange {
    const range = { from: this.spec.from, to: this.spec.to ?? Infinity };
    return this.spec.periodMs === undefined ? range : { ...range, startedAt: this.clock() };
  }

  /**
   * A bounded sequence is split into contiguous parts for parallel reading
   * (every reader keeps work, so none finishes early); paced parts share the
   * start of the pace, and each number is due at its time in the whole
   * sequence's schedule, so together they keep the sequence's rate.
   */
  splitRestriction(_: Uint8Array, range: SequenceRange): SequenceRange[] {
    if (range.to === Infinity || range.to === range.from) return [range];
    const size = range.to - range.from;
    return new OffsetRange(range.from, range.to)
      .split(Math.ceil(size / INITIAL_PARTS))
      .map((r) => (range.startedAt === undefined ? { from: r.from, to: r.to } : { from: r.from, to: r.to, startedAt: range.startedAt }));
  }

  newTracker(range: SequenceRange): SequenceRangeTracker {
    return new SequenceRangeTracker(range);
  }

  newWatermarkEstimator(state: number): WatermarkEstimator<number> {
    return new WallTimeWatermarkEstimator(state);
  }

  process(_: Uint8Array, ctx: SplittableProcessContext<number, SequenceRange, number>): ProcessContinuation {
    const tracker = ctx.tracker as SequenceRangeTracker;
    const now = this.clock();
    const startedAt = tracker.startPacing(now);
    const first = tracker.currentRestriction().from;
    const limit = Math.min(first + MAX_NUMBERS_PER_CALL, this.dueBefore(now, startedAt));
    let n = first;
    for (; n < limit; n++) {
      if (!tracker.tryClaim(n)) return ProcessContinuation.stop();
      ctx.outputWithTimestamp(n, now);
    }
    if (n >= tracker.currentRestriction().to) {
      tracker.tryClaim(n);
      return ProcessContinuation.stop();
    }
    return ProcessContinuation.resume(Math.max(0, this.dueAt(n, startedAt) - now));
  }

  /** One past the last number due at `now`: `elementsPerPeriod` become due each period from `startedAt`. */
  private dueBefore(now: number, startedAt: number): number {
    const { from, periodMs, elementsPerPeriod = 1 } = this.spec;
    if (periodMs === undefined) return Infinity;
    return from + (Math.floor((now - startedAt) / periodMs) + 1) * elementsPerPeriod;
  }

  /** The processing time number `n` becomes due at. */
  private dueAt(n: number, startedAt: number): number {
    const { from, periodMs, elementsPerPeriod = 1 } = this.spec;
    if (periodMs === undefined) return startedAt;
    return startedAt + Math.floor((n - from) / elementsPerPeriod) * periodMs;
  }
}
