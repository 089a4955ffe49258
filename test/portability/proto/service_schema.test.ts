// Guards the wire contract of Beam's Job, Artifact and Provision APIs, the
// standard environment and artifact payloads and the MonitoringInfo message: every field name, number, type and enum value below
// is copied from Apache Beam's model/job-management and model/fn-execution
// .proto files (v2.78). If a .proto file drifts (renumbered, renamed, retyped,
// extra field) or an rpc changes its name or streaming shape, this fails: a
// job service would then read our requests wrong.
import { expect } from "chai";
import * as protobuf from "protobufjs";
import { loadBeamProtoRoot, protoRoot } from "../../../portability/proto/proto_root";

const BEAM = "org.apache.beam.model.";

// `Name: field=number [repeated ]type[ oneof:name]`, names relative to org.apache.beam.model.
const SCHEMA = `
pipeline.v1.ExternalPayload: endpoint=1 pipeline.v1.ApiServiceDescriptor; params=2 map<string,string>
pipeline.v1.ProcessPayload: os=1 string; arch=2 string; command=3 string; env=4 map<string,string>
pipeline.v1.ArtifactFilePayload: path=1 string; sha256=2 string
pipeline.v1.ArtifactUrlPayload: url=1 string; sha256=2 string
pipeline.v1.EmbeddedFilePayload: data=1 bytes
pipeline.v1.ArtifactStagingToRolePayload: staged_name=1 string
pipeline.v1.MonitoringInfo: urn=1 string; type=2 string; payload=3 bytes; labels=4 map<string,string>; start_time=5 google.protobuf.Timestamp
job_management.v1.PrepareJobRequest: pipeline=1 pipeline.v1.Pipeline; pipeline_options=2 google.protobuf.Struct; job_name=3 string
job_management.v1.PrepareJobResponse: preparation_id=1 string; artifact_staging_endpoint=2 pipeline.v1.ApiServiceDescriptor; staging_session_token=3 string
job_management.v1.RunJobRequest: preparation_id=1 string; retrieval_token=2 string
job_management.v1.RunJobResponse: job_id=1 string
job_management.v1.CancelJobRequest: job_id=1 string
job_management.v1.CancelJobResponse: state=1 job_management.v1.JobState.Enum
job_management.v1.DrainJobRequest: job_id=1 string
job_management.v1.DrainJobResponse: state=1 job_management.v1.JobState.Enum
job_management.v1.JobInfo: job_id=1 string; job_name=2 string; pipeline_options=3 google.protobuf.Struct; state=4 job_management.v1.JobState.Enum
job_management.v1.GetJobsRequest:
job_management.v1.GetJobsResponse: job_info=1 repeated job_management.v1.JobInfo
job_management.v1.GetJobStateRequest: job_id=1 string
job_management.v1.JobStateEvent: state=1 job_management.v1.JobState.Enum; timestamp=2 google.protobuf.Timestamp
job_management.v1.GetJobPipelineRequest: job_id=1 string
job_management.v1.GetJobPipelineResponse: pipeline=1 pipeline.v1.Pipeline
job_management.v1.JobMessagesRequest: job_id=1 string
job_management.v1.JobMessage: message_id=1 string; time=2 string; importance=3 job_management.v1.JobMessage.MessageImportance; message_text=4 string
job_management.v1.JobMessagesResponse: message_response=1 job_management.v1.JobMessage oneof:response; state_response=2 job_management.v1.JobStateEvent oneof:response
job_management.v1.GetJobMetricsRequest: job_id=1 string
job_management.v1.GetJobMetricsResponse: metrics=1 job_management.v1.MetricResults
job_management.v1.MetricResults: attempted=1 repeated pipeline.v1.MonitoringInfo; committed=2 repeated pipeline.v1.MonitoringInfo
job_management.v1.DescribePipelineOptionsRequest:
job_management.v1.PipelineOptionDescriptor: name=1 string; type=2 job_management.v1.PipelineOptionType.Enum; description=3 string; default_value=4 string; group=5 string
job_management.v1.DescribePipelineOptionsResponse: options=1 repeated job_management.v1.PipelineOptionDescriptor
job_management.v1.ResolveArtifactsRequest: artifacts=1 repeated pipeline.v1.ArtifactInformation; preferred_urns=2 repeated string
job_management.v1.ResolveArtifactsResponse: replacements=1 repeated pipeline.v1.ArtifactInformation
job_management.v1.GetArtifactRequest: artifact=1 pipeline.v1.ArtifactInformation
job_management.v1.GetArtifactResponse: data=1 bytes
job_management.v1.ArtifactRequestWrapper: resolve_artifact=1000 job_management.v1.ResolveArtifactsRequest oneof:request; get_artifact=1001 job_management.v1.GetArtifactRequest oneof:request
job_management.v1.ArtifactResponseWrapper: staging_token=1 string; is_last=2 bool; resolve_artifact_response=1000 job_management.v1.ResolveArtifactsResponse oneof:response; get_artifact_response=1001 job_management.v1.GetArtifactResponse oneof:response
job_management.v1.ArtifactMetadata: name=1 string; permissions=2 uint32; sha256=4 string
job_management.v1.Manifest: artifact=1 repeated job_management.v1.ArtifactMetadata
job_management.v1.ProxyManifest: manifest=1 job_management.v1.Manifest; location=2 repeated job_management.v1.ProxyManifest.Location
job_management.v1.ProxyManifest.Location: name=1 string; uri=2 string
job_management.v1.GetManifestRequest: retrieval_token=1 string
job_management.v1.GetManifestResponse: manifest=1 job_management.v1.Manifest
job_management.v1.LegacyGetArtifactRequest: name=1 string; retrieval_token=2 string
job_management.v1.ArtifactChunk: data=1 bytes
job_management.v1.PutArtifactMetadata: staging_session_token=1 string; metadata=2 job_management.v1.ArtifactMetadata
job_management.v1.PutArtifactRequest: metadata=1 job_management.v1.PutArtifactMetadata oneof:content; data=2 job_management.v1.ArtifactChunk oneof:content
job_management.v1.PutArtifactResponse:
job_management.v1.CommitManifestRequest: manifest=1 job_management.v1.Manifest; staging_session_token=2 string
job_management.v1.CommitManifestResponse: retrieval_token=1 string
fn_execution.v1.GetProvisionInfoRequest:
fn_execution.v1.GetProvisionInfoResponse: info=1 fn_execution.v1.ProvisionInfo
fn_execution.v1.ProvisionInfo: pipeline_options=3 google.protobuf.Struct; retrieval_token=6 string; status_endpoint=7 pipeline.v1.ApiServiceDescriptor; logging_endpoint=8 pipeline.v1.ApiServiceDescriptor; artifact_endpoint=9 pipeline.v1.ApiServiceDescriptor; control_endpoint=10 pipeline.v1.ApiServiceDescriptor; dependencies=11 repeated pipeline.v1.ArtifactInformation; runner_capabilities=12 repeated string; metadata=13 map<string,string>; sibling_worker_ids=14 repeated string
`;

const ENUMS: Record<string, Record<string, number>> = {
  "job_management.v1.JobState.Enum": {
    UNSPECIFIED: 0,
    STOPPED: 1,
    RUNNING: 2,
    DONE: 3,
    FAILED: 4,
    CANCELLED: 5,
    UPDATED: 6,
    DRAINING: 7,
    DRAINED: 8,
    STARTING: 9,
    CANCELLING: 10,
    UPDATING: 11,
  },
  "job_management.v1.JobMessage.MessageImportance": {
    MESSAGE_IMPORTANCE_UNSPECIFIED: 0,
    JOB_MESSAGE_DEBUG: 1,
    JOB_MESSAGE_DETAILED: 2,
    JOB_MESSAGE_BASIC: 3,
    JOB_MESSAGE_WARNING: 4,
    JOB_MESSAGE_ERROR: 5,
  },
  "job_management.v1.PipelineOptionType.Enum": { STRING: 0, BOOLEAN: 1, INTEGER: 2, NUMBER: 3, ARRAY: 4, OBJECT: 5 },
  "job_management.v1.CommitManifestResponse.Constants": { NO_ARTIFACTS_STAGED_TOKEN: 0 },
};

// `Service.Rpc: Request -> Response` with `stream` where Beam streams.
const SERVICES = `
job_management.v1.JobService.Prepare: PrepareJobRequest -> PrepareJobResponse
job_management.v1.JobService.Run: RunJobRequest -> RunJobResponse
job_management.v1.JobService.GetJobs: GetJobsRequest -> GetJobsResponse
job_management.v1.JobService.GetState: GetJobStateRequest -> JobStateEvent
job_management.v1.JobService.GetPipeline: GetJobPipelineRequest -> GetJobPipelineResponse
job_management.v1.JobService.Cancel: CancelJobRequest -> CancelJobResponse
job_management.v1.JobService.Drain: DrainJobRequest -> DrainJobResponse
job_management.v1.JobService.GetStateStream: GetJobStateRequest -> stream JobStateEvent
job_management.v1.JobService.GetMessageStream: JobMessagesRequest -> stream JobMessagesResponse
job_management.v1.JobService.GetJobMetrics: GetJobMetricsRequest -> GetJobMetricsResponse
job_management.v1.JobService.DescribePipelineOptions: DescribePipelineOptionsRequest -> DescribePipelineOptionsResponse
job_management.v1.ArtifactRetrievalService.ResolveArtifacts: ResolveArtifactsRequest -> ResolveArtifactsResponse
job_management.v1.ArtifactRetrievalService.GetArtifact: GetArtifactRequest -> stream GetArtifactResponse
job_management.v1.ArtifactStagingService.ReverseArtifactRetrievalService: stream ArtifactResponseWrapper -> stream ArtifactRequestWrapper
job_management.v1.LegacyArtifactStagingService.PutArtifact: stream PutArtifactRequest -> PutArtifactResponse
job_management.v1.LegacyArtifactStagingService.CommitManifest: CommitManifestRequest -> CommitManifestResponse
job_management.v1.LegacyArtifactRetrievalService.GetManifest: GetManifestRequest -> GetManifestResponse
job_management.v1.LegacyArtifactRetrievalService.GetArtifact: LegacyGetArtifactRequest -> stream ArtifactChunk
fn_execution.v1.ProvisionService.GetProvisionInfo: GetProvisionInfoRequest -> GetProvisionInfoResponse
`;

const SCALARS = new Set(["double", "float", "int32", "int64", "uint32", "uint64", "bool", "string", "bytes"]);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const full = (t: string) => (t.startsWith("google.") ? `.${t}` : `.${BEAM}${t}`);
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

function checkMessage(root: protobuf.Root, line: string, nameOf: (s: string) => string): void {
  const colon = line.indexOf(":");
  const message = line.slice(0, colon);
  const rest = line.slice(colon + 1).trim();
  const specs = rest === "" ? [] : rest.split(";").map((f) => f.trim());
  const type = root.lookupType(`${BEAM}${message}`);
  const re = /^(\w+)=(\d+) (repeated )?(?:map<(\w+),([\w.]+)>|([\w.]+))(?: oneof:(\w+))?$/;
  const names: string[] = [];
  for (const spec of specs) {
    const m = re.exec(spec);
    if (!m) throw new Error(`bad schema line for ${message}: ${spec}`);
    const [, name, id, repeated, mapKey, mapValue, plain, oneof] = m;
    const where = `${message}.${name}`;
    const field = type.fields[nameOf(name!)];
    expect(field, `${where}: present`).to.not.equal(undefined);
    names.push(nameOf(name!));
    expect(field!.id, `${where}: number`).to.equal(Number(id));
    expect(field!.repeated, `${where}: repeated`).to.equal(repeated !== undefined);
    expect(field!.map, `${where}: map`).to.equal(mapKey !== undefined);
    if (mapKey !== undefined) expect((field as unknown as protobuf.MapField).keyType, `${where}: map key`).to.equal(mapKey);
    const t = (mapValue ?? plain)!;
    if (SCALARS.has(t)) expect(field!.type, `${where}: type`).to.equal(t);
    else expect(field!.resolvedType?.fullName, `${where}: type`).to.equal(full(t));
    expect(field!.partOf?.name, `${where}: oneof`).to.equal(oneof === undefined ? undefined : nameOf(oneof));
  }
  expect(Object.keys(type.fields).sort(), `${message}: field set`).to.deep.equal(names.sort());
}

describe("portability/proto Beam service protos (Job, Artifact, Provision APIs, MonitoringInfo)", () => {
  const snakeRoot = loadBeamProtoRoot({ keepCase: true });

  describe("messages: snake_case names as in Beam's .proto files", () => {
    for (const line of lines(SCHEMA)) it(line.slice(0, line.indexOf(":")), () => checkMessage(snakeRoot, line, (s) => s));
  });

  describe("messages: camelCase names in the shared root", () => {
    for (const line of lines(SCHEMA)) it(line.slice(0, line.indexOf(":")), () => checkMessage(protoRoot, line, camel));
  });

  describe("enums", () => {
    for (const [name, values] of Object.entries(ENUMS)) {
      it(name, () => expect({ ...protoRoot.lookupEnum(`${BEAM}${name}`).values }).to.deep.equal(values));
    }
  });

  describe("services: rpc names, types and streaming as Beam's (they form the gRPC paths)", () => {
    const byService = new Map<string, string[]>();
    for (const line of lines(SERVICES)) {
      const service = line.slice(0, line.lastIndexOf(".", line.indexOf(":")));
      byService.set(service, [...(byService.get(service) ?? []), line]);
    }
    for (const [service, rpcs] of byService) {
      it(service, () => {
        const svc = protoRoot.lookupService(`${BEAM}${service}`);
        const pkg = service.slice(0, service.lastIndexOf("."));
        expect(svc.methodsArray.map((m) => m.name).sort()).to.deep.equal(
          rpcs.map((l) => l.slice(service.length + 1, l.indexOf(":"))).sort(),
        );
        for (const line of rpcs) {
          const m = /^[\w.]+\.(\w+): (stream )?(\w+) -> (stream )?(\w+)$/.exec(line)!;
          const method = svc.methods[m[1]!]!;
          method.resolve();
          expect(method.requestStream === true, `${m[1]} request stream`).to.equal(m[2] !== undefined);
          expect(method.responseStream === true, `${m[1]} response stream`).to.equal(m[4] !== undefined);
          expect(method.resolvedRequestType!.fullName, `${m[1]} request`).to.equal(`.${BEAM}${pkg}.${m[3]}`);
          expect(method.resolvedResponseType!.fullName, `${m[1]} response`).to.equal(`.${BEAM}${pkg}.${m[5]}`);
        }
      });
    }
  });
});
