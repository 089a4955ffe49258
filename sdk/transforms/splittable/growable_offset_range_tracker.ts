import { OffsetRange } from "./offset_range";
import { OffsetRangeTracker } from "./offset_range_tracker";

/** Estimates where an unbounded range currently ends (e.g. a partition's end offset): for progress and splits only. */
export type RangeEndEstimator = () => number;

/**
 * Tracks an offset range whose end is not known yet (Beam's
 * `GrowableOffsetRangeTracker`): `[from, Infinity)` for a source that keeps
 * growing (a log, a partition). The estimator tells how far the data
 * currently reaches, so that the runner can split at a fraction of the work
 * that exists; a checkpoint (`trySplit(0)`) always works.
 */
export class GrowableOffsetRangeTracker extends OffsetRangeTracker {
  /**
   * A tracker of `range`, with nothing claimed yet.
   *
   * @param range the restriction, usually `new OffsetRange(start, Infinity)`.
   * @param rangeEndEstimator where the data ends now (exclusive); defaults to "unknown".
   */
  constructor(
    range: OffsetRange | { readonly from: number; readonly to: number },
    private readonly rangeEndEstimator: RangeEndEstimator = () => Infinity,
  ) {
    super(OffsetRange.of(range));
  }

  protected override estimatedEnd(): number {
    if (this.range.to !== Infinity) return this.range.to;
    const estimate = this.rangeEndEstimator();
    // The estimate may lag behind what was claimed already.
    return Math.max(estimate, this.nextUnclaimed());
  }
}
