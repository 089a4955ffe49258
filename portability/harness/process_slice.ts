/**
 * Bounds one `process` call of a splittable DoFn, as Beam's Java harness
 * bounds its calls by time and output: when the slice has ended, the next
 * claim checkpoints the restriction (the runner's own `trySplit(0)`) and
 * fails, so `process` returns and the rest waits as a residual. A runner
 * uses it to get a word in while a long restriction is processed: the
 * harness answers split requests between slices.
 */
import type { RestrictionTracker } from "../../sdk/transforms/splittable/restriction_tracker";

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

/** The checkpoint a slice made, once it made one. */
export interface SliceCheckpoint<R> {
  /** What the slice's checkpoint split off; undefined while the call runs whole. */
  readonly residual: R | undefined;
}

/**
 * Makes `tracker` checkpoint its restriction when `slice` ends, once at
 * least one position was claimed (so every call makes progress). The
 * tracker's own `tryClaim` is wrapped in place: it keeps its class and any
 * methods of its own that the DoFn calls (a tracker is made for each call).
 */
export function sliceTracker<R>(tracker: RestrictionTracker<R>, slice: ProcessSlice): SliceCheckpoint<R> {
  const claim = tracker.tryClaim.bind(tracker);
  const checkpoint: { residual: R | undefined } = { residual: undefined };
  let claimed = false;
  tracker.tryClaim = (position: unknown): boolean => {
    if (claimed && checkpoint.residual === undefined && slice.ended()) {
      const split = tracker.trySplit(0);
      if (split) {
        checkpoint.residual = split.residual;
        return false;
      }
    }
    const ok = claim(position);
    if (ok) claimed = true;
    return ok;
  };
  return checkpoint;
}
