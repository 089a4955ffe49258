/**
 * The contract between a splittable DoFn and the runner for one restriction
 * (Beam's `RestrictionTracker`): the DoFn claims positions before it does
 * the work at them; the runner may split the rest off at any time, for
 * parallelism or to checkpoint.
 */

/** A restriction cut in two: what the current call keeps, and what is left for later. */
export interface SplitResult<R> {
  /** What the current `process` call goes on with. */
  readonly primary: R;
  /** The rest, to be processed later (or elsewhere). */
  readonly residual: R;
}

/** How far a tracker has come, in units of its choosing (offsets, bytes). */
export interface RestrictionProgress {
  /** Work done so far. */
  readonly workCompleted: number;
  /** Work left (`Infinity` when unknown and unbounded). */
  readonly workRemaining: number;
}

/**
 * Tracks the claims of one `process` call on one restriction.
 *
 * - `tryClaim(position)` before doing the work at `position`; when it
 *   returns false, `process` must return without doing that work.
 * - `trySplit(fraction)` cuts off the part of the remaining work after
 *   `fraction` of it (0: everything not yet claimed, which is how a runner
 *   checkpoints); returns undefined when nothing can be split off.
 * - `checkDone()` throws when a part of the restriction was neither claimed
 *   nor split off: a `process` call that returns without `resume()` must
 *   have finished its restriction.
 */
export interface RestrictionTracker<R, P = unknown> {
  /** Claims `position`; false means "stop here: the rest is not yours". */
  tryClaim(position: P): boolean;
  /** The restriction as it stands (after splits, it is the primary). */
  currentRestriction(): R;
  /** Splits off the work after `fractionOfRemainder` of what is left; undefined when it cannot. */
  trySplit(fractionOfRemainder: number): SplitResult<R> | undefined;
  /** Throws, saying what is left, unless all of the restriction has been claimed (or split off). */
  checkDone(): void;
  /** Work done and left, for the runner's split decisions and progress reports. */
  getProgress(): RestrictionProgress;
  /** True when the restriction is finite (an unbounded source's is not). */
  isBounded(): boolean;
}
