import type { Counter, Distribution, Gauge, MetricsContext } from "../../sdk/metrics/metrics_context";
import type { MetricResults } from "../../model/pipeline_result";

/**
 * Metrics reported during one bundle. A runner commits the container into
 * the job's totals only when the bundle succeeds, so a failed (and retried)
 * bundle is not counted twice.
 */
export class MetricsContainer implements MetricsContext {
  private readonly counters = new Map<string, { n: number; inc(n?: number): void }>();
  private readonly distributions = new Map<string, { sum: number; count: number; min: number; max: number; update(v: number): void }>();
  private readonly gauges = new Map<string, { value: number; timestamp: number; set(v: number): void }>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      c = {
        n: 0,
        inc(n = 1) {
          this.n += n;
        },
      };
      this.counters.set(name, c);
    }
    return c;
  }

  distribution(name: string): Distribution {
    let d = this.distributions.get(name);
    if (!d) {
      d = {
        sum: 0,
        count: 0,
        min: Infinity,
        max: -Infinity,
        update(v: number) {
          this.sum += v;
          this.count++;
          if (v < this.min) this.min = v;
          if (v > this.max) this.max = v;
        },
      };
      this.distributions.set(name, d);
    }
    return d;
  }

  gauge(name: string): Gauge {
    let g = this.gauges.get(name);
    if (!g) {
      g = {
        value: 0,
        timestamp: 0,
        set(v: number) {
          this.value = v;
          this.timestamp = Date.now();
        },
      };
      this.gauges.set(name, g);
    }
    return g;
  }

  /** True when nothing was reported. */
  get isEmpty(): boolean {
    return this.counters.size === 0 && this.distributions.size === 0 && this.gauges.size === 0;
  }

  /** Adds this container's values into `totals` and clears it. */
  commitInto(totals: MetricResults): void {
    const mine: MetricResults = { counters: {}, distributions: {}, gauges: {} };
    for (const [name, c] of this.counters) mine.counters[name] = c.n;
    for (const [name, d] of this.distributions) {
      if (d.count > 0) mine.distributions[name] = { sum: d.sum, count: d.count, min: d.min, max: d.max };
    }
    for (const [name, g] of this.gauges) mine.gauges[name] = { value: g.value, timestamp: g.timestamp };
    addMetricResults(totals, mine);
    this.counters.clear();
    this.distributions.clear();
    this.gauges.clear();
  }
}

/**
 * Adds committed metrics into `totals`: counters sum, distributions merge,
 * the latest gauge wins. The one rule for combining metrics of bundles,
 * tasks or workers.
 */
export function addMetricResults(totals: MetricResults, more: MetricResults): void {
  for (const [name, v] of Object.entries(more.counters)) totals.counters[name] = (totals.counters[name] ?? 0) + v;
  for (const [name, d] of Object.entries(more.distributions)) {
    const t = totals.distributions[name];
    totals.distributions[name] = t
      ? { sum: t.sum + d.sum, count: t.count + d.count, min: Math.min(t.min, d.min), max: Math.max(t.max, d.max) }
      : { ...d };
  }
  for (const [name, g] of Object.entries(more.gauges)) {
    const t = totals.gauges[name];
    if (!t || g.timestamp >= t.timestamp) totals.gauges[name] = { ...g };
  }
}
