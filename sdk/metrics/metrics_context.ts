/**
 * The metrics a DoFn can report through `ctx.metrics`. Values are committed
 * when the bundle that reported them succeeds, and summed per metric name
 * across the job.
 */

/** A counter: a running sum. */
export interface Counter {
  /** Adds `n` (default 1). */
  inc(n?: number): void;
}

/** A distribution: sum, count, min and max of reported values. */
export interface Distribution {
  /** Reports one value. */
  update(value: number): void;
}

/** A gauge: the latest value reported. */
export interface Gauge {
  /** Sets the current value. */
  set(value: number): void;
}

/** Where a DoFn finds its metrics, by name. */
export interface MetricsContext {
  /** The counter called `name`, created on first use. */
  counter(name: string): Counter;
  /** The distribution called `name`, created on first use. */
  distribution(name: string): Distribution;
  /** The gauge called `name`, created on first use. */
  gauge(name: string): Gauge;
}
