// The job client's parts that need no engine: the pipeline as an engine gets
// it, options as a Struct, MonitoringInfos as metrics, engine failures as
// PipelineExecutionErrors, and the flags' checks.
import { expect } from "chai";
import * as mr from "../../../index";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import {
  CODE_BUNDLE_STAGED_NAME,
  HARNESS_CAPABILITIES,
  ORIGIN_PARAM,
  harnessEnvironment,
  originOf,
  pipelineForEngine,
} from "../../../portability/engine/engine_pipeline";
import { decodeMessage } from "../../../portability/proto/messages";
import { protoRoot } from "../../../portability/proto/proto_root";
import { toProto } from "../../../portability/to_proto";
import { ArtifactUrns, CompositeTransformUrns, EnvironmentUrns, UserStateProtocolUrns } from "../../../portability/urns";
import { engineFailure } from "../../../runners/portable/engine_failure";
import { environmentTypeOf, prepareEnvironment } from "../../../runners/portable/harness_environment";
import { metricResultsOf, UserMetricUrns } from "../../../runners/portable/job_metrics";
import { optionsStruct } from "../../../runners/portable/pipeline_options_struct";

const payloadType = (name: string) => protoRoot.lookupType(`org.apache.beam.model.pipeline.v1.${name}`);

function smallPipeline(): Uint8Array {
  const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs([]));
  p.apply(mr.create(["a"])).apply(mr.countPerElement());
  return toProto(p);
}

describe("portable runner: the pipeline as an engine gets it", () => {
  it("replaces millrace's environment with Beam's external one, with capabilities and the code bundle as a dependency", () => {
    const proto = smallPipeline();
    const origin = originOf(proto);
    const out = decodeMessage(
      "Pipeline",
      pipelineForEngine(proto, harnessEnvironment({ kind: "external", endpoint: "127.0.0.1:5000" }, origin, { sha256: "ab" })),
    );
    const env = out.components!.environments["millrace_node"]!;
    expect(env.urn).to.equal(EnvironmentUrns.EXTERNAL);
    const ext = payloadType("ExternalPayload").toObject(payloadType("ExternalPayload").decode(env.payload)) as {
      endpoint: { url: string };
      params: Record<string, string>;
    };
    expect(ext.endpoint.url).to.equal("127.0.0.1:5000");
    expect(JSON.parse(ext.params[ORIGIN_PARAM]!)).to.deep.equal(origin);
    expect(env.capabilities).to.deep.equal([...HARNESS_CAPABILITIES]);
    expect(env.dependencies).to.have.length(1);
    const dep = env.dependencies[0]!;
    expect(dep.typeUrn).to.equal(ArtifactUrns.FILE);
    expect(dep.roleUrn).to.equal(ArtifactUrns.STAGING_TO_ROLE);
    expect(payloadType("ArtifactFilePayload").toObject(payloadType("ArtifactFilePayload").decode(dep.typePayload))).to.deep.equal({
      path: CODE_BUNDLE_STAGED_NAME,
      sha256: "ab",
    });
    // Every transform still points at the environment by the same id; the combine composite now does too
    // (Prism gives the phases it lifts the composite's environment: without one, they never run); nothing else changed.
    const before = decodeMessage("Pipeline", proto);
    const combines = Object.entries(before.components!.transforms).filter(
      ([, t]) => t.spec?.urn === CompositeTransformUrns.COMBINE_PER_KEY,
    );
    expect(combines).to.have.length(1);
    expect(combines[0]![1].environmentId ?? "").to.equal("");
    expect(out.components!.transforms[combines[0]![0]]!.environmentId).to.equal("millrace_node");
    combines[0]![1].environmentId = "millrace_node";
    expect(out.components!.transforms).to.deep.equal(before.components!.transforms);
  });

  it("gives a PCollection read as a multimap side input a KV coder of its own coder (an engine serves it key by key)", () => {
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs([]));
    const names = p.apply("Names", mr.create([mr.kv("a", 1)]));
    p.apply("Nums", mr.create([1])).apply(
      "Read",
      mr.map((n: number, ctx) => n + (ctx.sideInput("m").get("a") ?? 0), { sideInputs: { m: mr.views.map(names) } }),
    );
    const proto = toProto(p);
    const before = decodeMessage("Pipeline", proto);
    const out = decodeMessage(
      "Pipeline",
      pipelineForEngine(proto, harnessEnvironment({ kind: "external", endpoint: "127.0.0.1:5000" }, originOf(proto), undefined)),
    );
    const sideId = Object.values(before.components!.transforms).find((t) => t.uniqueName === "Names/Values")!.outputs["main"]!;
    const oldCoder = before.components!.pcollections[sideId]!.coderId;
    expect(before.components!.coders[oldCoder]!.spec!.urn).to.not.equal("beam:coder:kv:v1");
    const newCoder = out.components!.coders[out.components!.pcollections[sideId]!.coderId]!;
    expect(newCoder.spec!.urn).to.equal("beam:coder:kv:v1");
    // Key and value in the old (millrace) coder, each length-prefixed so the engine can split them.
    expect(newCoder.componentCoderIds).to.deep.equal([`${oldCoder}:length_prefixed`, `${oldCoder}:length_prefixed`]);
    const prefixed = out.components!.coders[`${oldCoder}:length_prefixed`]!;
    expect(prefixed.spec!.urn).to.equal("beam:coder:length_prefix:v1");
    expect(out.components!.coders[prefixed.componentCoderIds[0]!]!.spec).to.deep.equal(before.components!.coders[oldCoder]!.spec);
  });

  it("codes a Flatten's harness-produced inputs with the Flatten's output coder (an engine concatenates their bytes)", () => {
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs([]));
    const a = p.apply("A", mr.create([mr.kv("k", 1)]));
    const b = p.apply("B", mr.create([mr.kv("k", 2)]));
    a.apply("Both", mr.flatten([b])).apply("Group", mr.groupByKey());
    const proto = toProto(p);
    const before = decodeMessage("Pipeline", proto);
    const out = decodeMessage(
      "Pipeline",
      pipelineForEngine(proto, harnessEnvironment({ kind: "external", endpoint: "127.0.0.1:5000" }, originOf(proto), undefined)),
    );
    const flatten = Object.values(before.components!.transforms).find((t) => t.uniqueName === "Both")!;
    const outputCoder = before.components!.pcollections[Object.values(flatten.outputs)[0]!]!.coderId;
    const inputs = Object.values(flatten.inputs);
    expect(inputs.map((pc) => before.components!.pcollections[pc]!.coderId)).to.not.deep.equal([outputCoder, outputCoder]);
    // The same coder as the output's, whatever the length prefixing made of it.
    const outputCoderOut = out.components!.pcollections[Object.values(flatten.outputs)[0]!]!.coderId;
    expect(outputCoderOut.startsWith(outputCoder)).to.equal(true);
    expect(inputs.map((pc) => out.components!.pcollections[pc]!.coderId)).to.deep.equal([outputCoderOut, outputCoderOut]);
  });

  it("writes a process environment that runs the harness command with the origin in its environment", () => {
    const proto = smallPipeline();
    const env = harnessEnvironment({ kind: "process", command: "/opt/millrace-harness" }, originOf(proto), undefined);
    expect(env.urn).to.equal(EnvironmentUrns.PROCESS);
    const pp = payloadType("ProcessPayload").toObject(payloadType("ProcessPayload").decode(env.payload as Uint8Array)) as {
      command: string;
      env: Record<string, string>;
    };
    expect(pp.command).to.equal("/opt/millrace-harness");
    expect(JSON.parse(pp.env[ORIGIN_PARAM]!).runIndex).to.equal(0);
    expect(env.dependencies).to.deep.equal([]);
  });

  it("refuses a pipeline that has no millrace environment, saying so", () => {
    expect(() => originOf(new Uint8Array(0))).to.throw(/was not made by millrace's toProto/);
  });

  it("sets StateSpec.protocol as engines require (bag, multimap, ordered list)", () => {
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs([]));
    p.apply(mr.create([mr.kv("k", 1)])).apply(
      "Stateful",
      mr.parDo({
        state: {
          v: mr.state.value<number>(),
          b: mr.state.bag<number>(),
          m: mr.state.map<string, number>(),
          s: mr.state.set<string>(),
          o: mr.state.orderedList<number>(),
        },
        process(_e: mr.KV<string, number>) {
          return;
        },
      }),
    );
    const pipeline = decodeMessage("Pipeline", toProto(p));
    const pardo = Object.values(pipeline.components!.transforms).find((t) => t.uniqueName === "Stateful")!;
    const payload = decodeMessage("ParDoPayload", pardo.spec!.payload);
    const protocols = Object.fromEntries(Object.entries(payload.stateSpecs).map(([k, v]) => [k, v.protocol?.urn]));
    expect(protocols).to.deep.equal({
      v: UserStateProtocolUrns.BAG,
      b: UserStateProtocolUrns.BAG,
      m: UserStateProtocolUrns.MULTIMAP,
      s: UserStateProtocolUrns.MULTIMAP,
      o: UserStateProtocolUrns.ORDERED_LIST,
    });
  });
});

describe("portable runner: options, metrics, failures, flags", () => {
  it("sends options as beam:option:<name>:v1 Struct fields, never the local-only ones", () => {
    expect(
      optionsStruct({ runner: "prism", parallelism: 2, streaming: false, jobEndpoint: "h:1", jobToken: "secret", nothing: undefined }),
    ).to.deep.equal({
      fields: {
        "beam:option:runner:v1": { stringValue: "prism" },
        "beam:option:parallelism:v1": { numberValue: 2 },
        "beam:option:streaming:v1": { boolValue: false },
      },
    });
  });

  it("reads user counters, distributions and gauges from MonitoringInfos, summed over transforms", () => {
    const varints = (...ns: number[]) => {
      const w = new ByteWriter();
      for (const n of ns) w.writeVarint(n);
      return w.finish();
    };
    const labels = (name: string, t: string) => ({ NAMESPACE: "user", NAME: name, PTRANSFORM: t });
    const m = metricResultsOf([
      { urn: UserMetricUrns.SUM_INT64, type: "beam:metrics:sum_int64:v1", payload: varints(3), labels: labels("seen", "A") },
      { urn: UserMetricUrns.SUM_INT64, type: "beam:metrics:sum_int64:v1", payload: varints(4), labels: labels("seen", "B") },
      {
        urn: UserMetricUrns.DISTRIBUTION_INT64,
        type: "beam:metrics:distribution_int64:v1",
        payload: varints(2, 10, 3, 7),
        labels: labels("size", "A"),
      },
      { urn: UserMetricUrns.LATEST_INT64, type: "beam:metrics:latest_int64:v1", payload: varints(1000, 42), labels: labels("level", "A") },
      { urn: "beam:metric:element_count:v1", type: "beam:metrics:sum_int64:v1", payload: varints(9), labels: { PCOLLECTION: "p" } },
    ]);
    expect(m).to.deep.equal({
      counters: { seen: 7 },
      distributions: { size: { count: 2, sum: 10, min: 3, max: 7 } },
      gauges: { level: { timestamp: 1000, value: 42 } },
    });
  });

  it("names the transform and element the harness reported in an engine's failure message", () => {
    const harness = "transform 'Parse' failed in processing of element \"x:1\":\n    Error: bad line\n        at parse (file.ts:1:1)";
    const err = engineFailure("Prism", [`bundle inst003 failed: ${harness}`]);
    expect(err.transform).to.equal("Parse");
    expect(err.element).to.equal('"x:1"');
    expect(err.message).to.include("the job failed on Prism: bundle inst003 failed: transform 'Parse'");
    expect(err.message).to.include("Error: bad line");
  });

  it("rebuilds the user's error as the cause (name, message, stack) from what the harness reported", () => {
    const harness =
      "transform 'Parse' failed in processing of element 'x':\n    ParseError: cannot parse 'x'\n    on two lines\n        at parseStrictly (errors.ts:3:9)\n        at MapOperator.invoke (operators.js:39:24)";
    const cause = engineFailure("Prism", [`bundle inst003 failed: ${harness}`]).cause as Error;
    expect(cause).to.be.instanceOf(Error);
    expect(cause.name).to.equal("ParseError");
    expect(cause.message).to.equal("cannot parse 'x'\non two lines");
    expect(cause.stack).to.match(/^ParseError: cannot parse 'x'\non two lines\n {4}at parseStrictly \(errors\.ts:3:9\)/);
    // No stack reported: no cause made up.
    expect(engineFailure("Prism", ["transform 'Parse' failed in processing of element 'x':\n"]).cause).to.equal(undefined);
  });

  it("shows an engine's own reason when no transform is named, and says when there is none", () => {
    expect(engineFailure("Prism", ["worker crashed"]).message).to.equal("the job failed on Prism: worker crashed");
    expect(engineFailure("Prism", []).message).to.equal("the job failed on Prism, which gave no reason");
  });

  it("checks --environmentType and --environmentConfig with messages that say what is expected", async () => {
    expect(environmentTypeOf(undefined)).to.equal("LOOPBACK");
    expect(environmentTypeOf("external")).to.equal("EXTERNAL");
    expect(() => environmentTypeOf("DOCKER")).to.throw("--environmentType must be one of LOOPBACK, PROCESS, EXTERNAL, not 'DOCKER'");
    const err = await prepareEnvironment("EXTERNAL", "not an endpoint").then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.include("--environmentType=EXTERNAL needs --environmentConfig=host:port");
    const ok = await prepareEnvironment("PROCESS", "/bin/harness");
    expect(ok.environment).to.deep.equal({ kind: "process", command: "/bin/harness" });
  });
});
