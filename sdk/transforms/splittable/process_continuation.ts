/**
 * What a splittable DoFn's `process` returns (Beam's `ProcessContinuation`):
 * `stop()` when its restriction is done, or `resume(resumeDelayMs)` to
 * checkpoint itself: the runner splits off what was not claimed and calls
 * `process` again with it after at least `resumeDelayMs` (an unbounded
 * source returns this when no more data is available for now).
 */
export class ProcessContinuation {
  private constructor(
    /** True when the runner should call `process` again with the rest of the restriction. */
    readonly shouldResume: boolean,
    /** How long the runner waits before resuming, in ms. */
    readonly resumeDelayMs: number,
  ) {}

  private static readonly STOP = new ProcessContinuation(false, 0);

  /** The restriction is done (every position was claimed, or a claim failed). */
  static stop(): ProcessContinuation {
    return ProcessContinuation.STOP;
  }

  /** Checkpoint: process the unclaimed rest of the restriction again after `resumeDelayMs` (default 0). */
  static resume(resumeDelayMs = 0): ProcessContinuation {
    if (!(resumeDelayMs >= 0) || !Number.isFinite(resumeDelayMs))
      throw new RangeError(`ProcessContinuation.resume: resumeDelayMs must be a finite number >= 0, got ${String(resumeDelayMs)}`);
    return new ProcessContinuation(true, resumeDelayMs);
  }

  /** True for what `process` returned when it is a continuation (not an iterable of outputs). */
  static is(x: unknown): x is ProcessContinuation {
    return x instanceof ProcessContinuation;
  }
}
