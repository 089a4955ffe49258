import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { MetricsContext } from "../metrics/metrics_context";

/**
 * What a DoFn's `process` (and a map, flatMap or filter function) sees about
 * the element it is processing, and how it emits outputs.
 *
 * The object is reused from one element to the next: read what you need
 * during the call, do not keep it.
 */
export interface ProcessContext<Out = unknown> {
  /** The element's event time, ms since the epoch. */
  readonly timestamp: number;
  /** The window being processed (an element in several windows is processed once per window when it matters). */
  readonly window: BoundedWindow;
  /** Which firing of the window produced the element. */
  readonly pane: PaneInfo;
  /** The key, for a stateful DoFn or an `onTimer` call; undefined otherwise. */
  readonly key: unknown;
  /** Emits to the main output, with the input's timestamp and window. */
  output(value: Out): void;
  /** Emits to the named additional output. */
  outputTo(tag: string, value: unknown): void;
  /** Emits with another timestamp; it may not be earlier than the input's. */
  outputWithTimestamp(value: Out, timestamp: number): void;
  /** The value of the side input declared under `name`, for this element's window. */
  sideInput<T = any>(name: string): T;
  /** Counters, distributions and gauges. */
  readonly metrics: MetricsContext;
  /** The declared state cells of a stateful DoFn, by name. */
  readonly state: any;
  /** The declared timers of a stateful DoFn, by name. */
  readonly timers: any;
}

/** What `startBundle` and `finishBundle` see: outputs go to the global window unless a timestamp is given. */
export interface BundleContext<Out = unknown> {
  /** Emits to the main output (global window, minimum timestamp). */
  output(value: Out): void;
  /** Emits to the main output with a timestamp (global window). */
  outputWithTimestamp(value: Out, timestamp: number): void;
  /** Emits to the named additional output. */
  outputTo(tag: string, value: unknown): void;
  /** Counters, distributions and gauges. */
  readonly metrics: MetricsContext;
}

/** The context given to map, flatMap and filter functions. */
export type TransformContext = ProcessContext<unknown>;
