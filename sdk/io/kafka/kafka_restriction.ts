/**
 * The restriction of the Kafka source's splittable DoFn, and its tracker.
 *
 * A restriction is a set of partitions, each with an offset range
 * `[from, to)` (`to` is {@link UNBOUNDED_OFFSET} for a partition read for
 * ever, or the end offset for a read that stops at the end offsets). The
 * initial split gives one restriction per partition, which the runner
 * spreads over its readers; a read bounded by `maxRecords` keeps all
 * partitions in one restriction, since the bound is on their sum. A
 * restriction may also carry partition discovery: it then grows, adding the
 * partitions that appear while the job runs (Flink's partition discovery),
 * and keeps which it has seen, so a restored job neither misses nor re-adds
 * one.
 *
 * The tracker is claimed through in offset order per partition: a record's
 * offset before it is emitted, and the offsets a fetch skipped (control
 * records, aborted transactions) so a checkpoint resumes past them.
 */
import type { RestrictionProgress, RestrictionTracker, SplitResult } from "../../transforms/splittable/restriction_tracker";
import { partitionKey } from "./read_client";

/** The `to` of a partition read for ever. */
export const UNBOUNDED_OFFSET = Number.MAX_SAFE_INTEGER;

/** One partition's offsets in a restriction. */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** The Kafka source's restriction (plain data: the default restriction coder writes it). */
export interface KafkaRestriction {
  readonly partitions: readonly PartitionRange[];
  /** Present on the restriction that discovers new partitions: the partitions (keys) already read by some restriction. */
  readonly discovery?: { readonly known: readonly string[] };
  /** Records this restriction may still emit (a `maxRecords` read). */
  readonly recordsLeft?: number;
  /** When this restriction stops (a `maxReadTimeMs` read), ms since the epoch. */
  readonly readUntilMs?: number;
}

/** What `process` claims. */
export type KafkaPosition =
  /** A record at `offset` of the restriction's `index`-th partition, before it is emitted. */
  | { readonly kind: "record"; readonly index: number; readonly offset: number }
  /** Every offset below `nextOffset` of the `index`-th partition: what a fetch skipped. */
  | { readonly kind: "skip"; readonly index: number; readonly nextOffset: number }
  /** A newly discovered partition, read from `range.from` (discovery restrictions only). */
  | { readonly kind: "partition"; readonly range: PartitionRange }
  /** The end: the restriction stops where it is (a bound was reached). */
  | { readonly kind: "end" };

/** Tracks the claims on a {@link KafkaRestriction}. */
export class KafkaRestrictionTracker implements RestrictionTracker<KafkaRestriction, KafkaPosition> {
  private readonly ranges: PartitionRange[];
  /** Per partition, the first offset not claimed yet. */
  private readonly next: number[];
  private discovery: { known: string[] } | undefined;
  private recordsLeft: number | undefined;
  private readonly readUntilMs: number | undefined;

  constructor(restriction: KafkaRestriction) {
    this.ranges = restriction.partitions.map((p) => ({ ...p }));
    this.next = this.ranges.map((p) => p.from);
    this.discovery = restriction.discovery ? { known: [...restriction.discovery.known] } : undefined;
    this.recordsLeft = restriction.recordsLeft;
    this.readUntilMs = restriction.readUntilMs;
  }

  /** The first unclaimed offset of the `index`-th partition. */
  nextOffset(index: number): number {
    return this.next[index]!;
  }

  /** True when the `index`-th partition has nothing left to read. */
  partitionDone(index: number): boolean {
    return this.next[index]! >= this.ranges[index]!.to;
  }

  /** True while this restriction discovers partitions. */
  get discovering(): boolean {
    return this.discovery !== undefined;
  }

  /** The partitions (keys) some restriction already reads. */
  knownPartitions(): readonly string[] {
    return this.discovery?.known ?? [];
  }

  tryClaim(position: KafkaPosition): boolean {
    switch (position.kind) {
      case "record": {
        const { index, offset } = position;
        this.checkIndex(index);
        if (offset < this.next[index]!)
          throw new Error(`Kafka source: offset ${offset} of ${this.describe(index)} claimed after ${this.next[index]! - 1}`);
        if (offset >= this.ranges[index]!.to || this.recordsLeft === 0) return false;
        this.next[index] = offset + 1;
        if (this.recordsLeft !== undefined) this.recordsLeft--;
        return true;
      }
      case "skip": {
        const { index, nextOffset } = position;
        this.checkIndex(index);
        const range = this.ranges[index]!;
        if (this.next[index]! >= range.to) return false;
        this.next[index] = Math.max(this.next[index]!, Math.min(nextOffset, range.to));
        return true;
      }
      case "partition": {
        if (!this.discovery) return false;
        const key = partitionKey(position.range);
        if (this.discovery.known.includes(key)) return true;
        this.discovery.known.push(key);
        this.ranges.push({ ...position.range });
        this.next.push(position.range.from);
        return true;
      }
      case "end": {
        for (let i = 0; i < this.ranges.length; i++) this.ranges[i] = { ...this.ranges[i]!, to: this.next[i]! };
        this.discovery = undefined;
        this.recordsLeft = 0;
        return true;
      }
    }
  }

  currentRestriction(): KafkaRestriction {
    return this.restriction(this.ranges, this.discovery, this.recordsLeft);
  }

  private restriction(
    ranges: readonly PartitionRange[],
    discovery: { known: string[] } | undefined,
    recordsLeft: number | undefined,
  ): KafkaRestriction {
    return {
      partitions: ranges.map((r) => ({ ...r })),
      ...(discovery ? { discovery: { known: [...discovery.known] } } : {}),
      ...(recordsLeft !== undefined ? { recordsLeft } : {}),
      ...(this.readUntilMs !== undefined ? { readUntilMs: this.readUntilMs } : {}),
    };
  }

  /**
   * Fraction 0 (a checkpoint): the primary is what was claimed, the residual
   * everything after it, discovery and the record budget included. Other
   * fractions split one bounded partition's offsets, as an offset range
   * tracker does; anything else cannot be split.
   */
  trySplit(fractionOfRemainder: number): SplitResult<KafkaRestriction> | undefined {
    if (!(fractionOfRemainder >= 0 && fractionOfRemainder <= 1))
      throw new RangeError(`trySplit: fractionOfRemainder must be in [0, 1], got ${fractionOfRemainder}`);
    if (fractionOfRemainder === 0) {
      const anyLeft = this.ranges.some((r, i) => this.next[i]! < r.to) || this.discovery !== undefined;
      if (!anyLeft || this.recordsLeft === 0) return undefined;
      const residualRanges = this.ranges.map((r, i) => ({ ...r, from: this.next[i]! })).filter((r) => r.from < r.to);
      const residual = this.restriction(residualRanges, this.discovery, this.recordsLeft);
      for (let i = 0; i < this.ranges.length; i++) this.ranges[i] = { ...this.ranges[i]!, to: this.next[i]! };
      this.discovery = undefined;
      this.recordsLeft = this.recordsLeft === undefined ? undefined : 0;
      return { primary: this.currentRestriction(), residual };
    }
    if (this.ranges.length !== 1 || this.discovery || this.recordsLeft !== undefined || this.readUntilMs !== undefined) return undefined;
    const r = this.ranges[0]!;
    const start = this.next[0]!;
    if (r.to === UNBOUNDED_OFFSET || start >= r.to) return undefined;
    const splitAt = start + Math.ceil((r.to - start) * fractionOfRemainder);
    if (splitAt >= r.to) return undefined;
    const residual = this.restriction([{ ...r, from: splitAt }], undefined, undefined);
    this.ranges[0] = { ...r, to: splitAt };
    return { primary: this.currentRestriction(), residual };
  }

  checkDone(): void {
    const left = this.ranges
      .map((r, i) => (this.next[i]! < r.to ? `${this.describe(i)} from offset ${this.next[i]}` : undefined))
      .filter((x) => x !== undefined);
    if (this.discovery) left.push("partition discovery");
    if (left.length > 0) throw new Error(`Kafka source: restriction not done: ${left.join(", ")} left`);
  }

  getProgress(): RestrictionProgress {
    let completed = 0;
    let remaining = 0;
    this.ranges.forEach((r, i) => {
      completed += this.next[i]! - r.from;
      remaining += r.to === UNBOUNDED_OFFSET ? Infinity : r.to - this.next[i]!;
    });
    if (this.recordsLeft !== undefined) remaining = Math.min(remaining, this.recordsLeft);
    if (this.discovery) remaining = Infinity;
    return { workCompleted: completed, workRemaining: remaining };
  }

  isBounded(): boolean {
    if (this.discovery) return false;
    return this.recordsLeft !== undefined || this.readUntilMs !== undefined || this.ranges.every((r) => r.to !== UNBOUNDED_OFFSET);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.ranges.length)
      throw new RangeError(`Kafka source: no partition #${index} in the restriction`);
  }

  private describe(index: number): string {
    const r = this.ranges[index]!;
    return `topic '${r.topic}' partition ${r.partition}`;
  }
}
