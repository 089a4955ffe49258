import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import {
  BeamServices,
  beamServiceDefinition,
  bidiStreamCall,
  createClient,
  serverStreamCall,
  serviceDefinition,
  startGrpcServer,
  unaryCall,
  waitForReady,
  type GrpcMessage,
  type RunningGrpcServer,
} from "../../../portability/grpc";
import { encodeMessage } from "../../../portability/proto/messages";
import { protoRoot } from "../../../portability/proto/proto_root";

describe("portability/grpc service definitions from the protobufjs root", () => {
  it("builds each rpc's path and streaming flags from the .proto service", () => {
    const def = beamServiceDefinition(BeamServices.JobService);
    expect(def.Prepare!.path).to.equal("/org.apache.beam.model.job_management.v1.JobService/Prepare");
    expect([def.Prepare!.requestStream, def.Prepare!.responseStream]).to.deep.equal([false, false]);
    expect([def.GetStateStream!.requestStream, def.GetStateStream!.responseStream]).to.deep.equal([false, true]);
    const staging = beamServiceDefinition(BeamServices.ArtifactStagingService);
    expect([staging.ReverseArtifactRetrievalService!.requestStream, staging.ReverseArtifactRetrievalService!.responseStream]).to.deep.equal(
      [true, true],
    );
  });

  it("serializes with the protobufjs types: the bytes are the message's wire encoding", () => {
    const def = beamServiceDefinition(BeamServices.JobService);
    const bytes = def.Run!.requestSerialize({ preparationId: "p1", retrievalToken: "t" });
    // RunJobRequest: field 1 (0x0a) "p1", field 2 (0x12) "t".
    expect(Buffer.from(bytes).toString("hex")).to.equal("0a027031" + "120174");
    expect(def.Run!.requestDeserialize(bytes)).to.deep.equal({ preparationId: "p1", retrievalToken: "t" });
  });

  it("passes bytes that are already encoded through unchanged (to splice in a pipeline's exact bytes)", () => {
    const def = beamServiceDefinition(BeamServices.JobService);
    const pipeline = encodeMessage("Pipeline", { rootTransformIds: ["t"] });
    const preEncoded = Buffer.concat([Buffer.from([0x0a, pipeline.length]), pipeline]);
    expect(Buffer.from(def.Prepare!.requestSerialize(preEncoded)).equals(preEncoded)).to.equal(true);
    const back = def.Prepare!.requestDeserialize(preEncoded) as { pipeline: { rootTransformIds: string[] } };
    expect(back.pipeline.rootTransformIds).to.deep.equal(["t"]);
  });

  it("names the message type when a value cannot be encoded", () => {
    const def = beamServiceDefinition(BeamServices.JobService);
    expect(() => def.Cancel!.requestSerialize({ jobId: { not: "a string" } })).to.throw(/CancelJobRequest/);
  });

  it("refuses a service the root does not define, naming it", () => {
    expect(() => serviceDefinition(protoRoot, "org.apache.beam.model.job_management.v1.NoSuchService")).to.throw(/NoSuchService/);
  });

  describe("over a real loopback channel", () => {
    let server: RunningGrpcServer;
    let client: ReturnType<typeof createClient>;
    let staging: ReturnType<typeof createClient>;

    before(async () => {
      const jobService: grpc.UntypedServiceImplementation = {
        Run: (call: grpc.ServerUnaryCall<GrpcMessage, GrpcMessage>, cb: grpc.sendUnaryData<GrpcMessage>) =>
          cb(null, { jobId: `job-for-${String(call.request.preparationId)}` }),
        Cancel: (_call: grpc.ServerUnaryCall<GrpcMessage, GrpcMessage>, cb: grpc.sendUnaryData<GrpcMessage>) =>
          cb({ code: grpc.status.NOT_FOUND, details: "no such job" }, null),
        GetStateStream: (call: grpc.ServerWritableStream<GrpcMessage, GrpcMessage>) => {
          for (const state of [1, 2, 3]) call.write({ state, timestamp: { seconds: 1700000000 + state, nanos: 0 } });
          call.end();
        },
      };
      const stagingService: grpc.UntypedServiceImplementation = {
        // The job service side of reverse retrieval: ask the client for an artifact, echo what it sends back.
        ReverseArtifactRetrievalService: (call: grpc.ServerDuplexStream<GrpcMessage, GrpcMessage>) => {
          let chunks = 0;
          call.on("data", (msg: GrpcMessage) => {
            if (msg.response === undefined) {
              call.write({ getArtifact: { artifact: { typeUrn: "beam:artifact:type:file:v1" } } });
            } else if (msg.response === "getArtifactResponse") {
              chunks++;
              if (msg.isLast) {
                call.write({ resolveArtifact: { preferredUrns: [`got ${chunks}`] } });
                call.end();
              }
            }
          });
        },
      };
      server = await startGrpcServer([
        { definition: beamServiceDefinition(BeamServices.JobService), implementation: jobService },
        { definition: beamServiceDefinition(BeamServices.ArtifactStagingService), implementation: stagingService },
      ]);
      client = createClient(beamServiceDefinition(BeamServices.JobService), "JobService", server.endpoint);
      staging = createClient(beamServiceDefinition(BeamServices.ArtifactStagingService), "ArtifactStagingService", server.endpoint);
    });

    after(async () => {
      client.close();
      staging.close();
      await server.close();
    });

    it("answers a unary call", async () => {
      await waitForReady(client, "test job service", 30_000);
      const res = await unaryCall<{ jobId: string }>(client, "Run", { preparationId: "p7" });
      expect(res.jobId).to.equal("job-for-p7");
    });

    it("rejects a unary call with the server's status and details", async () => {
      const err = (await unaryCall(client, "Cancel", { jobId: "x" }).then(
        () => null,
        (e: unknown) => e,
      )) as grpc.ServiceError;
      expect(err.code).to.equal(grpc.status.NOT_FOUND);
      expect(err.details).to.equal("no such job");
    });

    it("streams server messages as an async iterable", async () => {
      const states: number[] = [];
      for await (const ev of serverStreamCall<{ state: number; timestamp: { seconds: number } }>(client, "GetStateStream", {
        jobId: "j",
      })) {
        states.push(ev.state);
        expect(ev.timestamp.seconds).to.equal(1700000000 + ev.state);
      }
      expect(states).to.deep.equal([1, 2, 3]);
    });

    it("runs a bidi stream in both directions with oneof members named", async () => {
      const call = bidiStreamCall<GrpcMessage, GrpcMessage>(staging, "ReverseArtifactRetrievalService");
      call.write({ stagingToken: "tok" });
      const seen: string[] = [];
      for await (const req of call) {
        seen.push(String(req.request));
        if (req.request === "getArtifact") {
          call.write({ stagingToken: "tok", getArtifactResponse: { data: Buffer.from("ab") } });
          call.write({ stagingToken: "tok", isLast: true, getArtifactResponse: { data: Buffer.from("cd") } });
        } else {
          expect((req.resolveArtifact as { preferredUrns: string[] }).preferredUrns).to.deep.equal(["got 2"]);
          call.end();
        }
      }
      expect(seen).to.deep.equal(["getArtifact", "resolveArtifact"]);
    });

    it("says which endpoint cannot be reached, within the time given", async () => {
      const closed = await startGrpcServer([]);
      const endpoint = closed.endpoint;
      await closed.close();
      const c = createClient(beamServiceDefinition(BeamServices.JobService), "JobService", endpoint);
      try {
        const err = await waitForReady(c, `job service at ${endpoint}`, 500).then(
          () => null,
          (e: Error) => e,
        );
        expect(err?.message).to.match(new RegExp(`cannot reach the job service at ${endpoint.replace(/[.]/g, "\\.")} within 0\\.5 s`));
      } finally {
        c.close();
      }
    });
  });
});
