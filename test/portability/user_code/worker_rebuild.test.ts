import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import { fromProto } from "../../../portability/from_proto";
import { NATIVE_COMPOSITES, planExecution } from "../../../runners/core/fusion";
import { runStageOnWorker } from "../../../runners/core/worker/run_stage_on_worker";
import { runStageTask } from "../../../runners/core/worker/stage_task";
import { windowedValueCoder } from "../../../runners/core/collection_coders";
import { accumulatorsOf } from "../../../runners/core/execution_plan";
import { decodeFromBytes } from "../../../portability/coders";
import { encodeMessage } from "../../../portability/proto/messages";
import { closurePipeline } from "../../fixtures/closure_pipeline";

describe("user code on worker threads", function () {
  this.timeout(60_000);

  it("runs a fused stage with closures and an imported helper on a worker, from the proto bytes alone", async () => {
    const p = closurePipeline.create();
    const bytes = mr.portability.toProto(p);
    const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES });
    const plan = planExecution(model);
    const stage = plan.stages.find((s) => s.root.kind === "create")!;
    const combineId = plan.shuffles.find((s) => s.kind === "combine")!.transformId;
    expect(stage.steps.map((s) => s.kind)).to.deep.equal(["pardo", "pardo", "pardo", "precombine"]);

    const result = await runStageOnWorker({ pipelineProto: bytes, stageId: stage.id });

    const pc = accumulatorsOf(combineId);
    const coder = windowedValueCoder(model, plan, pc, p._userCode);
    const partials = result.outputs[pc]!.map((b) => (decodeFromBytes(coder, b) as { value: mr.KV<string, number> }).value);
    // filter(minLength) dropped "a"; map used shout(), repeat and SUFFIX; the precombine counted.
    expect(new Map(partials.map((kv) => [kv.key, kv.value]))).to.deep.equal(
      new Map([
        ["TOTO!", 2],
        ["BEBE!", 2],
        ["OROR!", 1],
        ["NOTNOT!", 1],
      ]),
    );
  });

  it("gives the same outputs on the worker as in the building process", async () => {
    const p = closurePipeline.create();
    const bytes = mr.portability.toProto(p);
    const plan = planExecution(fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES }));
    const stageId = plan.stages.find((s) => s.root.kind === "create")!.id;
    const onWorker = await runStageOnWorker({ pipelineProto: bytes, stageId });
    const inProcess = await runStageTask({ pipelineProto: bytes, stageId }, p._userCode);
    const sorted = (o: Record<string, Uint8Array[]>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.map((b) => Buffer.from(b).toString("hex")).sort()]));
    expect(sorted(onWorker.outputs)).to.deep.equal(sorted(inProcess.outputs));
  });

  it("rebuilds a script that builds and runs its pipeline at top level, with its own arguments", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-script-"));
    try {
      const protoFile = path.join(dir, "pipeline.pb");
      const script = path.join(__dirname, "../../fixtures/closure_script.js");
      execFileSync(process.execPath, [script, "--suffix=!!"], { env: { ...process.env, CLOSURE_SCRIPT_PROTO_OUT: protoFile } });
      const bytes = new Uint8Array(fs.readFileSync(protoFile));
      const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES });
      const plan = planExecution(model);
      const stage = plan.stages.find((s) => s.root.kind === "create")!;
      const result = await runStageOnWorker({ pipelineProto: bytes, stageId: stage.id });
      const [pc, encoded] = Object.entries(result.outputs)[0]!;
      const coder = windowedValueCoder(model, plan, pc, { lookup: () => mr.coders.jsValue() });
      const values = encoded.map((b) => (decodeFromBytes(coder, b) as { value: mr.KV<number, string> }).value);
      expect(values).to.have.deep.members([mr.kv(3, "X!!"), mr.kv(4, "YY!!")]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to rebuild a pipeline whose construction is not deterministic, naming the module", async () => {
    const p = closurePipeline.create();
    const bytes = mr.portability.toProto(p);
    const message = mr.portability.fromProto(bytes);
    const env = message.components.environments["millrace_node"]!;
    const origin = JSON.parse(Buffer.from(env.payload).toString("utf8"));
    origin.fingerprint = "0000000000000000";
    env.payload = new Uint8Array(Buffer.from(JSON.stringify(origin)));
    const tampered = encodeMessage("Pipeline", message.proto as never);
    const plan = planExecution(fromProto(tampered, { nativeComposites: NATIVE_COMPOSITES }));
    let error: Error | undefined;
    try {
      await runStageOnWorker({ pipelineProto: tampered, stageId: plan.stages[0]!.id });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/differs from the one submitted/).and.to.include("closure_pipeline");
  });
});
