import { expect } from "chai";
import * as mr from "../../../index";
import { readMonitoringInfo } from "../../../portability/fn_harness/monitoring_infos";
import { decodeMessage } from "../../../portability/proto/messages";
import { toProto } from "../../../portability/to_proto";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import type { Coder } from "../../../portability/coders/coder";
import type { WindowedValue } from "../../../model/windowed_value";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import { decodeAll } from "../../../portability/fn_harness/coded_values";
import { FnApiTestDriver, descriptorFrom, portCoder } from "../../support/fn_api_test_driver";

type Msg = Record<string, unknown>;

/** The PCollection a transform reads as its main input, and the one it writes as `main`. */
function ioOf(p: mr.Pipeline, transform: string): { input: string; output: string } {
  const t = decodeMessage("Pipeline", toProto(p)).components!.transforms[transform]!;
  return { input: Object.values(t.inputs)[0]!, output: t.outputs.main ?? Object.values(t.outputs)[0]! };
}

function encodeElements(coder: Coder<WindowedValue<unknown>>, values: unknown[], timestamp = 0): Uint8Array {
  const w = new ByteWriter();
  for (const value of values) coder.encode({ value, timestamp, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }, w, "nested");
  return w.finish();
}

function infosOf(response: Msg): { urn: string; type: string; payload: Uint8Array; labels: Record<string, string> }[] {
  return ((response.processBundle ?? response.processBundleProgress) as { monitoringInfos: never[] }).monitoringInfos;
}

describe("Fn API SDK harness (against a test driver of the protocol over gRPC)", function () {
  this.timeout(120_000);
  let driver: FnApiTestDriver;

  beforeEach(async () => {
    driver = await FnApiTestDriver.start();
  });
  afterEach(async () => {
    await driver.close();
  });

  function startHarness(p: mr.Pipeline, workerId = "worker-7"): void {
    driver.startHarness(p._userCode, workerId, { logging: true });
  }

  function upperPipeline(): { p: mr.Pipeline; descriptor: Msg; input: string; output: string } {
    const p = mr.Pipeline.create();
    p.apply("Words", mr.create(["a"])).apply(
      "Upper",
      mr.parDo({
        process(w: string, ctx) {
          ctx.metrics.counter("seen").inc();
          if (w === "boom") throw new Error("cannot shout boom");
          return [w.toUpperCase()];
        },
      }),
    );
    const { input, output } = ioOf(p, "Upper");
    const descriptor = descriptorFrom(p, { id: "d1", transforms: ["Upper"], input, outputs: [output] });
    return { p, descriptor, input, output };
  }

  it("runs a ParDo bundle: data sent before the bundle is held, an element split across blocks is joined, outputs end with is_last", async () => {
    const { p, descriptor, input, output } = upperPipeline();
    driver.descriptors.set("d1", descriptor);
    startHarness(p);
    const bytes = encodeElements(portCoder(descriptor, p, input), ["hello", "fn", "api"]);
    // The first bundle's data opens the data stream, so send the bundle first and its data in three blocks,
    // cutting the second element in two.
    await driver.send({ instructionId: "b1", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.dataStreamOpen();
    await driver.sendData([{ instructionId: "b1", transformId: "source", data: bytes.subarray(0, 9) }]);
    await driver.sendData([{ instructionId: "b1", transformId: "source", data: bytes.subarray(9) }]);
    await driver.sendData([{ instructionId: "b1", transformId: "source", isLast: true }]);
    const response = await driver.response("b1");
    expect(response.error ?? "").to.equal("");
    const out = await driver.output("b1/sink0");
    expect(out.isLast).to.equal(true);
    expect(decodeAll(portCoder(descriptor, p, output), out.bytes).map((wv) => wv.value)).to.deep.equal(["HELLO", "FN", "API"]);

    // The second bundle's data arrives before its ProcessBundle request: held until it is registered.
    await driver.sendData([
      { instructionId: "b2", transformId: "source", data: encodeElements(portCoder(descriptor, p, input), ["x"]), isLast: true },
    ]);
    const second = await driver.instruct({ instructionId: "b2", processBundle: { processBundleDescriptorId: "d1" } });
    expect(second.error ?? "").to.equal("");
    expect(decodeAll(portCoder(descriptor, p, output), (await driver.output("b2/sink0")).bytes).map((wv) => wv.value)).to.deep.equal(["X"]);

    // The descriptor was fetched once, and every call carried the worker id.
    expect(driver.descriptorRequests).to.deep.equal(["d1"]);
    expect(driver.workerIds.map((w) => w.rpc)).to.include.members(["Control", "GetProcessBundleDescriptor", "Data", "Logging"]);
    expect(new Set(driver.workerIds.map((w) => w.workerId))).to.deep.equal(new Set(["worker-7"]));

    // Metrics as MonitoringInfos: the user counter under the transform, element counts per PCollection.
    const infos = infosOf(second);
    const counter = infos.find((i) => i.urn === "beam:metric:user:sum_int64:v1")!;
    expect(counter.labels).to.deep.equal({ PTRANSFORM: "Upper", NAMESPACE: "millrace", NAME: "seen" });
    expect(readMonitoringInfo(counter)).to.deep.equal({ kind: "sum", value: 1 });
    const counts = Object.fromEntries(
      infos.filter((i) => i.urn === "beam:metric:element_count:v1").map((i) => [i.labels.PCOLLECTION, readMonitoringInfo(i)]),
    );
    expect(counts[input]).to.deep.equal({ kind: "sum", value: 1 });
    expect(counts[output]).to.deep.equal({ kind: "sum", value: 1 });
  });

  it("splits a bundle before its first element is read: the channel split is consistent, the bundle finishes with the primary only", async () => {
    const { p, descriptor, input, output } = upperPipeline();
    driver.descriptors.set("d1", descriptor);
    startHarness(p);
    const coder = portCoder(descriptor, p, input);
    const splitOf = async (id: string, estimatedInputElements: number) => {
      const r = await driver.instruct({
        processBundleSplit: { instructionId: id, desiredSplits: { source: { fractionOfRemainder: 0.5, estimatedInputElements } } },
      });
      expect(r.error ?? "").to.equal("");
      return (r.processBundleSplit as { channelSplits: Msg[] }).channelSplits;
    };
    // Nothing read of 4 elements: keeping half keeps elements 0 and 1.
    await driver.send({ instructionId: "s1", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.sendData([{ instructionId: "s1", transformId: "source", data: encodeElements(coder, []) }]);
    expect(await splitOf("s1", 4)).to.deep.equal([{ transformId: "source", lastPrimaryElement: 1, firstResidualElement: 2 }]);
    await driver.sendData([
      { instructionId: "s1", transformId: "source", data: encodeElements(coder, ["a", "b", "c", "d"]), isLast: true },
    ]);
    expect((await driver.response("s1")).error ?? "").to.equal("");
    expect(decodeAll(portCoder(descriptor, p, output), (await driver.output("s1/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([
      "A",
      "B",
    ]);
    // One element not yet read: an empty primary is declined (the engine would get the whole bundle back for nothing).
    await driver.send({ instructionId: "s2", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.sendData([{ instructionId: "s2", transformId: "source", data: encodeElements(coder, []) }]);
    expect(await splitOf("s2", 1)).to.deep.equal([]);
    await driver.sendData([{ instructionId: "s2", transformId: "source", data: encodeElements(coder, ["z"]), isLast: true }]);
    expect((await driver.response("s2")).error ?? "").to.equal("");
    expect(decodeAll(portCoder(descriptor, p, output), (await driver.output("s2/sink0")).bytes).map((wv) => wv.value)).to.deep.equal(["Z"]);
  });

  it("sends metrics as short ids (monitoring_data, as Prism reads them) that MonitoringInfosMetadata resolves, for bundles and progress", async () => {
    const { p, descriptor, input } = upperPipeline();
    driver.descriptors.set("d1", descriptor);
    startHarness(p);
    const coder = portCoder(descriptor, p, input);
    type Data = { monitoringInfos: Msg[]; monitoringData: Record<string, Uint8Array> };
    const resolve = async (data: Record<string, Uint8Array>) => {
      const meta = await driver.instruct({ monitoringInfos: { monitoringInfoId: Object.keys(data) } });
      const byId = (
        meta.monitoringInfos as { monitoringInfo: Record<string, { urn: string; type: string; labels: Record<string, string> }> }
      ).monitoringInfo;
      expect(Object.keys(byId).sort(), "every short id is described").to.deep.equal(Object.keys(data).sort());
      return Object.entries(data).map(([id, payload]) => ({
        urn: byId[id]!.urn,
        type: byId[id]!.type,
        labels: byId[id]!.labels,
        payload: Buffer.from(payload),
      }));
    };
    for (const id of ["b1", "b2"]) {
      await driver.send({ instructionId: id, processBundle: { processBundleDescriptorId: "d1" } });
      await driver.sendData([{ instructionId: id, transformId: "source", data: encodeElements(coder, ["x", "y"]), isLast: true }]);
      const done = await driver.response(id);
      expect(done.error ?? "").to.equal("");
      const full = done.processBundle as unknown as Data;
      const resolved = await resolve(full.monitoringData);
      const byKey = (i: { urn: string; labels: Record<string, string> }) => i.urn + JSON.stringify(Object.entries(i.labels).sort());
      const expected = (full.monitoringInfos as unknown as { urn: string; labels: Record<string, string>; payload: Uint8Array }[]).map(
        (i) => [byKey(i), Buffer.from(i.payload).toString("hex")],
      );
      expect(resolved.map((i) => [byKey(i), i.payload.toString("hex")]).sort()).to.deep.equal(expected.sort());
      const counter = resolved.find((i) => i.urn === "beam:metric:user:sum_int64:v1")!;
      expect(counter.labels).to.deep.equal({ PTRANSFORM: "Upper", NAMESPACE: "millrace", NAME: "seen" });
      expect(readMonitoringInfo(counter)).to.deep.equal({ kind: "sum", value: 2 });
    }
    // Progress carries the read index by short id too: without it an engine sees no progress and splits.
    await driver.send({ instructionId: "b3", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.sendData([{ instructionId: "b3", transformId: "source", data: encodeElements(coder, ["a"]) }]);
    let index = -1;
    for (let attempt = 0; index < 0; attempt++) {
      const r = await driver.instruct({ processBundleProgress: { instructionId: "b3" } });
      const resolved = await resolve((r.processBundleProgress as unknown as Data).monitoringData);
      const info = resolved.find((i) => i.urn === "beam:metric:data_channel:read_index:v1");
      index = info ? (readMonitoringInfo(info) as { value: number }).value : -1;
      if (attempt > 1000) throw new Error("progress never reached element 0");
    }
    expect(index).to.equal(0);
    await driver.sendData([{ instructionId: "b3", transformId: "source", isLast: true }]);
    expect((await driver.response("b3")).error ?? "").to.equal("");
  });

  it("answers a failing DoFn with an error naming the transform and the element, and the next bundle runs", async () => {
    const { p, descriptor, input, output } = upperPipeline();
    driver.descriptors.set("d1", descriptor);
    startHarness(p);
    await driver.send({ instructionId: "bad", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.sendData([
      { instructionId: "bad", transformId: "source", data: encodeElements(portCoder(descriptor, p, input), ["ok", "boom"]), isLast: true },
    ]);
    const failed = await driver.response("bad");
    expect(failed.error).to.match(/transform 'Upper' failed in processing of element 'boom'/);
    expect(failed.error).to.include("cannot shout boom");
    // The output of a failed bundle never looks complete.
    expect(driver.data.get("bad/sink0")?.isLast ?? false).to.equal(false);
    // The engine's log gets the failure too.
    await driver.until(() => driver.logs.some((l) => String(l.message).includes("cannot shout boom")), "the failure in the log");

    await driver.sendData([
      { instructionId: "good", transformId: "source", data: encodeElements(portCoder(descriptor, p, input), ["fine"]), isLast: true },
    ]);
    const ok = await driver.instruct({ instructionId: "good", processBundle: { processBundleDescriptorId: "d1" } });
    expect(ok.error ?? "").to.equal("");
    expect(decodeAll(portCoder(descriptor, p, output), (await driver.output("good/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([
      "FINE",
    ]);
  });

  it("answers an unknown descriptor and an unsupported URN with errors, never a hang", async () => {
    const { p, descriptor } = upperPipeline();
    const odd = structuredClone(descriptor) as { transforms: Record<string, { spec: { urn: string } }> };
    odd.transforms["Upper"]!.spec.urn = "beam:transform:something_else:v1";
    driver.descriptors.set("odd", odd as unknown as Msg);
    startHarness(p);
    const missing = await driver.instruct({ processBundle: { processBundleDescriptorId: "nope" } });
    expect(missing.error).to.match(/cannot get bundle descriptor 'nope'/);
    const unsupported = await driver.instruct({ processBundle: { processBundleDescriptorId: "odd" } });
    expect(unsupported.error).to.match(/transform 'Upper' of the bundle has URN 'beam:transform:something_else:v1'/);
  });

  it("reports progress and splits the input channel between elements: the residual is never processed", async () => {
    const { p, descriptor, input, output } = upperPipeline();
    driver.descriptors.set("d1", descriptor);
    startHarness(p);
    const coder = portCoder(descriptor, p, input);
    await driver.send({ instructionId: "b", processBundle: { processBundleDescriptorId: "d1" } });
    await driver.sendData([{ instructionId: "b", transformId: "source", data: encodeElements(coder, ["a", "b"]) }]);
    // Progress: the read index says how far the channel was read (asked until both elements went through).
    let index = -1;
    for (let attempt = 0; index < 1; attempt++) {
      const r = await driver.instruct({ processBundleProgress: { instructionId: "b" } });
      const info = infosOf(r).find((i) => i.urn === "beam:metric:data_channel:read_index:v1");
      index = info ? (readMonitoringInfo(info) as { value: number }).value : -1;
      if (attempt > 1000) throw new Error("progress never reached element 1");
    }
    expect(index).to.equal(1);
    // 2 of 6 elements are done: keeping half of the remaining 4 cuts at element 4.
    const split = await driver.instruct({
      processBundleSplit: { instructionId: "b", desiredSplits: { source: { fractionOfRemainder: 0.5, estimatedInputElements: 6 } } },
    });
    expect((split.processBundleSplit as { channelSplits: Msg[] }).channelSplits).to.deep.equal([
      { transformId: "source", lastPrimaryElement: 3, firstResidualElement: 4 },
    ]);
    await driver.sendData([{ instructionId: "b", transformId: "source", data: encodeElements(coder, ["c", "d", "e", "f"]), isLast: true }]);
    const done = await driver.response("b");
    expect(done.error ?? "").to.equal("");
    expect(decodeAll(portCoder(descriptor, p, output), (await driver.output("b/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([
      "A",
      "B",
      "C",
      "D",
    ]);
  });
});
