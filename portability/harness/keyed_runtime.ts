/**
 * What the harness needs from a runner to run a stateful DoFn: the state
 * cells and timers of a (key, window) namespace and the current times.
 * Runners implement these with `runners/core`'s state store and timer
 * service (or, for an engine, over the Fn API's state and timer channels);
 * the harness depends only on these interfaces, never on a runner.
 */
import type { BoundedWindow } from "../../model/windows";

/** The time domain a user timer is set in. */
export type TimerDomain = "eventTime" | "processingTime";

/** A timer that is due, as the runner hands it back to the operator. */
export interface FiredTimer {
  /** The state namespace (key and window) it was set in. */
  readonly namespace: string;
  readonly key: unknown;
  readonly window: BoundedWindow;
  /** The timer's declared name. */
  readonly name: string;
  readonly domain: TimerDomain;
  /** When it fires (event time or processing time). */
  readonly fireTimestamp: number;
  /** The timestamp of its outputs; it held the watermark until it fired. */
  readonly outputTimestamp: number;
}

/** Per-namespace user state cells. */
export interface KeyedStateAccess {
  /** The cells of a namespace, by declared name, created on first use. */
  cells(namespace: string): Record<string, unknown>;
  /** Drops every cell of a namespace (its window expired). */
  clearNamespace(namespace: string): void;
}

/** Per-namespace user timers. */
export interface TimerAccess {
  /** Sets (or replaces) timer `name` of `namespace`. */
  set(
    namespace: string,
    key: unknown,
    window: BoundedWindow,
    name: string,
    domain: TimerDomain,
    fireTimestamp: number,
    outputTimestamp: number,
  ): void;
  /** Cancels timer `name` of `namespace`, if set. */
  clear(namespace: string, name: string): void;
  /** Remembers that `namespace` expires at `gcTime`, so its state is dropped then. */
  trackWindow(namespace: string, gcTime: number): void;
  /** Takes the earliest event-time timer due before `watermark`, if any. */
  pollEventTimer(watermark: number): FiredTimer | undefined;
  /** Takes the earliest processing-time timer due at `now`, if any. */
  pollProcessingTimer(now: number): FiredTimer | undefined;
  /** Takes a namespace whose window expired before `watermark`, if any. */
  pollExpired(watermark: number): string | undefined;
  /** True when an event-time timer before `watermark` is pending. */
  hasEventTimerBefore(watermark: number): boolean;
  /** True when a window expires before `watermark`. */
  hasExpiryBefore(watermark: number): boolean;
  /** The earliest pending processing-time timer, or Infinity. */
  nextProcessingTime(): number;
  /** The earliest output timestamp of the pending timers (their watermark hold), or Infinity. */
  outputHold(): number;
}

/** What a runner provides to a stateful DoFn: its state, its timers and the current times. */
export interface KeyedRuntime {
  readonly store: KeyedStateAccess;
  readonly timers: TimerAccess;
  /** The input watermark, to drop elements of expired windows. */
  inputWatermark(): number;
  /** The current processing time. */
  processingTime(): number;
  /** Told about elements dropped for arriving after their window expired. */
  onDroppedLate(count: number): void;
}
