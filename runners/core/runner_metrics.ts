/**
 * Which metrics are the runner's and which the user's. Runners add their
 * own figures to a job's metrics (the stream runner ~10 per task, micro-batch
 * batch statistics, Beam's dropped-element counters, the SDK's assertion
 * counter) so that they are read like any other metric; a display that
 * lists them among the user's counters buries the user's. One rule, here,
 * for every place that separates them.
 */
import type { MetricResults } from "../../model/pipeline_result";
import { DROPPED_DUE_TO_CLOSED_WINDOW, DROPPED_DUE_TO_LATENESS } from "./windowing/grouping_runner";

/** Name prefixes of metrics the runners and the SDK report themselves. */
export const RUNNER_METRIC_PREFIXES: readonly string[] = ["stream/", "microbatch.", "millrace."];

/** Whole names of runner metrics without such a prefix (Beam's system counters). */
export const RUNNER_METRIC_NAMES: readonly string[] = [DROPPED_DUE_TO_LATENESS, DROPPED_DUE_TO_CLOSED_WINDOW];

/** True for a metric the runner or the SDK reports, false for one user code reports. */
export function isRunnerMetric(name: string): boolean {
  return RUNNER_METRIC_NAMES.includes(name) || RUNNER_METRIC_PREFIXES.some((p) => name.startsWith(p));
}

/** `metrics` split into the user's and the runner's. */
export function splitMetrics(metrics: MetricResults): { user: MetricResults; runner: MetricResults } {
  const user: MetricResults = { counters: {}, distributions: {}, gauges: {} };
  const runner: MetricResults = { counters: {}, distributions: {}, gauges: {} };
  for (const kind of ["counters", "distributions", "gauges"] as const) {
    for (const [name, value] of Object.entries(metrics[kind])) (isRunnerMetric(name) ? runner : user)[kind][name] = value as never;
  }
  return { user, runner };
}
