/**
 * URNs of the Fn API that only the SDK harness reads: the data ports an
 * engine puts around a fused stage, the MonitoringInfos the harness reports,
 * and the capabilities it declares.
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

/** What the harness can do, declared in its environment's `capabilities` (see `HARNESS_CAPABILITIES`). */
export const ProtocolUrns = {
  /** Reports progress as MonitoringInfos. */
  PROGRESS_REPORTING: "beam:protocol:progress_reporting:v1",
  /** Keeps State API results across bundles while their cache token holds. */
  STATE_CACHING: "beam:protocol:state_caching:v1",
} as const;

/** The capabilities an environment running this harness may declare. */
export const HARNESS_CAPABILITIES: readonly string[] = [
  ProtocolUrns.PROGRESS_REPORTING,
  ProtocolUrns.STATE_CACHING,
  "beam:coder:bytes:v1",
  "beam:coder:string_utf8:v1",
  "beam:coder:kv:v1",
  "beam:coder:bool:v1",
  "beam:coder:varint:v1",
  "beam:coder:double:v1",
  "beam:coder:iterable:v1",
  "beam:coder:timer:v1",
  "beam:coder:interval_window:v1",
  "beam:coder:length_prefix:v1",
  "beam:coder:global_window:v1",
  "beam:coder:windowed_value:v1",
  "beam:coder:param_windowed_value:v1",
  "beam:coder:nullable:v1",
];

/** The pipeline-origin parameter (JSON of `PipelineOrigin`) in an EXTERNAL environment's params or a PROCESS environment's env. */
export const ORIGIN_PARAM = "MILLRACE_PIPELINE_ORIGIN";
