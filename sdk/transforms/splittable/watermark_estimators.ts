/**
 * Watermark estimators of a splittable DoFn (Beam's `WatermarkEstimator`):
 * how the output watermark of an SDF is computed while it reads. Each has a
 * plain-data state that the runner checkpoints with the restriction and
 * gives back to `newWatermarkEstimator` on restore, so the watermark never
 * starts over after a restart.
 */
import { MIN_TIMESTAMP } from "../../../model/time";

/** Computes the watermark of one restriction's outputs. */
export interface WatermarkEstimator<S = unknown> {
  /** No output of this restriction will be earlier than this (ms since the epoch). */
  currentWatermark(): number;
  /** The state to checkpoint: plain data (numbers, strings, arrays, plain objects). */
  getState(): S;
  /** Called by the runner with each output's timestamp, before it is emitted. */
  observeTimestamp?(timestamp: number): void;
  /**
   * True when the restriction has nothing to read at processing time `nowMs` and its watermark must not hold the
   * job's back (Flink's idle source: e.g. Kafka partitions without records for the idle timeout). A runner then
   * leaves it out of the minimum while other readers are active. Absent: never idle.
   */
  isIdle?(nowMs: number): boolean;
}

/** The watermark is what the DoFn says it is, with `setWatermark` (Beam's `Manual`); it never moves back. */
export class ManualWatermarkEstimator implements WatermarkEstimator<number> {
  private watermark: number;
  /**
   * An estimator restored from its state.
   *
   * @param state the watermark to start from (default: the beginning of time).
   */
  constructor(state: number = MIN_TIMESTAMP) {
    this.watermark = state;
  }
  /** Moves the watermark to `timestamp` (ignored when it is behind the current one). */
  setWatermark(timestamp: number): void {
    if (typeof timestamp !== "number" || Number.isNaN(timestamp))
      throw new TypeError(`setWatermark: expected a timestamp, got ${String(timestamp)}`);
    if (timestamp > this.watermark) this.watermark = timestamp;
  }
  currentWatermark(): number {
    return this.watermark;
  }
  getState(): number {
    return this.watermark;
  }
}

/** The watermark is the latest output timestamp so far (Beam's `MonotonicallyIncreasing`): for sources that emit in time order. */
export class MonotonicallyIncreasingWatermarkEstimator implements WatermarkEstimator<number> {
  private watermark: number;
  /**
   * An estimator restored from its state.
   *
   * @param state the watermark to start from (default: the beginning of time).
   */
  constructor(state: number = MIN_TIMESTAMP) {
    this.watermark = state;
  }
  observeTimestamp(timestamp: number): void {
    if (timestamp > this.watermark) this.watermark = timestamp;
  }
  currentWatermark(): number {
    return this.watermark;
  }
  getState(): number {
    return this.watermark;
  }
}

/** The watermark is the current wall-clock time (Beam's `WallTime`): for outputs stamped with processing time. */
export class WallTimeWatermarkEstimator implements WatermarkEstimator<number> {
  private watermark: number;
  /**
   * An estimator restored from its state.
   *
   * @param state the watermark to start from (default: the beginning of time).
   */
  constructor(state: number = MIN_TIMESTAMP) {
    this.watermark = state;
  }
  currentWatermark(): number {
    this.watermark = Math.max(this.watermark, Date.now());
    return this.watermark;
  }
  getState(): number {
    return this.currentWatermark();
  }
}
