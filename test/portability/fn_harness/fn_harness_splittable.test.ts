// The SDK harness runs the phases an engine expands a splittable ParDo into
// (Beam's SDF components), checked against the Fn API test driver: pair
// with restriction and split-and-size give Beam's element shapes; the
// process phase outputs what the DoFn claims, answers a self-checkpoint with
// a residual root (the element in the phase's input coder, the resume delay,
// the output watermark), which processed as a new bundle goes on where it
// stopped; a bundle that registered finalizations asks for FinalizeBundle
// and runs them when it comes.
import { expect } from "chai";
import * as mr from "../../../index";
import { FnHarness } from "../../../portability/fn_harness/fn_harness";
import { grpcFnApiConnection } from "../../../portability/fn_harness/grpc_connection";
import { planOf } from "../../../portability/fn_harness/bundle_descriptor";
import { decodeMessage } from "../../../portability/proto/messages";
import { toProto } from "../../../portability/to_proto";
import { ByteReader } from "../../../portability/coders/byte_reader";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import type { Coder } from "../../../portability/coders/coder";
import type { WindowedValue } from "../../../model/windowed_value";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import { MIN_TIMESTAMP } from "../../../model/time";
import { decodeAll } from "../../../portability/fn_harness/coded_values";
import { CoderUrns, MillraceUrns, SplittableComponentUrns } from "../../../portability/urns";
import { FnApiTestDriver, descriptorFrom } from "../../support/fn_api_test_driver";

type Msg = Record<string, unknown>;

/** Finalizations the test SDF's bundles ran, by the restriction start they were registered for. */
const finalized: number[] = [];

/** Numbers 0, 1, 2, ...: three per call, then a checkpoint with resume(5); a manual watermark at the last number's time. */
class Ticks implements mr.SplittableDoFnObject<Uint8Array, number, mr.OffsetRange, number> {
  readonly boundedness = "unbounded";
  initialRestriction(): mr.OffsetRange {
    return new mr.OffsetRange(0, Infinity);
  }
  newTracker(r: mr.OffsetRange): mr.RestrictionTracker<mr.OffsetRange> {
    return new mr.GrowableOffsetRangeTracker(r, () => 1_000);
  }
  newWatermarkEstimator(state: number): mr.WatermarkEstimator<number> {
    return new mr.ManualWatermarkEstimator(state);
  }
  process(_: Uint8Array, ctx: mr.SplittableProcessContext<number, mr.OffsetRange, number>): mr.ProcessContinuation {
    const from = ctx.tracker.currentRestriction().from;
    ctx.bundleFinalizer.afterBundleCommit(Date.now() + 600_000, () => void finalized.push(from));
    for (let i = from; i < from + 3; i++) {
      if (!ctx.tracker.tryClaim(i)) return mr.ProcessContinuation.stop();
      ctx.outputWithTimestamp(i, i * 1000);
      (ctx.watermarkEstimator as mr.ManualWatermarkEstimator).setWatermark(i * 1000);
    }
    return mr.ProcessContinuation.resume(5);
  }
}

/** The numbers [0, n) of each element n, split into ranges of 4. */
class CountTo extends mr.SplittableDoFn<number, number, mr.OffsetRange> {
  initialRestriction(n: number): mr.OffsetRange {
    return new mr.OffsetRange(0, n);
  }
  splitRestriction(_n: number, r: mr.OffsetRange): mr.OffsetRange[] {
    return r.split(4);
  }
  newTracker(r: mr.OffsetRange): mr.RestrictionTracker<mr.OffsetRange> {
    return new mr.OffsetRangeTracker(r);
  }
  process(n: number, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>): void {
    for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.output(n * 100 + i);
  }
}

/** The numbers [0, n) of an element n. */
class Numbers extends mr.SplittableDoFn<number, number, mr.OffsetRange> {
  initialRestriction(n: number): mr.OffsetRange {
    return new mr.OffsetRange(0, n);
  }
  newTracker(r: mr.OffsetRange): mr.RestrictionTracker<mr.OffsetRange> {
    return new mr.OffsetRangeTracker(r);
  }
  process(_n: number, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>): void {
    for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.output(i);
  }
}

/**
 * A descriptor of SDF phases cut out of `p`, as an engine sends it: the
 * splittable ParDo `id` appears once per phase (`phases`, chained in order),
 * with Beam's coders on the PCollections between and after them.
 */
function phaseDescriptor(
  p: mr.Pipeline,
  id: string,
  phases: ("pair" | "split" | "process")[],
): { descriptor: Msg; pcs: string[]; sourceCoder: string; sinkCoder: string } {
  const proto = decodeMessage("Pipeline", toProto(p));
  const sdf = proto.components!.transforms[id]!;
  const input = Object.values(sdf.inputs)[0]!;
  const output = sdf.outputs.main!;
  const base = descriptorFrom(p, { id: "sdf", transforms: [id], input, outputs: [output] });
  const coders = base.coders as Record<string, Msg>;
  const pcollections = base.pcollections as Record<string, Msg>;
  const transforms = base.transforms as Record<string, Msg>;
  const restrictionId = decodeMessage("ParDoPayload", sdf.spec!.payload).restrictionCoderId;
  const inputCoder = (pcollections[input] as { coderId: string }).coderId;
  coders.wm = { spec: { urn: MillraceUrns.JS_VALUE_CODER } };
  coders.restrictionAndWm = { spec: { urn: CoderUrns.KV }, componentCoderIds: [restrictionId, "wm"] };
  coders.paired = { spec: { urn: CoderUrns.KV }, componentCoderIds: [inputCoder, "restrictionAndWm"] };
  coders.size = { spec: { urn: CoderUrns.DOUBLE } };
  coders.sized = { spec: { urn: CoderUrns.KV }, componentCoderIds: ["paired", "size"] };
  const urns = {
    pair: SplittableComponentUrns.PAIR_WITH_RESTRICTION,
    split: SplittableComponentUrns.SPLIT_AND_SIZE_RESTRICTIONS,
    process: SplittableComponentUrns.PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS,
  };
  const outCoder = { pair: "paired", split: "sized", process: undefined };
  const inCoder = { pair: inputCoder, split: "paired", process: "sized" };
  delete transforms[id];
  // The chain's collections: the input, one per phase but the last, and the last phase's output (the SDF's, or a new one).
  const pcs = [input, ...phases.slice(0, -1).map((ph) => `${id}/${ph}_out`)];
  const last = phases[phases.length - 1]!;
  pcs.push(last === "process" ? output : `${id}/${last}_out`);
  phases.forEach((ph, i) => {
    transforms[`${id}_${ph}`] = {
      ...sdf,
      uniqueName: `${id}_${ph}`,
      spec: { ...sdf.spec, urn: urns[ph] },
      inputs: { main: pcs[i] },
      outputs: { main: pcs[i + 1] },
    };
    if (i === 0) (pcollections[pcs[0]!] as Msg).coderId = inCoder[ph];
    const produced = outCoder[ph];
    if (produced) pcollections[pcs[i + 1]!] = { ...(pcollections[output] as Msg), uniqueName: pcs[i + 1], coderId: produced };
  });
  const wvOf = (pc: string) => ({
    spec: { urn: CoderUrns.WINDOWED_VALUE },
    componentCoderIds: [(pcollections[pc] as { coderId: string }).coderId, "windowCoder"],
  });
  const windowCoder = (coders[`wv_${input}`] as { componentCoderIds: string[] }).componentCoderIds[1]!;
  coders.windowCoder = coders[windowCoder]!;
  coders[`wv_${input}`] = wvOf(pcs[0]!);
  coders[`wv_${output}`] = wvOf(pcs[pcs.length - 1]!);
  // The data sink reads the chain's end, with the port coder descriptorFrom named after the SDF's output.
  (transforms.sink0 as { inputs: Msg }).inputs = { in: pcs[pcs.length - 1] };
  return { descriptor: base, pcs, sourceCoder: `wv_${input}`, sinkCoder: `wv_${output}` };
}

function coderOf(descriptor: Msg, p: mr.Pipeline, id: string): Coder<WindowedValue<unknown>> {
  return planOf(descriptor as never).model.coder(id, p._userCode) as Coder<WindowedValue<unknown>>;
}

function encode(coder: Coder<WindowedValue<unknown>>, values: unknown[]): Uint8Array {
  const w = new ByteWriter();
  for (const value of values) coder.encode({ value, timestamp: 0, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }, w, "nested");
  return w.finish();
}

describe("Fn API SDK harness: splittable DoFn phases (against a test driver of the protocol)", function () {
  this.timeout(120_000);
  let driver: FnApiTestDriver;
  let harness: FnHarness;
  let running: Promise<void>;

  beforeEach(async () => {
    driver = await FnApiTestDriver.start();
  });
  afterEach(async () => {
    harness?.stop();
    await running?.catch(() => undefined);
    await driver.close();
  });

  function startHarness(p: mr.Pipeline): void {
    harness = new FnHarness(grpcFnApiConnection({ control: driver.endpoint, logging: driver.endpoint }, "w"), {
      workerId: "w",
      userCode: p._userCode,
    });
    running = harness.run();
  }

  async function bundle(instructionId: string, data: Uint8Array): Promise<Msg> {
    // The first bundle opens the data stream: the request goes first, its data after.
    await driver.send({ instructionId, processBundle: { processBundleDescriptorId: "sdf" } });
    await driver.dataStreamOpen();
    await driver.sendData([{ instructionId, transformId: "source", data, isLast: true }]);
    return driver.response(instructionId);
  }

  it("pair with restriction, then split and size: KV<KV<element, KV<restriction, watermark state>>, size> per initial part", async () => {
    const p = mr.Pipeline.create();
    p.apply("Ns", mr.create([10])).apply("CountTo", mr.parDo(new CountTo()));
    const { descriptor, sourceCoder, sinkCoder } = phaseDescriptor(p, "CountTo", ["pair", "split"]);
    driver.descriptors.set("sdf", descriptor);
    startHarness(p);
    const response = await bundle("b1", encode(coderOf(descriptor, p, sourceCoder), [10]));
    expect(response.error ?? "").to.equal("");
    const out = await driver.output("b1/sink0");
    const sized = decodeAll(coderOf(descriptor, p, sinkCoder), out.bytes).map(
      (wv) => wv.value as mr.KV<mr.KV<number, mr.KV<mr.OffsetRange, number>>, number>,
    );
    expect(sized.map((s) => [s.key.key, s.key.value.key.from, s.key.value.key.to, s.key.value.value, s.value])).to.deep.equal([
      [10, 0, 4, MIN_TIMESTAMP, 4],
      [10, 4, 8, MIN_TIMESTAMP, 4],
      [10, 8, 10, MIN_TIMESTAMP, 2],
    ]);
  });

  it("process: a self-checkpoint is a residual root the engine sends back; finalizations wait for FinalizeBundle", async () => {
    finalized.length = 0;
    const p = mr.Pipeline.create();
    p.apply(mr.impulse()).apply("Ticks", mr.parDo(new Ticks()));
    const { descriptor, sourceCoder, sinkCoder } = phaseDescriptor(p, "Ticks", ["process"]);
    driver.descriptors.set("sdf", descriptor);
    startHarness(p);
    const inputCoder = coderOf(descriptor, p, sourceCoder);
    const outputCoder = coderOf(descriptor, p, sinkCoder);
    const first = mr.kv(mr.kv(new Uint8Array(0), mr.kv(new mr.OffsetRange(0, Infinity), MIN_TIMESTAMP)), 1_000);

    const r1 = await bundle("b1", encode(inputCoder, [first]));
    expect(r1.error ?? "").to.equal("");
    expect(decodeAll(outputCoder, (await driver.output("b1/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([0, 1, 2]);
    const pb = r1.processBundle as { residualRoots: Msg[]; requiresFinalization: boolean };
    expect(pb.requiresFinalization).to.equal(true);
    expect(pb.residualRoots).to.have.length(1);
    const root = pb.residualRoots[0] as {
      application: {
        transformId: string;
        inputId: string;
        element: Uint8Array;
        outputWatermarks: Record<string, { seconds: unknown; nanos: number }>;
      };
      requestedTimeDelay: { seconds: unknown; nanos: number };
    };
    expect(root.application.transformId).to.equal("Ticks_process");
    expect(root.application.inputId).to.equal("main");
    expect(Number(root.requestedTimeDelay.seconds ?? 0)).to.equal(0);
    expect(root.requestedTimeDelay.nanos).to.equal(5_000_000);
    expect(Number(root.application.outputWatermarks.main!.seconds)).to.equal(2);
    const residual = inputCoder.decode(new ByteReader(root.application.element), "nested").value as typeof first;
    expect([residual.key.value.key.from, residual.key.value.key.to, residual.key.value.value]).to.deep.equal([3, Infinity, 2_000]);

    // Nothing is finalized before the engine says the bundle is committed; then once.
    expect(finalized).to.deep.equal([]);
    expect((await driver.instruct({ instructionId: "f1", finalizeBundle: { instructionId: "b1" } })).error ?? "").to.equal("");
    expect(finalized).to.deep.equal([0]);
    expect(String((await driver.instruct({ instructionId: "f2", finalizeBundle: { instructionId: "b1" } })).error)).to.contain(
      "bundle b1 asked for no finalization, or was finalized already",
    );

    // The residual, sent back as the engine does, goes on where the first call stopped.
    const r2 = await bundle("b2", root.application.element);
    expect(r2.error ?? "").to.equal("");
    expect(decodeAll(outputCoder, (await driver.output("b2/sink0")).bytes).map((wv) => wv.value)).to.deep.equal([3, 4, 5]);
  });

  it("a split request while an element's restriction is processed splits inside it: primary and residual roots, later elements given away", async () => {
    const p = mr.Pipeline.create();
    p.apply("Ns", mr.create([1e9])).apply("Numbers", mr.parDo(new Numbers()));
    const { descriptor, sourceCoder, sinkCoder } = phaseDescriptor(p, "Numbers", ["process"]);
    driver.descriptors.set("sdf", descriptor);
    startHarness(p);
    const inputCoder = coderOf(descriptor, p, sourceCoder);
    type Sized = mr.KV<mr.KV<number, mr.KV<mr.OffsetRange, number>>, number>;
    const sized = (n: number): Sized => mr.kv(mr.kv(n, mr.kv(new mr.OffsetRange(0, n), MIN_TIMESTAMP)), n);
    // A billion numbers: the bundle cannot end before the split request is answered between its process slices.
    await driver.send({ instructionId: "b1", processBundle: { processBundleDescriptorId: "sdf" } });
    await driver.dataStreamOpen();
    await driver.sendData([{ instructionId: "b1", transformId: "source", data: encode(inputCoder, [sized(1e9), sized(7)]), isLast: true }]);
    // Asked again until the harness has started the element (a request before that is declined: nothing to split yet).
    let split: Msg = {};
    for (let attempt = 0; ((split.processBundleSplit as { channelSplits?: unknown[] })?.channelSplits ?? []).length === 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20));
      split = await driver.instruct({
        instructionId: `s${attempt}`,
        processBundleSplit: { instructionId: "b1", desiredSplits: { source: { fractionOfRemainder: 1e-5, estimatedInputElements: 2 } } },
      });
      expect(split.error ?? "").to.equal("");
    }
    const answer = split.processBundleSplit as {
      channelSplits: { transformId: string; lastPrimaryElement: unknown; firstResidualElement: unknown }[];
      primaryRoots: { transformId: string; element: Uint8Array }[];
      residualRoots: { application: { transformId: string; element: Uint8Array } }[];
    };
    // The element being processed (index 0) is replaced by the roots; the next one (index 1) is given away.
    expect(answer.channelSplits.map((c) => [c.transformId, Number(c.lastPrimaryElement), Number(c.firstResidualElement)])).to.deep.equal([
      ["source", -1, 1],
    ]);
    const restrictionOf = (bytes: Uint8Array) => (inputCoder.decode(new ByteReader(bytes), "nested").value as Sized).key.value.key;
    expect(answer.primaryRoots).to.have.length(1);
    expect(answer.residualRoots).to.have.length(1);
    expect(answer.primaryRoots[0]!.transformId).to.equal("Numbers_process");
    const primary = restrictionOf(answer.primaryRoots[0]!.element);
    const residual = restrictionOf(answer.residualRoots[0]!.application.element);
    expect(residual.from).to.equal(primary.to);
    expect(residual.to).to.equal(1e9);

    const response = await driver.response("b1");
    expect(response.error ?? "").to.equal("");
    const numbers = decodeAll(coderOf(descriptor, p, sinkCoder), (await driver.output("b1/sink0")).bytes).map((wv) => wv.value as number);
    // Every number before the residual once, in order, none after it: the bundle kept exactly the primary.
    expect(numbers.length).to.equal(primary.to);
    expect(numbers.every((n, i) => n === i)).to.equal(true);
  });
});
