/**
 * A subtask's input time: the minimum over its input channels of the last
 * watermark each sent, as in Flink's StatusWatermarkValve. It only moves
 * forward. Channels that have not spoken yet hold it at -infinity, except
 * for scripted clocks, where only channels that carry the clock count.
 *
 * A channel can be idle (Flink's `WatermarkStatus.IDLE`: its upstream has
 * nothing to read, e.g. a source subtask whose partitions are all idle or
 * that has none): an idle channel does not hold the minimum back until it
 * is active again. When every channel is idle (or the only others have
 * finished) the minimum stays where it is, and when every channel is idle
 * the subtask is idle itself ({@link allIdle}), which it passes on.
 */

/** Tracks the last value per channel and their minimum. */
export class WatermarkValve {
  private readonly last: number[];
  private readonly idle: boolean[];
  private idleCount = 0;
  private current: number;

  /**
   * @param channels how many input channels
   * @param initial the value before any channel spoke (also each channel's initial value)
   * @param onlySpeakers when true, channels that never sent a value do not hold the minimum back
   */
  constructor(channels: number, initial: number, onlySpeakers = false) {
    this.last = new Array<number>(channels).fill(onlySpeakers ? NaN : initial);
    this.idle = new Array<boolean>(channels).fill(false);
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

  /** True when some channel is idle and every other one is idle too or finished (at the end of time). */
  get allIdle(): boolean {
    if (this.idleCount === 0) return false;
    for (let i = 0; i < this.last.length; i++) if (!this.idle[i] && this.last[i] !== Infinity) return false;
    return true;
  }

  /** Records channel `i`'s new value; returns true when the minimum moved forward. */
  update(i: number, value: number): boolean {
    if (!(value > this.last[i]!) && !Number.isNaN(this.last[i]!)) return false;
    this.last[i] = value;
    return this.recompute();
  }

  /** Channel `i` became idle or active again; returns true when the minimum moved forward. */
  setIdle(i: number, idle: boolean): boolean {
    if (this.idle[i] === idle) return false;
    this.idle[i] = idle;
    this.idleCount += idle ? 1 : -1;
    return this.recompute();
  }

  /** The minimum over the active channels that spoke; it never goes back, and stays while none is active. */
  private recompute(): boolean {
    let min = Infinity;
    let any = false;
    for (let i = 0; i < this.last.length; i++) {
      const v = this.last[i]!;
      if (Number.isNaN(v) || this.idle[i]) continue;
      any = true;
      if (v < min) min = v;
    }
    // Only finished channels (at the end of time) beside idle ones: the idle ones are not finished, so stay.
    if (!any || min <= this.current || (min === Infinity && this.idleCount > 0)) return false;
    this.current = min;
    return true;
  }

  /** Moves the minimum to at least `value` (a restored subtask resumes where it was). */
  raiseTo(value: number): void {
    if (value > this.current) this.current = value;
  }
}
