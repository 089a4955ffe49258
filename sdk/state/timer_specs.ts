/**
 * Timer declarations for stateful DoFns: a callback per key and window at an
 * event time (when the watermark passes it) or a processing time.
 */

/** A declared timer. */
export interface TimerSpec {
  /** Marks a timer declaration. */
  readonly kind: "timer";
  /** Which clock the timer follows: the watermark (event time) or processing time. */
  readonly domain: "eventTime" | "processingTime";
}

/** A timer of the current key and window, as `ctx.timers.<name>`. */
export interface Timer {
  /**
   * Sets (or moves) the timer to fire at `timestamp`: an event time (ms) for
   * event-time timers, a processing time (ms since the epoch, or since the
   * TestStream's start) for processing-time timers. `outputTimestamp` is the
   * timestamp of what `onTimer` emits, and holds the watermark until then
   * (default: the firing time for event time, the current element's
   * timestamp for processing time).
   */
  set(timestamp: number, outputTimestamp?: number): void;
  /**
   * Sets a processing-time timer `delayMs` after the current processing time
   * (an event-time timer: after the element's timestamp). `outputTimestamp`
   * is as for {@link Timer.set}; a timer that outputs nothing can pass the
   * window's end so that it holds no watermark back (Beam's `withNoOutputTimestamp`).
   */
  offset(delayMs: number, outputTimestamp?: number): void;
  /** Cancels the timer. */
  clear(): void;
}

/** The `timers` field of a stateful DoFn: timer declarations by name. */
export type TimerDeclarations = Readonly<Record<string, TimerSpec>>;

/** What `ctx.timers` holds for a DoFn's `timers` declarations: one {@link Timer} per declared name. */
export type Timers<Declarations> = { readonly [Name in keyof Declarations]: Timer };

/**
 * The timer kinds, to declare in a DoFn's `timers` field; their callbacks go
 * in `onTimer`.
 *
 * @example
 * ```ts
 * mr.parDo({
 *   state: { buffer: mr.state.bag<string>() },
 *   timers: { flush: mr.timers.eventTime() },
 *   process(kv, ctx) {
 *     ctx.state.buffer.add(kv.value);
 *     ctx.timers.flush.set((ctx.window as mr.IntervalWindow).end - 1);
 *   },
 *   onTimer: {
 *     flush(ctx) { ctx.output(ctx.state.buffer.read()); ctx.state.buffer.clear(); },
 *   },
 * });
 * ```
 */
export const timers = {
  /** Fires when the input watermark passes the set time. */
  eventTime(): TimerSpec {
    return { kind: "timer", domain: "eventTime" };
  },
  /** Fires when processing time reaches the set time. */
  processingTime(): TimerSpec {
    return { kind: "timer", domain: "processingTime" };
  },
};
