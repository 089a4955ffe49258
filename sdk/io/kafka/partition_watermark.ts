/**
 * A watermark per Kafka partition with the semantics of Flink's
 * `WatermarkStrategy.forBoundedOutOfOrderness(maxOutOfOrderness)
 * .withIdleness(idleTimeout)`:
 *
 * - bounded out-of-orderness: after a record with timestamp `t`, records as
 *   old as `t - maxOutOfOrdernessMs` are still expected, so the watermark is
 *   the largest timestamp seen minus the bound, minus 1 ms (Flink's
 *   `BoundedOutOfOrdernessWatermarks`); it never goes back;
 * - idleness: a partition that has had no record for `idleTimeoutMs` of
 *   processing time is idle and does not hold the combined watermark back
 *   (Flink's `WatermarksWithIdleness`); its next record makes it active
 *   again (that record may then be late, as in Flink).
 *
 * The watermark of a set of partitions is the minimum over the active ones;
 * when every partition is idle it stays where it was. A partition that has
 * seen no record yet holds the watermark at the minimum until it is idle.
 */
import { MIN_TIMESTAMP } from "../../../model/time";

/** The watermark strategy's parameters, as `mr.io.kafka.read` takes them. */
export interface WatermarkStrategyOptions {
  /** How much older than the newest record seen a later record may be and still be on time. Default 0. */
  readonly maxOutOfOrdernessMs?: number;
  /** Processing time without records after which a partition no longer holds the watermark back. Default: never idle. */
  readonly idleTimeoutMs?: number;
}

/** Serializable state of one partition's watermark, kept with the partition's offset in checkpoints. */
export interface PartitionWatermarkState {
  /** The largest record timestamp seen, or MIN_TIMESTAMP before the first record. */
  readonly maxTimestamp: number;
}

/** One partition's watermark generator. */
export class PartitionWatermark {
  private maxTimestamp: number;
  private lastActivityMs: number;

  /** `nowMs` starts the idleness clock; `state` restores a checkpointed generator. */
  constructor(
    private readonly options: WatermarkStrategyOptions,
    nowMs: number,
    state?: PartitionWatermarkState,
  ) {
    this.maxTimestamp = state?.maxTimestamp ?? MIN_TIMESTAMP;
    this.lastActivityMs = nowMs;
  }

  /** Records a record's event time, read at processing time `nowMs`. */
  onRecord(timestamp: number, nowMs: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.lastActivityMs = nowMs;
  }

  /** The partition's own watermark (it ignores idleness). */
  watermark(): number {
    if (this.maxTimestamp === MIN_TIMESTAMP) return MIN_TIMESTAMP;
    return Math.max(MIN_TIMESTAMP, this.maxTimestamp - (this.options.maxOutOfOrdernessMs ?? 0) - 1);
  }

  /** True when the partition has been without records for the idle timeout at `nowMs`. */
  isIdle(nowMs: number): boolean {
    const timeout = this.options.idleTimeoutMs;
    return timeout !== undefined && nowMs - this.lastActivityMs >= timeout;
  }

  /** What a checkpoint keeps. */
  state(): PartitionWatermarkState {
    return { maxTimestamp: this.maxTimestamp };
  }
}

/**
 * The watermark over several partitions (Flink's `WatermarkOutputMultiplexer`
 * combining): the minimum over the partitions that are not idle, never going
 * back; `undefined` while every partition is idle and nothing was emitted.
 */
export class CombinedWatermark {
  private emitted = MIN_TIMESTAMP;

  /** The combined watermark at `nowMs`. */
  current(partitions: Iterable<PartitionWatermark>, nowMs: number): number {
    let min = Infinity;
    for (const p of partitions) {
      if (p.isIdle(nowMs)) continue;
      min = Math.min(min, p.watermark());
    }
    if (min !== Infinity && min > this.emitted) this.emitted = min;
    return this.emitted;
  }
}
