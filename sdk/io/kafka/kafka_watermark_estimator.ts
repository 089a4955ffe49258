/**
 * The watermark estimator of a Kafka restriction: one
 * {@link PartitionWatermark} per partition it reads (bounded
 * out-of-orderness, idleness), combined as Flink combines its split
 * watermarks.
 *
 * Idleness needs to see beyond one restriction: an idle partition must not
 * hold the watermark back, yet when every partition is idle the watermark
 * must stay where it is (not jump to the end of time). The runner takes
 * the minimum over the restrictions it reads, so a restriction whose
 * partitions are all idle reports the combined watermark of the active
 * partitions of the same read in this thread (its siblings), or its own
 * when none is active.
 */
import { MIN_TIMESTAMP } from "../../../model/time";
import type { WatermarkEstimator } from "../../transforms/splittable/watermark_estimators";
import { PartitionWatermark, type WatermarkStrategyOptions } from "./partition_watermark";

/** The checkpointed state: per partition key, the largest timestamp and the last time a record (or the start) was seen. */
export interface KafkaWatermarkState {
  readonly partitions: Readonly<Record<string, { readonly maxTimestamp: number; readonly lastActivityMs: number }>>;
}

/** The partitions of one read seen in this thread, for idle restrictions to defer to. */
class SiblingWatermarks {
  private readonly latest = new Map<string, { watermark: number; lastActivityMs: number }>();

  update(key: string, watermark: number, lastActivityMs: number): void {
    const known = this.latest.get(key);
    if (!known || known.lastActivityMs <= lastActivityMs) this.latest.set(key, { watermark, lastActivityMs });
  }

  /** The minimum over every partition seen, or undefined when none was. */
  minimum(): number | undefined {
    let min: number | undefined;
    for (const p of this.latest.values()) min = min === undefined ? p.watermark : Math.min(min, p.watermark);
    return min;
  }

  /** The minimum over partitions active at `nowMs`, or undefined when none is. */
  activeMinimum(nowMs: number, idleTimeoutMs: number): number | undefined {
    let min: number | undefined;
    for (const p of this.latest.values()) {
      if (nowMs - p.lastActivityMs >= idleTimeoutMs) continue;
      min = min === undefined ? p.watermark : Math.min(min, p.watermark);
    }
    return min;
  }
}

const siblingsByRead = new Map<string, SiblingWatermarks>();

/** The estimator of one restriction's watermark. */
export class KafkaWatermarkEstimator implements WatermarkEstimator<KafkaWatermarkState> {
  private readonly partitions = new Map<string, PartitionWatermark>();
  private readonly lastActivity = new Map<string, number>();
  private readonly siblings: SiblingWatermarks;

  /**
   * @param readId names the read (the same in every restriction of it), to find its siblings.
   * @param keys the partitions the restriction reads now.
   */
  constructor(
    readId: string,
    private readonly strategy: WatermarkStrategyOptions,
    state: KafkaWatermarkState,
    private readonly now: () => number = Date.now,
  ) {
    let siblings = siblingsByRead.get(readId);
    if (!siblings) siblingsByRead.set(readId, (siblings = new SiblingWatermarks()));
    this.siblings = siblings;
    for (const [key, s] of Object.entries(state.partitions)) this.track(key, s.maxTimestamp, s.lastActivityMs);
  }

  /** Starts tracking a partition (a new one starts its idleness clock now). */
  track(key: string, maxTimestamp = MIN_TIMESTAMP, lastActivityMs = this.now()): void {
    if (this.partitions.has(key)) return;
    this.partitions.set(key, new PartitionWatermark(this.strategy, lastActivityMs, { maxTimestamp }));
    this.lastActivity.set(key, lastActivityMs);
  }

  /** A record of partition `key` with event time `timestamp`. */
  onRecord(key: string, timestamp: number): void {
    const now = this.now();
    this.track(key);
    this.partitions.get(key)!.onRecord(timestamp, now);
    this.lastActivity.set(key, now);
  }

  currentWatermark(): number {
    const now = this.now();
    let activeMin: number | undefined;
    let ownMin = Infinity;
    for (const [key, p] of this.partitions) {
      const wm = p.watermark();
      this.siblings.update(key, wm, this.lastActivity.get(key)!);
      ownMin = Math.min(ownMin, wm);
      if (!p.isIdle(now)) activeMin = activeMin === undefined ? wm : Math.min(activeMin, wm);
    }
    if (activeMin !== undefined) return activeMin;
    if (this.partitions.size === 0) {
      // Only partition discovery, nothing found yet: hold nothing back while siblings read.
      return this.siblings.activeMinimum(now, this.strategy.idleTimeoutMs ?? Infinity) ?? this.siblings.minimum() ?? MIN_TIMESTAMP;
    }
    // Every partition here is idle: defer to the active siblings, else stay where these partitions are.
    const siblings = this.siblings.activeMinimum(now, this.strategy.idleTimeoutMs ?? Infinity);
    return siblings === undefined ? ownMin : Math.max(ownMin, siblings);
  }

  /**
   * Idle when it reads no partition yet (only discovery) or every partition has been without records for the idle
   * timeout: the runner then leaves this restriction out of the job's watermark (across subtasks too) until a
   * record comes.
   */
  isIdle(nowMs: number): boolean {
    for (const p of this.partitions.values()) if (!p.isIdle(nowMs)) return false;
    return true;
  }

  getState(): KafkaWatermarkState {
    const partitions: Record<string, { maxTimestamp: number; lastActivityMs: number }> = {};
    for (const [key, p] of this.partitions)
      partitions[key] = { maxTimestamp: p.state().maxTimestamp, lastActivityMs: this.lastActivity.get(key)! };
    return { partitions };
  }
}
