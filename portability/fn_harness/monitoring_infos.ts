/**
 * Metrics as the engine reads them: Beam MonitoringInfos. User counters,
 * distributions and gauges of a bundle (from the harness's
 * `MetricsContainer`), element counts per PCollection, and how far a data
 * source has been read. The payload encodings are Beam's
 * (`MonitoringInfoTypeUrns` in metrics.proto); `readMonitoringInfo` reads
 * them back, so a test (or a job client) sees what an engine sees.
 */
import type { MetricResults } from "../../model/pipeline_result";
import { ByteWriter } from "../coders/byte_writer";
import { ByteReader } from "../coders/byte_reader";
import type { MonitoringInfo } from "./fn_messages";
import { MonitoringTypeUrns, MonitoringUrns } from "./fn_api_urns";

/** The namespace of millrace's user metrics (Beam metrics have a namespace and a name; ours only a name). */
export const USER_METRICS_NAMESPACE = "millrace";

function varints(...values: number[]): Uint8Array {
  const w = new ByteWriter(16);
  for (const v of values) w.writeVarint(Math.round(v));
  return w.finish();
}

function countAndDoubles(count: number, ...values: number[]): Uint8Array {
  const w = new ByteWriter(40);
  w.writeVarint(count);
  for (const v of values) w.writeDoubleBE(v);
  return w.finish();
}

/** A counter of `transform` as `beam:metric:user:sum_int64:v1`. */
export function userCounterInfo(transform: string, name: string, value: number): MonitoringInfo {
  return {
    urn: MonitoringUrns.USER_SUM_INT64,
    type: MonitoringTypeUrns.SUM_INT64,
    payload: varints(value),
    labels: { PTRANSFORM: transform, NAMESPACE: USER_METRICS_NAMESPACE, NAME: name },
  };
}

/** A distribution: int64 when every figure is an integer (what Beam's runners aggregate best), double otherwise. */
export function userDistributionInfo(
  transform: string,
  name: string,
  d: { count: number; sum: number; min: number; max: number },
): MonitoringInfo {
  const integral = [d.sum, d.min, d.max].every((v) => Number.isSafeInteger(v));
  return {
    urn: integral ? MonitoringUrns.USER_DISTRIBUTION_INT64 : MonitoringUrns.USER_DISTRIBUTION_DOUBLE,
    type: integral ? MonitoringTypeUrns.DISTRIBUTION_INT64 : MonitoringTypeUrns.DISTRIBUTION_DOUBLE,
    payload: integral ? varints(d.count, d.sum, d.min, d.max) : countAndDoubles(d.count, d.sum, d.min, d.max),
    labels: { PTRANSFORM: transform, NAMESPACE: USER_METRICS_NAMESPACE, NAME: name },
  };
}

/** A gauge as `beam:metric:user:latest_double:v1` (timestamp ms, value). */
export function userGaugeInfo(transform: string, name: string, g: { value: number; timestamp: number }): MonitoringInfo {
  const w = new ByteWriter(24);
  w.writeVarint(Math.round(g.timestamp));
  w.writeDoubleBE(g.value);
  return {
    urn: MonitoringUrns.USER_LATEST_DOUBLE,
    type: MonitoringTypeUrns.LATEST_DOUBLE,
    payload: w.finish(),
    labels: { PTRANSFORM: transform, NAMESPACE: USER_METRICS_NAMESPACE, NAME: name },
  };
}

/** How many elements a PCollection received in the bundle. */
export function elementCountInfo(pcollection: string, count: number): MonitoringInfo {
  return {
    urn: MonitoringUrns.ELEMENT_COUNT,
    type: MonitoringTypeUrns.SUM_INT64,
    payload: varints(count),
    labels: { PCOLLECTION: pcollection },
  };
}

/** The index of the last element of a data source that was processed (-1: none yet). */
export function readIndexInfo(sourceTransform: string, index: number): MonitoringInfo {
  return {
    urn: MonitoringUrns.DATA_CHANNEL_READ_INDEX,
    type: MonitoringTypeUrns.SUM_INT64,
    payload: varints(index),
    labels: { PTRANSFORM: sourceTransform },
  };
}

/** The user metrics of a bundle, reported under `transform`. */
export function userMetricInfos(transform: string, metrics: MetricResults): MonitoringInfo[] {
  const out: MonitoringInfo[] = [];
  for (const [name, v] of Object.entries(metrics.counters)) out.push(userCounterInfo(transform, name, v));
  for (const [name, d] of Object.entries(metrics.distributions)) out.push(userDistributionInfo(transform, name, d));
  for (const [name, g] of Object.entries(metrics.gauges)) out.push(userGaugeInfo(transform, name, g));
  return out;
}

/** A MonitoringInfo's value, decoded by its type: a number, a distribution, or a latest value. */
export type MonitoringValue =
  | { readonly kind: "sum"; readonly value: number }
  | { readonly kind: "distribution"; readonly count: number; readonly sum: number; readonly min: number; readonly max: number }
  | { readonly kind: "latest"; readonly timestamp: number; readonly value: number };

/** Decodes the payload of a MonitoringInfo of a type this module writes. */
export function readMonitoringInfo(info: Pick<MonitoringInfo, "type" | "payload">): MonitoringValue {
  const r = new ByteReader(info.payload);
  switch (info.type) {
    case MonitoringTypeUrns.SUM_INT64:
      return { kind: "sum", value: r.readVarint() };
    case MonitoringTypeUrns.DISTRIBUTION_INT64:
      return { kind: "distribution", count: r.readVarint(), sum: r.readVarint(), min: r.readVarint(), max: r.readVarint() };
    case MonitoringTypeUrns.DISTRIBUTION_DOUBLE:
      return { kind: "distribution", count: r.readVarint(), sum: r.readDoubleBE(), min: r.readDoubleBE(), max: r.readDoubleBE() };
    case MonitoringTypeUrns.LATEST_DOUBLE:
      return { kind: "latest", timestamp: r.readVarint(), value: r.readDoubleBE() };
    default:
      throw new Error(`MonitoringInfo type '${info.type}' is not one the harness writes`);
  }
}
