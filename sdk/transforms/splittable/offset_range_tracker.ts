import { OffsetRange } from "./offset_range";
import type { RestrictionProgress, RestrictionTracker, SplitResult } from "./restriction_tracker";

/**
 * Tracks claims of offsets in an {@link OffsetRange} (Beam's
 * `OffsetRangeTracker`): offsets are claimed in increasing order; claiming
 * `to` or beyond fails (the range is done). With `to = Infinity` the range
 * is unbounded: use {@link GrowableOffsetRangeTracker} for a better
 * estimate of the work left.
 */
export class OffsetRangeTracker implements RestrictionTracker<OffsetRange, number> {
  protected range: OffsetRange;
  /** The last offset claimed, undefined before the first claim. */
  protected lastClaimed: number | undefined;
  /** The last offset a claim was attempted at (claimed or not). */
  protected lastAttempted: number | undefined;

  /**
   * A tracker of `range`, with nothing claimed yet.
   *
   * @param range the restriction; a plain `{ from, to }` is accepted too.
   */
  constructor(range: OffsetRange | { readonly from: number; readonly to: number }) {
    this.range = OffsetRange.of(range);
  }

  tryClaim(offset: number): boolean {
    if (typeof offset !== "number" || Number.isNaN(offset)) throw new TypeError(`OffsetRangeTracker: cannot claim ${String(offset)}`);
    if (this.lastAttempted !== undefined && offset <= this.lastAttempted) {
      throw new Error(`OffsetRangeTracker: offsets must be claimed in increasing order: ${offset} after ${this.lastAttempted}`);
    }
    if (offset < this.range.from) throw new Error(`OffsetRangeTracker: offset ${offset} is before the range ${this.range.toString()}`);
    this.lastAttempted = offset;
    if (offset >= this.range.to) return false;
    this.lastClaimed = offset;
    return true;
  }

  currentRestriction(): OffsetRange {
    return this.range;
  }

  /** The first offset not yet claimed (or attempted). */
  protected nextUnclaimed(): number {
    return this.lastAttempted === undefined ? this.range.from : this.lastAttempted + 1;
  }

  /** The end the remaining work is estimated to reach (the range's end when bounded). */
  protected estimatedEnd(): number {
    return this.range.to;
  }

  trySplit(fractionOfRemainder: number): SplitResult<OffsetRange> | undefined {
    if (!(fractionOfRemainder >= 0 && fractionOfRemainder <= 1))
      throw new RangeError(`trySplit: fractionOfRemainder must be in [0, 1], got ${String(fractionOfRemainder)}`);
    const start = this.nextUnclaimed();
    if (start >= this.range.to) return undefined;
    let splitAt: number;
    if (fractionOfRemainder === 0) splitAt = start;
    else {
      const end = this.estimatedEnd();
      if (!Number.isFinite(end)) return undefined;
      splitAt = start + Math.ceil((end - start) * fractionOfRemainder);
      if (splitAt >= this.range.to) return undefined;
    }
    const residual = new OffsetRange(splitAt, this.range.to);
    this.range = new OffsetRange(this.range.from, splitAt);
    return { primary: this.range, residual };
  }

  checkDone(): void {
    const next = this.nextUnclaimed();
    if (this.range.from === this.range.to) return;
    if (next < this.range.to) {
      const claimed = this.lastAttempted === undefined ? "nothing was claimed" : `the last offset attempted was ${this.lastAttempted}`;
      throw new Error(
        `the restriction ${this.range.toString()} is not done: ${claimed}, and [${next}, ${this.range.to === Infinity ? "inf" : this.range.to}) is left`,
      );
    }
  }

  getProgress(): RestrictionProgress {
    const next = this.nextUnclaimed();
    const end = this.estimatedEnd();
    return { workCompleted: Math.max(0, next - this.range.from), workRemaining: Math.max(0, end - next) };
  }

  isBounded(): boolean {
    return this.range.to !== Infinity;
  }
}
