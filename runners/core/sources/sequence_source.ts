/**
 * `generateSequence` as a source: which numbers are due at a given
 * processing time, so each runner paces it the same way.
 */
import type { SequenceSource } from "../../../sdk/transforms/generate_sequence";

/** A pacer's position: plain data, for offset logs and checkpoints. */
export interface SequencePosition {
  /** The next number to emit. */
  readonly next: number;
  /** The processing time pacing started at, or undefined before the first take. */
  readonly startedAt: number | undefined;
}

/** The state of one running sequence. */
export class SequencePacer {
  private next: number;
  private startedAt: number | undefined;

  /**
   * @param resumeAt where an earlier pacer of the same sequence was (its
   *   {@link position}): a runner restarting from a checkpoint continues the
   *   sequence and its pace instead of starting over.
   */
  constructor(
    private readonly spec: SequenceSource,
    resumeAt?: SequencePosition,
  ) {
    this.next = resumeAt?.next ?? spec.from;
    this.startedAt = resumeAt?.startedAt;
  }

  /** Where the sequence is: the next number and when pacing started, for checkpoints. */
  position(): SequencePosition {
    return { next: this.next, startedAt: this.startedAt };
  }

  /** True when every number has been emitted (never for an unbounded sequence). */
  get done(): boolean {
    return this.spec.to !== undefined && this.next >= this.spec.to;
  }

  /** The next number to be emitted (its timestamp will be at least the current time). */
  get nextNumber(): number {
    return this.next;
  }

  /**
   * The numbers due at processing time `now`, at most `max` of them. Without
   * a period, numbers are always due; with one, `elementsPerPeriod` become due each period.
   */
  take(now: number, max: number): number[] {
    if (this.startedAt === undefined) this.startedAt = now;
    let limit = this.spec.to ?? Number.MAX_SAFE_INTEGER;
    if (this.spec.periodMs !== undefined) {
      const periods = Math.floor((now - this.startedAt) / this.spec.periodMs) + 1;
      limit = Math.min(limit, this.spec.from + periods * (this.spec.elementsPerPeriod ?? 1));
    }
    const out: number[] = [];
    while (this.next < limit && out.length < max) out.push(this.next++);
    return out;
  }

  /** The processing time at which the next numbers become due (now when some already are). */
  nextDueTime(now: number): number {
    if (this.done) return Infinity;
    if (this.spec.periodMs === undefined || this.startedAt === undefined) return now;
    const emittedPeriods = Math.floor((this.next - this.spec.from) / (this.spec.elementsPerPeriod ?? 1));
    return Math.max(now, this.startedAt + emittedPeriods * this.spec.periodMs);
  }
}
