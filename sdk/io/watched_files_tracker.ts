/**
 * The restriction of a directory watch (after Beam's `Watch` growth
 * tracker): the files seen so far, and whether the watch is over. A poll
 * claims each new file; a checkpoint (`trySplit(0)`) leaves the current call
 * with what it claimed (finished) and the rest of the watch with every file
 * seen so far, so a file is emitted once even across restarts: the seen set
 * is in the checkpointed restriction.
 */
import type { RestrictionProgress, RestrictionTracker, SplitResult } from "../transforms/splittable/restriction_tracker";

/** What a watch has done: plain data, checkpointed with the job. */
export interface WatchRestriction {
  /** Paths already emitted, sorted. */
  readonly seen: readonly string[];
  /** Wall-clock time the watch started at (for `stopAfterMs`). */
  readonly startedAt: number;
  /** True once this part of the watch will claim nothing more. */
  readonly done: boolean;
}

/** What a watch claims: a new file's path, or the end of the watch. */
export type WatchPosition =
  | {
      /** The path of a new file. */
      readonly file: string;
    }
  | {
      /** The end of the watch. */
      readonly end: true;
    };

/** Tracks the files one poll claims. */
export class WatchedFilesTracker implements RestrictionTracker<WatchRestriction, WatchPosition> {
  private readonly seen: Set<string>;
  private readonly claimed: string[] = [];
  private ended = false;
  private split = false;

  /** A tracker of one poll of the watch `restriction`. */
  constructor(private readonly restriction: WatchRestriction) {
    this.seen = new Set(restriction.seen);
  }

  /** True when `path` was already emitted by this watch. */
  hasSeen(path: string): boolean {
    return this.seen.has(path);
  }

  tryClaim(position: WatchPosition): boolean {
    if (this.restriction.done || this.ended || this.split) return false;
    if ("end" in position) {
      this.ended = true;
      return true;
    }
    if (this.seen.has(position.file)) throw new Error(`WatchedFilesTracker: '${position.file}' was already claimed`);
    this.seen.add(position.file);
    this.claimed.push(position.file);
    return true;
  }

  currentRestriction(): WatchRestriction {
    return { ...this.restriction, seen: [...this.seen].sort(), done: this.restriction.done || this.ended || this.split };
  }

  trySplit(fractionOfRemainder: number): SplitResult<WatchRestriction> | undefined {
    // Only a checkpoint can split a watch: what is left is the future.
    if (fractionOfRemainder !== 0 || this.restriction.done || this.ended || this.split) return undefined;
    this.split = true;
    const seen = [...this.seen].sort();
    return { primary: { ...this.restriction, seen, done: true }, residual: { ...this.restriction, seen, done: false } };
  }

  checkDone(): void {
    if (!this.restriction.done && !this.ended && !this.split)
      throw new Error(`the watch is not over: claim { end: true } to end it, or resume`);
  }

  getProgress(): RestrictionProgress {
    return { workCompleted: this.seen.size, workRemaining: this.restriction.done || this.ended ? 0 : Infinity };
  }

  isBounded(): boolean {
    return this.restriction.done || this.ended;
  }
}
