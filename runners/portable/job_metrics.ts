/**
 * A job service's MonitoringInfos (GetJobMetrics) as millrace's
 * {@link MetricResults}: the user counters, distributions and gauges, keyed
 * by metric name like every runner's. Other MonitoringInfos (element counts,
 * timings) are the engine's own and are left out.
 *
 * @module
 */
import { emptyMetrics, type DistributionResult, type GaugeResult, type MetricResults } from "../../model/pipeline_result";
import { ByteReader } from "../../portability/coders/byte_reader";
import type { MonitoringInfo } from "./job_service_client";

/** Beam's user-metric URNs. */
export const UserMetricUrns = {
  SUM_INT64: "beam:metric:user:sum_int64:v1",
  SUM_DOUBLE: "beam:metric:user:sum_double:v1",
  DISTRIBUTION_INT64: "beam:metric:user:distribution_int64:v1",
  DISTRIBUTION_DOUBLE: "beam:metric:user:distribution_double:v1",
  LATEST_INT64: "beam:metric:user:latest_int64:v1",
  LATEST_DOUBLE: "beam:metric:user:latest_double:v1",
} as const;

function readInt(r: ByteReader): number {
  const v = r.readVarintNumberOrBig();
  return typeof v === "bigint" ? Number(BigInt.asIntN(64, v)) : v;
}

function addDistribution(into: Record<string, DistributionResult>, name: string, d: DistributionResult): void {
  const prev = into[name];
  // Fields in the order every runner's results have them (sum, count, min, max), so results compare equal as JSON too.
  into[name] =
    prev === undefined
      ? { sum: d.sum, count: d.count, min: d.min, max: d.max }
      : { sum: prev.sum + d.sum, count: prev.count + d.count, min: Math.min(prev.min, d.min), max: Math.max(prev.max, d.max) };
}

function setGauge(into: Record<string, GaugeResult>, name: string, g: GaugeResult): void {
  const prev = into[name];
  if (prev === undefined || g.timestamp >= prev.timestamp) into[name] = g;
}

/**
 * Sums the user metrics of `infos` by name (an engine may report one per
 * transform). A payload that cannot be read is skipped, not fatal: metrics
 * never fail a job.
 */
export function metricResultsOf(infos: readonly MonitoringInfo[]): MetricResults {
  const out = emptyMetrics();
  const counters = out.counters as Record<string, number>;
  const distributions = out.distributions as Record<string, DistributionResult>;
  const gauges = out.gauges as Record<string, GaugeResult>;
  for (const info of infos) {
    const name = info.labels["NAME"];
    if (name === undefined) continue;
    try {
      const r = new ByteReader(info.payload);
      switch (info.urn) {
        case UserMetricUrns.SUM_INT64:
          counters[name] = (counters[name] ?? 0) + readInt(r);
          break;
        case UserMetricUrns.SUM_DOUBLE:
          counters[name] = (counters[name] ?? 0) + r.readDoubleBE();
          break;
        case UserMetricUrns.DISTRIBUTION_INT64: {
          const count = readInt(r);
          if (count > 0) addDistribution(distributions, name, { count, sum: readInt(r), min: readInt(r), max: readInt(r) });
          break;
        }
        case UserMetricUrns.DISTRIBUTION_DOUBLE: {
          const count = readInt(r);
          if (count > 0)
            addDistribution(distributions, name, { count, sum: r.readDoubleBE(), min: r.readDoubleBE(), max: r.readDoubleBE() });
          break;
        }
        case UserMetricUrns.LATEST_INT64: {
          const timestamp = readInt(r);
          setGauge(gauges, name, { timestamp, value: readInt(r) });
          break;
        }
        case UserMetricUrns.LATEST_DOUBLE: {
          const timestamp = readInt(r);
          setGauge(gauges, name, { timestamp, value: r.readDoubleBE() });
          break;
        }
      }
    } catch {
      // An unreadable payload is the engine's business; the other metrics still count.
    }
  }
  return out;
}
