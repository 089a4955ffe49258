/**
 * Per-batch figures of an unbounded job in the job's metrics
 * (`result.metrics()`), so that they are read like any other metric:
 * distributions over batches of input rows, processing time and scheduling
 * delay; gauges of the state rows and watermark after the last batch; and a
 * counter of committed batches.
 */
import type { MetricResults } from "../../../model/pipeline_result";
import type { BatchSummary } from "../../core/progress";

/** The metric names, under the `microbatch.` prefix. */
export const BATCH_METRICS = {
  batches: "microbatch.batches",
  inputRows: "microbatch.batch.inputRows",
  processingMs: "microbatch.batch.processingMs",
  schedulingDelayMs: "microbatch.batch.schedulingDelayMs",
  stateRows: "microbatch.batch.stateRows",
  watermark: "microbatch.batch.watermark",
} as const;

/** Adds one committed batch's figures to `totals`. */
export function recordBatchMetrics(totals: MetricResults, b: BatchSummary): void {
  totals.counters[BATCH_METRICS.batches] = (totals.counters[BATCH_METRICS.batches] ?? 0) + 1;
  const distribute = (name: string, v: number): void => {
    const d = totals.distributions[name];
    totals.distributions[name] = d
      ? { sum: d.sum + v, count: d.count + 1, min: Math.min(d.min, v), max: Math.max(d.max, v) }
      : { sum: v, count: 1, min: v, max: v };
  };
  distribute(BATCH_METRICS.inputRows, b.inputRows);
  distribute(BATCH_METRICS.processingMs, b.processingMs);
  distribute(BATCH_METRICS.schedulingDelayMs, b.schedulingDelayMs);
  totals.gauges[BATCH_METRICS.stateRows] = { value: b.stateRows, timestamp: b.completedAt };
  totals.gauges[BATCH_METRICS.watermark] = { value: b.watermark, timestamp: b.completedAt };
}

/** One line summing up a job's batches, for the end of the job. */
export function batchesSummaryLine(totals: MetricResults): string {
  const n = totals.counters[BATCH_METRICS.batches] ?? 0;
  if (n === 0) return "no batches";
  const rows = totals.distributions[BATCH_METRICS.inputRows]!;
  const proc = totals.distributions[BATCH_METRICS.processingMs]!;
  const delay = totals.distributions[BATCH_METRICS.schedulingDelayMs]!;
  return (
    `${n.toLocaleString("en-US")} batches, ${rows.sum.toLocaleString("en-US")} input rows; ` +
    `processing ${Math.round(proc.sum / n)} ms avg (max ${Math.round(proc.max)}), scheduling delay ${Math.round(delay.sum / n)} ms avg (max ${Math.round(delay.max)}); ` +
    `${totals.gauges[BATCH_METRICS.stateRows]?.value ?? 0} state rows at the end`
  );
}
