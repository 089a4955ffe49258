/**
 * Bounds one `process` call of a splittable DoFn, as Beam's Java harness
 * bounds its calls by time and output: when the slice has ended, the next
 * claim checkpoints the restriction (the runner's own `trySplit(0)`) and
 * fails, so `process` returns and the rest waits as a residual. A runner
 * uses it to get a word in while a long restriction is processed: the
 * harness answers split requests between slices.
 */
import type { RestrictionProgress, RestrictionTracker, SplitResult } from "../../sdk/transforms/splittable/restriction_tracker";

/** When the current `process` call should stop. */
export interface ProcessSlice {
  /** True once the call has run long enough; asked before each claim. */
  ended(): boolean;
}

/** A slice of about `ms` milliseconds of processing (the clock is read every 64 claims, not at each). */
export function timeSlice(ms: number, now: () => number = Date.now): ProcessSlice {
  const end = now() + ms;
  let claims = 0;
  return { ended: () => (++claims & 63) === 0 && now() >= end };
}

/**
 * A tracker that checkpoints its restriction when `slice` ends, once at
 * least one position was claimed (so every call makes progress).
 */
export class SlicedTracker<R> implements RestrictionTracker<R> {
  /** What the slice's checkpoint split off; undefined while the call runs whole. */
  residual: R | undefined;
  private claimed = false;

  constructor(
    private readonly inner: RestrictionTracker<R>,
    private readonly slice: ProcessSlice,
  ) {}

  tryClaim(position: unknown): boolean {
    if (this.claimed && this.residual === undefined && this.slice.ended()) {
      const split = this.inner.trySplit(0);
      if (split) {
        this.residual = split.residual;
        return false;
      }
    }
    const ok = this.inner.tryClaim(position);
    if (ok) this.claimed = true;
    return ok;
  }
  currentRestriction(): R {
    return this.inner.currentRestriction();
  }
  trySplit(fractionOfRemainder: number): SplitResult<R> | undefined {
    return this.inner.trySplit(fractionOfRemainder);
  }
  checkDone(): void {
    this.inner.checkDone();
  }
  getProgress(): RestrictionProgress {
    return this.inner.getProgress();
  }
  isBounded(): boolean {
    return this.inner.isBounded();
  }
}
