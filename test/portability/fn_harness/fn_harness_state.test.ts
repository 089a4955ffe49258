import { expect } from "chai";
import * as mr from "../../../index";
import { decodeAll, encodeAll } from "../../../portability/fn_harness/coded_values";
import { decodeMessage } from "../../../portability/proto/messages";
import { toProto } from "../../../portability/to_proto";
import { fnApiType } from "../../../portability/proto/fn_api_root";
import type { Coder } from "../../../portability/coders/coder";
import type { WindowedValue } from "../../../model/windowed_value";
import { GLOBAL_WINDOW, IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import type { TimerValue } from "../../../portability/coders/standard/timer";
import { CoderUrns, CombineComponentUrns } from "../../../portability/urns";
import { FnApiTestDriver, descriptorCoder as coderOf, descriptorFrom, portCoder as wvCoder } from "../../support/fn_api_test_driver";

type Msg = Record<string, unknown>;

const inGlobal = (value: unknown, timestamp = 0): WindowedValue<unknown> => ({
  value,
  timestamp,
  windows: IN_GLOBAL_WINDOW,
  pane: NO_FIRING,
});

describe("Fn API SDK harness: side inputs, user state, timers and lifted combines over the State API and data plane", function () {
  this.timeout(120_000);
  let driver: FnApiTestDriver;

  beforeEach(async () => {
    driver = await FnApiTestDriver.start();
  });
  afterEach(async () => {
    await driver.close();
  });

  function start(p: mr.Pipeline): void {
    driver.startHarness(p._userCode, "w");
  }

  const components = (p: mr.Pipeline) => decodeMessage("Pipeline", toProto(p)).components!;

  async function runBundle(instructionId: string, descriptorId: string, input: Uint8Array): Promise<Msg> {
    await driver.send({ instructionId, processBundle: { processBundleDescriptorId: descriptorId } });
    await driver.sendData([{ instructionId, transformId: "source", data: input, isLast: true }]);
    return driver.response(instructionId);
  }

  it("reads iterable and multimap side inputs through the State API (views built in the harness, continuation tokens followed)", async () => {
    const p = mr.Pipeline.create();
    const total = p.apply("Total", mr.create([100]));
    const names = p.apply("Names", mr.create([mr.kv(1, "one")])).setCoder(mr.coders.kv(mr.coders.varint(), mr.coders.stringUtf8()));
    p.apply("Nums", mr.create([1])).apply(
      "Describe",
      mr.map(
        (n: number, ctx) =>
          `${(ctx.sideInput("names") as Map<number, string[]>).get(n)?.join("|") ?? "?"}/${String(ctx.sideInput("total"))}`,
        {
          sideInputs: { total: mr.views.singleton(total), names: mr.views.multimap(names) },
        },
      ),
    );
    const c = components(p);
    const t = c.transforms["Describe"]!;
    const descriptor = descriptorFrom(p, {
      id: "d",
      transforms: ["Describe"],
      input: t.inputs.main!,
      outputs: [t.outputs.main!],
      stateEndpoint: driver.endpoint,
    });
    driver.descriptors.set("d", descriptor);
    const totalPc = t.inputs.total!;
    const namesPc = t.inputs.names!;
    const globalWindow = new Uint8Array(0);
    driver.putState(
      { iterableSideInput: { transformId: "Describe", sideInputId: "total", window: globalWindow } },
      encodeAll(coderOf(descriptor, p, c.pcollections[totalPc]!.coderId), [100]),
    );
    const kvCoder = coderOf(descriptor, p, c.pcollections[namesPc]!.coderId);
    const [keyCoder, valueCoder] = kvCoder.components as [Coder<unknown>, Coder<unknown>];
    driver.putState(
      { multimapKeysSideInput: { transformId: "Describe", sideInputId: "names", window: globalWindow } },
      encodeAll(keyCoder, [1, 2]),
    );
    driver.putState(
      { multimapSideInput: { transformId: "Describe", sideInputId: "names", window: globalWindow, key: encodeAll(keyCoder, [1]) } },
      encodeAll(valueCoder, ["one", "uno"]),
    );
    driver.putState(
      { multimapSideInput: { transformId: "Describe", sideInputId: "names", window: globalWindow, key: encodeAll(keyCoder, [2]) } },
      encodeAll(valueCoder, ["two"]),
    );
    driver.stateChunkBytes = 3;
    start(p);
    const response = await runBundle("b", "d", encodeAll(wvCoder(descriptor, p, t.inputs.main!), [inGlobal(1), inGlobal(2), inGlobal(3)]));
    expect(response.error ?? "").to.equal("");
    expect(decodeAll(wvCoder(descriptor, p, t.outputs.main!), (await driver.output("b/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([
      "one|uno/100",
      "two/100",
      "?/100",
    ]);
    // Values longer than a response chunk came in several parts, joined by continuation tokens.
    const tokens = driver.stateRequests.filter((r) => (r.get as { continuationToken?: Uint8Array } | undefined)?.continuationToken?.length);
    expect(tokens.length).to.be.greaterThan(0);
    // A side input window is fetched once per bundle, not once per element.
    const totals = driver.stateRequests.filter((r) => (r.stateKey as Msg).iterableSideInput && !(r.get as Msg).continuationToken);
    expect(totals.length).to.equal(1);
  });

  it("keeps user state in the engine (loaded per key, written back at the end of the bundle) and exchanges timers on the data plane", async () => {
    const p = mr.Pipeline.create();
    p.apply("Events", mr.create([mr.kv("a", 1)])).apply(
      "CountPerKey",
      mr.parDo({
        state: { count: mr.state.value<number>(), seen: mr.state.bag<number>(), tags: mr.state.set<string>() },
        timers: { flush: mr.timers.eventTime() },
        process(e: mr.KV<string, number>, ctx) {
          const n = (ctx.state.count.read() ?? 0) + e.value;
          ctx.state.count.write(n);
          ctx.state.seen.add(e.value);
          ctx.state.tags.add(`t${e.value}`);
          ctx.timers.flush.set(1000);
          return [`${e.key}:${n}`];
        },
        onTimer: {
          flush(ctx) {
            ctx.output(
              `flush ${String(ctx.key)}=${ctx.state.count.read()} seen=${ctx.state.seen.read().join(",")} tags=${ctx.state.tags.read().sort().join(",")}`,
            );
            ctx.state.count.clear();
          },
        },
      }),
    );
    const c = components(p);
    const t = c.transforms["CountPerKey"]!;
    const descriptor = descriptorFrom(p, {
      id: "d",
      transforms: ["CountPerKey"],
      input: t.inputs.main!,
      outputs: [t.outputs.main!],
      stateEndpoint: driver.endpoint,
      timerEndpoint: driver.endpoint,
    });
    driver.descriptors.set("d", descriptor);
    const kvCoder = coderOf(descriptor, p, c.pcollections[t.inputs.main!]!.coderId);
    const keyCoder = kvCoder.components[0]!;
    const globalWindow = new Uint8Array(0);
    const bag = (key: string, id: string) => ({
      bagUserState: { transformId: "CountPerKey", userStateId: id, window: globalWindow, key: encodeAll(keyCoder, [key]) },
    });
    const payload = decodeMessage("ParDoPayload", c.transforms["CountPerKey"]!.spec!.payload);
    const countCoder = coderOf(descriptor, p, payload.stateSpecs["count"]!.readModifyWriteSpec!.coderId);
    // Key "a" already has a count of 5 in the engine.
    driver.putState(bag("a", "count"), encodeAll(countCoder, [5]));
    start(p);

    const input = encodeAll(wvCoder(descriptor, p, t.inputs.main!), [
      inGlobal(mr.kv("a", 1)),
      inGlobal(mr.kv("b", 1)),
      inGlobal(mr.kv("a", 1)),
    ]);
    await driver.send({ instructionId: "b1", processBundle: { processBundleDescriptorId: "d" } });
    await driver.sendData([{ instructionId: "b1", transformId: "source", data: input, isLast: true }]);
    await driver.sendTimers([{ instructionId: "b1", transformId: "CountPerKey", timerFamilyId: "flush", isLast: true }]);
    const first = await driver.response("b1");
    expect(first.error ?? "").to.equal("");
    const out = async (id: string) =>
      decodeAll(wvCoder(descriptor, p, t.outputs.main!), (await driver.output(`${id}/sink0`)).bytes).map((wv) => wv.value);
    expect(await out("b1")).to.deep.equal(["a:6", "b:1", "a:7"]);
    // Written back to the engine: the new counts, and the bag of what was seen.
    expect(decodeAll(countCoder, driver.getState(bag("a", "count"))!)).to.deep.equal([7]);
    expect(decodeAll(countCoder, driver.getState(bag("b", "count"))!)).to.deep.equal([1]);
    // The timers the DoFn set went to the engine, the family ended with is_last.
    const timerCoder = coderOf(descriptor, p, payload.timerFamilySpecs["flush"]!.timerFamilyCoderId) as Coder<TimerValue>;
    const setTimers = await driver.timersOut("b1/CountPerKey/flush");
    expect(setTimers.isLast).to.equal(true);
    expect(decodeAll(timerCoder, setTimers.bytes).map((x) => [x.userKey, x.fireTimestamp, x.clearBit])).to.deep.equal([
      ["a", 1000, false],
      ["b", 1000, false],
      ["a", 1000, false],
    ]);

    // The engine fires key a's timer in the next bundle: the callback sees the state the first bundle wrote.
    const fired = encodeAll(timerCoder, [
      {
        userKey: "a",
        dynamicTimerTag: "",
        windows: [GLOBAL_WINDOW],
        clearBit: false,
        fireTimestamp: 1000,
        holdTimestamp: 1000,
        pane: NO_FIRING,
      },
    ]);
    await driver.send({ instructionId: "b2", processBundle: { processBundleDescriptorId: "d" } });
    await driver.sendData([{ instructionId: "b2", transformId: "source", isLast: true }]);
    await driver.sendTimers([{ instructionId: "b2", transformId: "CountPerKey", timerFamilyId: "flush", timers: fired, isLast: true }]);
    const second = await driver.response("b2");
    expect(second.error ?? "").to.equal("");
    expect(await out("b2")).to.deep.equal(["flush a=7 seen=1,1 tags=t1"]);
    // The callback cleared the count: the engine no longer holds one for a.
    expect(driver.getState(bag("a", "count"))).to.equal(undefined);
  });

  it("keeps map, combining and ordered-list state across bundles: reused while the user-state cache token holds, read again without one", async () => {
    const p = mr.Pipeline.create();
    p.apply("Events", mr.create([mr.kv("k", 1)])).apply(
      "Track",
      mr.parDo({
        state: {
          byValue: mr.state.map<number, string>(),
          total: mr.state.combining(mr.combiners.sum()),
          log: mr.state.orderedList<number>(),
        },
        process(e: mr.KV<string, number>, ctx) {
          ctx.state.byValue.put(e.value, `v${e.value}`);
          ctx.state.total.add(e.value);
          ctx.state.log.add({ value: e.value, timestamp: 100 - e.value });
          const entries = ctx.state.byValue
            .entries()
            .map(([k, v]) => `${k}=${v}`)
            .sort()
            .join(",");
          const log = ctx.state.log
            .read()
            .map((x) => `${x.value}@${x.timestamp}`)
            .join(",");
          return [`${entries} total=${String(ctx.state.total.read())} log=${log}`];
        },
      }),
    );
    const c = components(p);
    const t = c.transforms["Track"]!;
    const descriptor = descriptorFrom(p, {
      id: "d",
      transforms: ["Track"],
      input: t.inputs.main!,
      outputs: [t.outputs.main!],
      stateEndpoint: driver.endpoint,
    });
    driver.descriptors.set("d", descriptor);
    start(p);
    const coder = wvCoder(descriptor, p, t.inputs.main!);
    const out = async (id: string) =>
      decodeAll(wvCoder(descriptor, p, t.outputs.main!), (await driver.output(`${id}/sink0`)).bytes).map((wv) => wv.value);
    const token = { userState: {}, token: Buffer.from("T1") };
    const gets = () => driver.stateRequests.filter((r) => r.get).length;

    await driver.send({ instructionId: "b1", processBundle: { processBundleDescriptorId: "d", cacheTokens: [token] } });
    await driver.sendData([
      {
        instructionId: "b1",
        transformId: "source",
        data: encodeAll(coder, [inGlobal(mr.kv("k", 1)), inGlobal(mr.kv("k", 2))]),
        isLast: true,
      },
    ]);
    expect((await driver.response("b1")).error ?? "").to.equal("");
    expect(await out("b1")).to.deep.equal(["1=v1 total=1 log=1@99", "1=v1,2=v2 total=3 log=2@98,1@99"]);
    const afterFirst = gets();
    expect(afterFirst).to.be.greaterThan(0);

    // Same token: the key's state is served from what the harness kept, without reading it again.
    await driver.send({ instructionId: "b2", processBundle: { processBundleDescriptorId: "d", cacheTokens: [token] } });
    await driver.sendData([
      { instructionId: "b2", transformId: "source", data: encodeAll(coder, [inGlobal(mr.kv("k", 3))]), isLast: true },
    ]);
    expect((await driver.response("b2")).error ?? "").to.equal("");
    expect(await out("b2")).to.deep.equal(["1=v1,2=v2,3=v3 total=6 log=3@97,2@98,1@99"]);
    expect(gets()).to.equal(afterFirst);

    // No token: read again from the engine, which holds what the bundles wrote back.
    await driver.send({ instructionId: "b3", processBundle: { processBundleDescriptorId: "d" } });
    await driver.sendData([
      { instructionId: "b3", transformId: "source", data: encodeAll(coder, [inGlobal(mr.kv("k", 4))]), isLast: true },
    ]);
    expect((await driver.response("b3")).error ?? "").to.equal("");
    expect(await out("b3")).to.deep.equal(["1=v1,2=v2,3=v3,4=v4 total=10 log=4@96,3@97,2@98,1@99"]);
    expect(gets()).to.be.greaterThan(afterFirst);
  });

  it("runs the phases of a combine the engine lifted: precombine before its shuffle, merge and extract after it", async () => {
    const p = mr.Pipeline.create();
    p.apply("Words", mr.create([mr.kv("a", 1)])).apply("Sum", mr.combinePerKey(mr.combiners.sum()));
    const c = components(p);
    const sum = c.transforms["Sum"]!;
    const combine = decodeMessage("CombinePayload", sum.spec!.payload);
    const input = sum.inputs.main!;
    const output = sum.outputs.main!;
    const kvIn = c.coders[c.pcollections[input]!.coderId]!;
    // The engine's pcollections between the phases: KV<key, accumulator> and KV<key, iterable<accumulator>>.
    const phase = (id: string, urn: string, from: string, to: string): Msg => {
      const d = descriptorFrom(p, { id, transforms: ["Sum"], input: from === input ? input : output, outputs: [] });
      const coders = d.coders as Record<string, unknown>;
      coders["kv_acc"] = { spec: { urn: CoderUrns.KV }, componentCoderIds: [kvIn.componentCoderIds[0]!, combine.accumulatorCoderId] };
      coders["iter_acc"] = { spec: { urn: CoderUrns.ITERABLE }, componentCoderIds: [combine.accumulatorCoderId] };
      coders["kv_iter_acc"] = { spec: { urn: CoderUrns.KV }, componentCoderIds: [kvIn.componentCoderIds[0]!, "iter_acc"] };
      const pcs = d.pcollections as Record<string, Msg>;
      const template = c.pcollections[input]!;
      for (const [pc, coderId] of [
        ["acc", "kv_acc"],
        ["grouped", "kv_iter_acc"],
      ] as const) {
        pcs[pc] = { ...template, uniqueName: pc, coderId };
      }
      const ws = c.pcollections[input]!.windowingStrategyId;
      const wvId = (pc: string) => {
        coders[`wv_${pc}`] = {
          spec: { urn: CoderUrns.WINDOWED_VALUE },
          componentCoderIds: [(pcs[pc] as { coderId: string }).coderId, c.windowingStrategies[ws]!.windowCoderId],
        };
        const portType = fnApiType("RemoteGrpcPort");
        return portType.encode(portType.fromObject({ coderId: `wv_${pc}` })).finish();
      };
      const transforms = d.transforms as Record<string, Msg>;
      transforms["source"] = { uniqueName: "source", spec: { urn: "beam:runner:source:v1", payload: wvId(from) }, outputs: { out: from } };
      transforms["Sum"] = { uniqueName: "Sum", spec: { urn, payload: sum.spec!.payload }, inputs: { main: from }, outputs: { main: to } };
      transforms["sink0"] = { uniqueName: "sink0", spec: { urn: "beam:runner:sink:v1", payload: wvId(to) }, inputs: { in: to } };
      pcs[output] = c.pcollections[output]! as unknown as Msg;
      return d;
    };
    const pre = phase("pre", CombineComponentUrns.COMBINE_PER_KEY_PRECOMBINE, input, "acc");
    driver.descriptors.set("pre", pre);
    start(p);
    const r1 = await runBundle(
      "b1",
      "pre",
      encodeAll(wvCoder(pre, p, input), [inGlobal(mr.kv("a", 1)), inGlobal(mr.kv("b", 2)), inGlobal(mr.kv("a", 3))]),
    );
    expect(r1.error ?? "").to.equal("");
    const accs = decodeAll(wvCoder(pre, p, "acc"), (await driver.output("b1/sink0")).bytes).map((wv) => wv.value as mr.KV<string, unknown>);
    expect(accs.map((kv) => kv.key).sort()).to.deep.equal(["a", "b"]);

    // After the engine grouped the accumulators: merge, then extract, fused in one bundle.
    const merge = phase("merge", CombineComponentUrns.COMBINE_PER_KEY_MERGE_ACCUMULATORS, "grouped", "acc");
    const transforms = merge.transforms as Record<string, Msg>;
    transforms["Extract"] = {
      uniqueName: "Extract",
      spec: { urn: CombineComponentUrns.COMBINE_PER_KEY_EXTRACT_OUTPUTS, payload: sum.spec!.payload },
      inputs: { main: "acc" },
      outputs: { main: output },
    };
    const sinkPort = fnApiType("RemoteGrpcPort");
    (merge.coders as Record<string, unknown>)[`wv_${output}`] = {
      spec: { urn: CoderUrns.WINDOWED_VALUE },
      componentCoderIds: [
        c.pcollections[output]!.coderId,
        c.windowingStrategies[c.pcollections[input]!.windowingStrategyId]!.windowCoderId,
      ],
    };
    transforms["sink0"] = {
      uniqueName: "sink0",
      spec: { urn: "beam:runner:sink:v1", payload: sinkPort.encode(sinkPort.fromObject({ coderId: `wv_${output}` })).finish() },
      inputs: { in: output },
    };
    driver.descriptors.set("merge", merge);
    const byKey = new Map<string, unknown[]>();
    for (const kv of accs) byKey.set(kv.key, [...(byKey.get(kv.key) ?? []), kv.value]);
    // Key a's accumulators as two bundles would have sent them: its own, and one more.
    byKey.get("a")!.push(byKey.get("b")![0]);
    const grouped = [...byKey].map(([key, list]) => inGlobal(mr.kv(key, list)));
    const r2 = await runBundle("b2", "merge", encodeAll(wvCoder(merge, p, "grouped"), grouped));
    expect(r2.error ?? "").to.equal("");
    const sums = decodeAll(wvCoder(merge, p, output), (await driver.output("b2/sink0")).bytes).map(
      (wv) => wv.value as mr.KV<string, number>,
    );
    expect(Object.fromEntries(sums.map((kv) => [kv.key, kv.value]))).to.deep.equal({ a: 6, b: 2 });
  });
});
