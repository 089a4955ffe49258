/**
 * A subtask's input time: the minimum over its input channels of the last
 * watermark each sent, as in Flink's StatusWatermarkValve. It only moves
 * forward. Channels that have not spoken yet hold it at -infinity, except
 * for scripted clocks, where only channels that carry the clock count.
 */

/** Tracks the last value per channel and their minimum. */
export class WatermarkValve {
  private readonly last: number[];
  private current: number;

  /**
   * @param channels how many input channels
   * @param initial the value before any channel spoke (also each channel's initial value)
   * @param onlySpeakers when true, channels that never sent a value do not hold the minimum back
   */
  constructor(channels: number, initial: number, onlySpeakers = false) {
    this.last = new Array<number>(channels).fill(onlySpeakers ? NaN : initial);
    this.current = channels === 0 && !onlySpeakers ? Infinity : initial;
  }

  /** True once any channel has sent a value. */
  get anySpoke(): boolean {
    return this.last.some((v) => !Number.isNaN(v));
  }

  /** The current minimum. */
  get value(): number {
    return this.current;
  }

  /** Records channel `i`'s new value; returns true when the minimum moved forward. */
  update(i: number, value: number): boolean {
    if (!(value > this.last[i]!) && !Number.isNaN(this.last[i]!)) return false;
    this.last[i] = value;
    let min = Infinity;
    let any = false;
    for (const v of this.last) {
      if (Number.isNaN(v)) continue;
      any = true;
      if (v < min) min = v;
    }
    if (!any || min <= this.current) return false;
    this.current = min;
    return true;
  }

  /** Moves the minimum to at least `value` (a restored subtask resumes where it was). */
  raiseTo(value: number): void {
    if (value > this.current) this.current = value;
  }
}
