/**
 * The restriction of `generateSequence`'s splittable DoFn: the numbers left
 * (an offset range, without end for an unbounded sequence) and when the
 * sequence's pacing started, so that a resumed or restored part keeps the
 * pace of the whole sequence instead of starting it over.
 */
import { OffsetRange } from "../splittable/offset_range";
import { GrowableOffsetRangeTracker } from "../splittable/growable_offset_range_tracker";
import type { RestrictionProgress, RestrictionTracker, SplitResult } from "../splittable/restriction_tracker";

/** The numbers `[from, to)` of a sequence (`to` is Infinity when unbounded); plain data, for checkpoints and offset logs. */
export interface SequenceRange {
  readonly from: number;
  readonly to: number;
  /** The processing time the sequence's pacing started at; absent before its first number. */
  readonly startedAt?: number;
}

/** Claims the numbers of a {@link SequenceRange}; its splits keep the pacing start. */
export class SequenceRangeTracker implements RestrictionTracker<SequenceRange, number> {
  private readonly offsets: GrowableOffsetRangeTracker;
  private startedAt: number | undefined;

  constructor(range: SequenceRange) {
    this.offsets = new GrowableOffsetRangeTracker(new OffsetRange(range.from, range.to));
    this.startedAt = range.startedAt;
  }

  /** When pacing started: `now` if it had not started yet (the first call of the sequence). */
  startPacing(now: number): number {
    this.startedAt ??= now;
    return this.startedAt;
  }

  tryClaim(n: number): boolean {
    return this.offsets.tryClaim(n);
  }

  currentRestriction(): SequenceRange {
    return this.withStart(this.offsets.currentRestriction());
  }

  trySplit(fractionOfRemainder: number): SplitResult<SequenceRange> | undefined {
    const split = this.offsets.trySplit(fractionOfRemainder);
    return split && { primary: this.withStart(split.primary), residual: this.withStart(split.residual) };
  }

  checkDone(): void {
    this.offsets.checkDone();
  }

  getProgress(): RestrictionProgress {
    return this.offsets.getProgress();
  }

  isBounded(): boolean {
    return this.offsets.isBounded();
  }

  private withStart(range: OffsetRange): SequenceRange {
    return this.startedAt === undefined
      ? { from: range.from, to: range.to }
      : { from: range.from, to: range.to, startedAt: this.startedAt };
  }
}
