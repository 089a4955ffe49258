/**
 * URNs of the Fn API that only the SDK harness reads: the data ports an
 * engine puts around a fused stage and the MonitoringInfos the harness
 * reports (the capabilities it declares are `HARNESS_CAPABILITIES` in
 * `portability/engine/engine_pipeline.ts`).
 */

/** The transforms an engine inserts at a bundle's edges, carrying `RemoteGrpcPort` payloads. */
export const DataPortUrns = {
  /** Elements arrive from the engine on the data plane. */
  SOURCE: "beam:runner:source:v1",
  /** Elements go back to the engine on the data plane. */
  SINK: "beam:runner:sink:v1",
} as const;

/** MonitoringInfo URNs (`MonitoringInfo.urn`) the harness reports. */
export const MonitoringUrns = {
  USER_SUM_INT64: "beam:metric:user:sum_int64:v1",
  USER_DISTRIBUTION_INT64: "beam:metric:user:distribution_int64:v1",
  USER_DISTRIBUTION_DOUBLE: "beam:metric:user:distribution_double:v1",
  USER_LATEST_DOUBLE: "beam:metric:user:latest_double:v1",
  ELEMENT_COUNT: "beam:metric:element_count:v1",
  DATA_CHANNEL_READ_INDEX: "beam:metric:data_channel:read_index:v1",
} as const;

/** MonitoringInfo types (`MonitoringInfo.type`): how the payload is encoded and aggregated. */
export const MonitoringTypeUrns = {
  SUM_INT64: "beam:metrics:sum_int64:v1",
  DISTRIBUTION_INT64: "beam:metrics:distribution_int64:v1",
  DISTRIBUTION_DOUBLE: "beam:metrics:distribution_double:v1",
  LATEST_DOUBLE: "beam:metrics:latest_double:v1",
} as const;
