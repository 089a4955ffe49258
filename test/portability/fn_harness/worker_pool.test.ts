import { expect } from "chai";
import * as mr from "../../../index";
import { startWorkerPool, type WorkerPool } from "../../../portability/fn_harness/worker_pool";
import { beamServiceDefinition } from "../../../portability/grpc/beam_services";
import { createClient, unaryCall } from "../../../portability/grpc/channels";
import { FnApiServices } from "../../../portability/proto/fn_api_root";
import { decodeMessage } from "../../../portability/proto/messages";
import { toProto } from "../../../portability/to_proto";
import { planOf } from "../../../portability/fn_harness/bundle_descriptor";
import { decodeAll, encodeAll } from "../../../portability/fn_harness/coded_values";
import type { Coder } from "../../../portability/coders/coder";
import type { WindowedValue } from "../../../model/windowed_value";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import { FnApiTestDriver, descriptorFrom } from "../../support/fn_api_test_driver";

describe("Fn API worker pool (BeamFnExternalWorkerPool)", function () {
  this.timeout(120_000);
  let driver: FnApiTestDriver;
  let pool: WorkerPool;

  afterEach(async () => {
    await pool?.close();
    await driver?.close();
  });

  it("starts a harness on StartWorker that serves the engine's bundles with the pool's user code, and stops it on StopWorker", async () => {
    const p = mr.Pipeline.create();
    p.apply("Nums", mr.create([1])).apply(
      "Double",
      mr.map((n: number) => n * 2),
    );
    const t = decodeMessage("Pipeline", toProto(p)).components!.transforms["Double"]!;
    const input = Object.values(t.inputs)[0]!;
    const output = t.outputs.main!;
    driver = await FnApiTestDriver.start();
    const descriptor = descriptorFrom(p, { id: "d", transforms: ["Double"], input, outputs: [output] });
    driver.descriptors.set("d", descriptor);
    pool = await startWorkerPool({ userCode: p._userCode });
    expect(pool.endpoint).to.match(/^127\.0\.0\.1:\d+$/);

    const client = createClient(beamServiceDefinition(FnApiServices.ExternalWorkerPool), "BeamFnExternalWorkerPool", pool.endpoint);
    const started = await unaryCall(client, "StartWorker", { workerId: "w-1", controlEndpoint: { url: driver.endpoint } });
    expect(started.error ?? "").to.equal("");
    const twice = await unaryCall(client, "StartWorker", { workerId: "w-1", controlEndpoint: { url: driver.endpoint } });
    expect(twice.error).to.match(/already running/);
    await driver.connected();

    const coder = (pc: string) => planOf(descriptor as never).model.coder(`wv_${pc}`, p._userCode) as Coder<WindowedValue<unknown>>;
    const values = [1, 2, 3].map((value) => ({ value, timestamp: 0, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }));
    await driver.send({ instructionId: "b", processBundle: { processBundleDescriptorId: "d" } });
    await driver.sendData([{ instructionId: "b", transformId: "source", data: encodeAll(coder(input), values), isLast: true }]);
    expect((await driver.response("b")).error ?? "").to.equal("");
    expect(decodeAll(coder(output), (await driver.output("b/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([2, 4, 6]);
    expect(driver.workerIds.every((w) => w.workerId === "w-1")).to.equal(true);

    const stopped = await unaryCall(client, "StopWorker", { workerId: "w-1" });
    expect(stopped.error ?? "").to.equal("");
    client.close();
  });

  it("refuses StartWorker without a control endpoint, saying so", async () => {
    pool = await startWorkerPool({});
    const client = createClient(beamServiceDefinition(FnApiServices.ExternalWorkerPool), "BeamFnExternalWorkerPool", pool.endpoint);
    const r = await unaryCall(client, "StartWorker", { workerId: "w" });
    expect(r.error).to.match(/needs a control endpoint/);
    client.close();
  });
});
