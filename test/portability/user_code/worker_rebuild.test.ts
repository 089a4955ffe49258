import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import { fromProto } from "../../../portability/from_proto";
import { encodeMessage } from "../../../portability/proto/messages";
import { ByteReader } from "../../../portability/coders";
import { NATIVE_COMPOSITES, planExecution } from "../../../runners/core/fusion";
import { windowedValueCoder } from "../../../runners/core/collection_coders";
import { accumulatorsOf, type ExecutionPlan } from "../../../portability/plan/execution_plan";
import { ExecutorPool } from "../../../runners/microbatch/executor_pool";
import { JobContext, runTask } from "../../../runners/microbatch/task_runner";
import type { TaskResult, TaskSpec } from "../../../runners/microbatch/task_spec";
import { readAll } from "../../../runners/microbatch/shuffle/shuffle_reader";
import { createSpillDir, removeSpillDir } from "../../../runners/microbatch/shuffle/spill_dir";
import type { PipelineModel } from "../../../portability/pipeline_model";
import { closurePipeline } from "../../fixtures/closure_pipeline";

/** A task running the stage rooted at the pipeline's Create, writing its materialized outputs round robin. */
function createStageTask(jobId: string, plan: ExecutionPlan, spillDir: string): TaskSpec {
  const stage = plan.stages.find((s) => s.root.kind === "create")!;
  return {
    jobId,
    nodeId: stage.id,
    nodeKind: "stage",
    partition: 0,
    partitions: 1,
    attempt: 1,
    sourceRange: { from: 0, to: 7 },
    inputs: {},
    sideInputs: {},
    outputs: Object.fromEntries(stage.materialized.map((pc) => [pc, "roundRobin" as const])),
    memoryBudgetBytes: 1 << 20,
    spillDir,
  };
}

/** Every element a task wrote to `pc`, decoded. */
function written(model: PipelineModel, plan: ExecutionPlan, result: TaskResult, pc: string, userCode: mr.Pipeline["_userCode"]): unknown[] {
  const coder = windowedValueCoder(model, plan, pc, userCode);
  const segments = result.outputs[pc]!.partitions.flat();
  return [...readAll(segments)].map((r) => (coder.decode(new ByteReader(r.value), "outer") as { value: unknown }).value);
}

describe("user code on worker threads", function () {
  this.timeout(60_000);
  let pool: ExecutorPool;
  let spillDir: string;
  before(() => {
    pool = new ExecutorPool(1);
    spillDir = createSpillDir();
  });
  after(async () => {
    await pool.close();
    removeSpillDir(spillDir);
  });

  it("runs a fused stage with closures and an imported helper on a worker, from the proto bytes alone", async () => {
    const p = closurePipeline.create();
    const bytes = mr.portability.toProto(p);
    const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES });
    const plan = planExecution(model);
    const stage = plan.stages.find((s) => s.root.kind === "create")!;
    expect(stage.steps.map((s) => s.kind)).to.deep.equal(["pardo", "pardo", "pardo", "precombine"]);
    pool.addJob("closures-1", bytes);
    const result = await pool.run(createStageTask("closures-1", plan, spillDir));
    const combineId = plan.shuffles.find((s) => s.kind === "combine")!.transformId;
    const partials = written(model, plan, result, accumulatorsOf(combineId), p._userCode) as mr.KV<string, number>[];
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
    const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES });
    const plan = planExecution(model);
    pool.addJob("closures-2", bytes);
    const task = createStageTask("closures-2", plan, spillDir);
    const onWorker = await pool.run(task);
    const inProcess = runTask(new JobContext(model, plan, p._userCode), task);
    for (const pc of Object.keys(task.outputs)) {
      const canon = (r: TaskResult) =>
        written(model, plan, r, pc, p._userCode)
          .map((v) => JSON.stringify(v))
          .sort();
      expect(canon(onWorker)).to.deep.equal(canon(inProcess));
    }
  });

  it("rebuilds a script that builds and runs its pipeline at top level, with its own arguments", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-script-"));
    const scriptPool = new ExecutorPool(1);
    try {
      const protoFile = path.join(dir, "pipeline.pb");
      const script = path.join(__dirname, "../../fixtures/closure_script.js");
      execFileSync(process.execPath, [script, "--suffix=!!"], { env: { ...process.env, CLOSURE_SCRIPT_PROTO_OUT: protoFile } });
      const bytes = new Uint8Array(fs.readFileSync(protoFile));
      const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES });
      const plan = planExecution(model);
      scriptPool.addJob("script", bytes);
      const task = { ...createStageTask("script", plan, spillDir), sourceRange: { from: 0, to: 2 } };
      const result = await scriptPool.run(task);
      const [pc] = Object.keys(task.outputs);
      const values = written(model, plan, result, pc!, { lookup: () => mr.coders.jsValue() } as never);
      expect(values).to.have.deep.members([mr.kv(3, "X!!"), mr.kv(4, "YY!!")]);
    } finally {
      await scriptPool.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to rebuild a pipeline whose construction is not deterministic, naming the module", async () => {
    const p = closurePipeline.create();
    const message = mr.portability.fromProto(mr.portability.toProto(p));
    const env = message.components.environments["millrace_node"]!;
    const origin = JSON.parse(Buffer.from(env.payload).toString("utf8"));
    origin.fingerprint = "0000000000000000";
    env.payload = new Uint8Array(Buffer.from(JSON.stringify(origin)));
    const tampered = encodeMessage("Pipeline", message.proto as never);
    const plan = planExecution(fromProto(tampered, { nativeComposites: NATIVE_COMPOSITES }));
    pool.addJob("tampered", tampered);
    let failure: { message: string } | undefined;
    await pool.run(createStageTask("tampered", plan, spillDir)).catch((f: { message: string }) => (failure = f));
    expect(failure?.message)
      .to.match(/differs from the one submitted/)
      .and.to.include("closure_pipeline");
  });
});
