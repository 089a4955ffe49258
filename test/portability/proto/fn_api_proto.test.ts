import { expect } from "chai";
import { loadFnApiRoot, FN_API_PROTO_PACKAGE } from "../../../portability/proto/fn_api_root";

/**
 * Beam's Fn API and MonitoringInfo field names and numbers, as in apache/beam
 * model/fn-execution/.../beam_fn_api.proto and model/pipeline/.../metrics.proto.
 * An engine decodes our bytes with Beam's own classes: a renumbered field
 * would be read as another one, silently.
 */
const FN_API_FIELDS: Record<string, Record<string, number>> = {
  RemoteGrpcPort: { api_service_descriptor: 1, coder_id: 2 },
  GetProcessBundleDescriptorRequest: { process_bundle_descriptor_id: 1 },
  InstructionRequest: {
    instruction_id: 1,
    register: 1000,
    process_bundle: 1001,
    process_bundle_progress: 1002,
    process_bundle_split: 1003,
    finalize_bundle: 1004,
    monitoring_infos: 1005,
    harness_monitoring_infos: 1006,
    sample_data: 1007,
  },
  InstructionResponse: {
    instruction_id: 1,
    error: 2,
    register: 1000,
    process_bundle: 1001,
    process_bundle_progress: 1002,
    process_bundle_split: 1003,
    finalize_bundle: 1004,
    monitoring_infos: 1005,
    harness_monitoring_infos: 1006,
    sample_data: 1007,
  },
  ProcessBundleDescriptor: {
    id: 1,
    transforms: 2,
    pcollections: 3,
    windowing_strategies: 4,
    coders: 5,
    environments: 6,
    state_api_service_descriptor: 7,
    timer_api_service_descriptor: 8,
  },
  BundleApplication: { transform_id: 1, input_id: 2, element: 3, output_watermarks: 4, is_bounded: 5 },
  DelayedBundleApplication: { application: 1, requested_time_delay: 2 },
  ProcessBundleRequest: { process_bundle_descriptor_id: 1, cache_tokens: 2, elements: 3 },
  "ProcessBundleRequest.CacheToken": { user_state: 1, side_input: 2, token: 10 },
  "ProcessBundleRequest.CacheToken.SideInput": { transform_id: 1, side_input_id: 2 },
  ProcessBundleResponse: { residual_roots: 2, monitoring_infos: 3, requires_finalization: 4, monitoring_data: 5, elements: 6 },
  ProcessBundleProgressRequest: { instruction_id: 1 },
  ProcessBundleProgressResponse: { monitoring_infos: 3, monitoring_data: 5 },
  MonitoringInfosMetadataRequest: { monitoring_info_id: 1 },
  MonitoringInfosMetadataResponse: { monitoring_info: 1 },
  HarnessMonitoringInfosResponse: { monitoring_data: 1 },
  ProcessBundleSplitRequest: { instruction_id: 1, desired_splits: 3 },
  "ProcessBundleSplitRequest.DesiredSplit": { fraction_of_remainder: 1, estimated_input_elements: 2, allowed_split_points: 3 },
  ProcessBundleSplitResponse: { primary_roots: 1, residual_roots: 2, channel_splits: 3 },
  "ProcessBundleSplitResponse.ChannelSplit": { transform_id: 1, last_primary_element: 2, first_residual_element: 3 },
  FinalizeBundleRequest: { instruction_id: 1 },
  SampleDataRequest: { pcollection_ids: 1 },
  SampleDataResponse: { element_samples: 1 },
  SampledElement: { element: 1 },
  Elements: { data: 1, timers: 2 },
  "Elements.Data": { instruction_id: 1, transform_id: 2, data: 3, is_last: 4 },
  "Elements.Timers": { instruction_id: 1, transform_id: 2, timer_family_id: 3, timers: 4, is_last: 5 },
  StateRequest: { id: 1, instruction_id: 2, state_key: 3, get: 1000, append: 1001, clear: 1002 },
  StateResponse: { id: 1, error: 2, get: 1000, append: 1001, clear: 1002 },
  StateKey: {
    runner: 1,
    multimap_side_input: 2,
    bag_user_state: 3,
    iterable_side_input: 4,
    multimap_keys_side_input: 5,
    multimap_keys_user_state: 6,
    multimap_user_state: 7,
    multimap_keys_values_side_input: 8,
    ordered_list_user_state: 9,
  },
  "StateKey.MultimapKeysValuesSideInput": { transform_id: 1, side_input_id: 2, window: 3 },
  "StateKey.Runner": { key: 1 },
  "StateKey.IterableSideInput": { transform_id: 1, side_input_id: 2, window: 3 },
  "StateKey.MultimapSideInput": { transform_id: 1, side_input_id: 2, window: 3, key: 4 },
  "StateKey.MultimapKeysSideInput": { transform_id: 1, side_input_id: 2, window: 3 },
  "StateKey.BagUserState": { transform_id: 1, user_state_id: 2, window: 3, key: 4 },
  "StateKey.MultimapKeysUserState": { transform_id: 1, user_state_id: 2, window: 3, key: 4 },
  "StateKey.MultimapUserState": { transform_id: 1, user_state_id: 2, window: 3, key: 4, map_key: 5 },
  "StateKey.OrderedListUserState": { transform_id: 1, user_state_id: 2, window: 3, key: 4, range: 5 },
  OrderedListRange: { start: 1, end: 2 },
  StateGetRequest: { continuation_token: 1 },
  StateGetResponse: { continuation_token: 1, data: 2 },
  StateAppendRequest: { data: 1 },
  LogEntry: {
    severity: 1,
    timestamp: 2,
    message: 3,
    trace: 4,
    instruction_id: 5,
    transform_id: 6,
    log_location: 7,
    thread: 8,
  },
  "LogEntry.List": { log_entries: 1 },
  StartWorkerRequest: {
    worker_id: 1,
    control_endpoint: 2,
    logging_endpoint: 3,
    artifact_endpoint: 4,
    provision_endpoint: 5,
    params: 10,
  },
  StartWorkerResponse: { error: 1 },
  StopWorkerRequest: { worker_id: 1 },
  StopWorkerResponse: { error: 1 },
  WorkerStatusRequest: { id: 1 },
  WorkerStatusResponse: { id: 1, error: 2, status_info: 3 },
};

const METRICS_FIELDS: Record<string, Record<string, number>> = {
  MonitoringInfo: { urn: 1, type: 2, payload: 3, labels: 4, start_time: 5 },
  MonitoringInfoSpec: { urn: 1, type: 2, required_labels: 3, annotations: 4 },
  Annotation: { key: 1, value: 2 },
};

/** Each service's methods: [request type, request streamed, response type, response streamed]. */
const SERVICES: Record<string, Record<string, [string, boolean, string, boolean]>> = {
  BeamFnControl: {
    Control: ["InstructionResponse", true, "InstructionRequest", true],
    GetProcessBundleDescriptor: ["GetProcessBundleDescriptorRequest", false, "ProcessBundleDescriptor", false],
  },
  BeamFnData: { Data: ["Elements", true, "Elements", true] },
  BeamFnState: { State: ["StateRequest", true, "StateResponse", true] },
  BeamFnLogging: { Logging: ["LogEntry.List", true, "LogControl", true] },
  BeamFnExternalWorkerPool: {
    StartWorker: ["StartWorkerRequest", false, "StartWorkerResponse", false],
    StopWorker: ["StopWorkerRequest", false, "StopWorkerResponse", false],
  },
  BeamFnWorkerStatus: { WorkerStatus: ["WorkerStatusResponse", true, "WorkerStatusRequest", true] },
};

describe("portability/proto Fn API and metrics (field numbers pinned to Beam's)", () => {
  const root = loadFnApiRoot({ keepCase: true });

  const pin = (pkg: string, table: Record<string, Record<string, number>>) => {
    for (const [message, fields] of Object.entries(table)) {
      it(`${message}: ${Object.keys(fields).join(", ")}`, () => {
        const type = root.lookupType(`${pkg}.${message}`);
        const actual: Record<string, number> = {};
        for (const f of type.fieldsArray) actual[f.name] = f.id;
        expect(actual).to.deep.equal(fields);
      });
    }
  };
  pin(FN_API_PROTO_PACKAGE, FN_API_FIELDS);
  pin("org.apache.beam.model.pipeline.v1", METRICS_FIELDS);

  for (const [service, methods] of Object.entries(SERVICES)) {
    it(`service ${service}: ${Object.keys(methods).join(", ")}`, () => {
      const s = root.lookupService(`${FN_API_PROTO_PACKAGE}.${service}`);
      const actual: Record<string, [string, boolean, string, boolean]> = {};
      for (const m of s.methodsArray) {
        actual[m.name] = [
          m.resolvedRequestType!.fullName.replace(`.${FN_API_PROTO_PACKAGE}.`, ""),
          m.requestStream === true,
          m.resolvedResponseType!.fullName.replace(`.${FN_API_PROTO_PACKAGE}.`, ""),
          m.responseStream === true,
        ];
      }
      expect(actual).to.deep.equal(methods);
    });
  }

  it("the severity enum and the MonitoringInfo label enum keep Beam's numbers", () => {
    expect({ ...root.lookupEnum(`${FN_API_PROTO_PACKAGE}.LogEntry.Severity.Enum`).values }).to.deep.equal({
      UNSPECIFIED: 0,
      TRACE: 1,
      DEBUG: 2,
      INFO: 3,
      NOTICE: 4,
      WARN: 5,
      ERROR: 6,
      CRITICAL: 7,
    });
    expect(root.lookupEnum("org.apache.beam.model.pipeline.v1.MonitoringInfo.MonitoringInfoLabels").values).to.include({
      TRANSFORM: 0,
      PCOLLECTION: 1,
      NAMESPACE: 5,
      NAME: 6,
    });
  });

  it("StateGetRequest.continuation_token is proto3 optional: an empty token is told apart from none", () => {
    const type = root.lookupType(`${FN_API_PROTO_PACKAGE}.StateGetRequest`);
    expect(Buffer.from(type.encode(type.fromObject({ continuation_token: new Uint8Array(0) })).finish()).toString("hex")).to.equal("0a00");
    expect(type.encode(type.fromObject({})).finish().length).to.equal(0);
  });
});
