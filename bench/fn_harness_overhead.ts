/**
 * The SDK harness's overhead per element and per bundle: bundles of
 * 1 .. 10,000 elements through a one-ParDo stage, driven over the Fn API on
 * a loopback gRPC connection (what an engine on the same host does), next
 * to the same stage run by `buildStage` directly (no Fn API). Prints, per
 * bundle size, the time per bundle and per element of each, and the
 * harness's overhead per element: the Fn API's control and data messages,
 * gRPC, and decoding the bundle's input and encoding its output (the direct
 * run is handed decoded values and drops its outputs). The two are run in
 * alternating rounds, so a busy machine's load falls on both alike; each row
 * shows the load average.
 *
 *   npm run bench:fn-harness
 */
import * as os from "node:os";
import * as grpc from "@grpc/grpc-js";
import * as mr from "millrace";
import { beamServiceDefinition } from "../portability/grpc/beam_services";
import { startGrpcServer } from "../portability/grpc/channels";
import { FnApiServices, fnApiType } from "../portability/proto/fn_api_root";
import { decodeMessage } from "../portability/proto/messages";
import { toProto } from "../portability/to_proto";
import { FnHarness } from "../portability/fn_harness/fn_harness";
import { grpcFnApiConnection } from "../portability/fn_harness/grpc_connection";
import { planOf } from "../portability/fn_harness/bundle_descriptor";
import { encodeAll } from "../portability/fn_harness/coded_values";
import { buildStage } from "../portability/harness/stage_executor";
import { MetricsContainer } from "../portability/harness/metrics_container";
import { IN_GLOBAL_WINDOW } from "../model/windows";
import { NO_FIRING } from "../model/pane";
import type { Coder } from "../portability/coders/coder";
import type { WindowedValue } from "../model/windowed_value";
import { CoderUrns } from "../portability/urns";

type Msg = Record<string, unknown>;

const SIZES = [1, 10, 100, 1_000, 10_000];
const ELEMENTS_PER_SIZE = 100_000;
/** Harness and direct runs alternate this many times per bundle size (a divisor of every bundle count). */
const ROUNDS = 2;

function pipeline(): { p: mr.Pipeline; descriptor: Msg; input: string } {
  const p = mr.Pipeline.create();
  p.apply("Words", mr.create(["w"])).apply(
    "Upper",
    mr.map((w: string) => w.toUpperCase()),
  );
  const c = decodeMessage("Pipeline", toProto(p)).components!;
  const t = c.transforms["Upper"]!;
  const input = t.inputs.main!;
  const output = t.outputs.main!;
  const coders: Record<string, unknown> = { ...c.coders };
  const port = (pc: string) => {
    const ws = c.windowingStrategies[c.pcollections[pc]!.windowingStrategyId]!;
    coders[`wv_${pc}`] = { spec: { urn: CoderUrns.WINDOWED_VALUE }, componentCoderIds: [c.pcollections[pc]!.coderId, ws.windowCoderId] };
    const type = fnApiType("RemoteGrpcPort");
    return type.encode(type.fromObject({ coderId: `wv_${pc}` })).finish();
  };
  const descriptor = {
    id: "bench",
    transforms: {
      source: { uniqueName: "source", spec: { urn: "beam:runner:source:v1", payload: port(input) }, outputs: { out: input } },
      Upper: t,
      sink: { uniqueName: "sink", spec: { urn: "beam:runner:sink:v1", payload: port(output) }, inputs: { in: output } },
    },
    pcollections: { [input]: c.pcollections[input], [output]: c.pcollections[output] },
    windowingStrategies: c.windowingStrategies,
    coders,
    environments: c.environments,
  };
  return { p, descriptor, input };
}

/** A minimal engine side: answers GetProcessBundleDescriptor, sends each bundle's input, counts is_last and responses. */
async function engine(descriptor: Msg) {
  let control: grpc.ServerDuplexStream<Msg, Msg> | undefined;
  let data: grpc.ServerDuplexStream<Msg, Msg> | undefined;
  const waiting = new Map<string, { response: boolean; output: boolean; resolve: () => void }>();
  const settle = (id: string, what: "response" | "output") => {
    const w = waiting.get(id);
    if (!w) return;
    w[what] = true;
    if (w.response && w.output) {
      waiting.delete(id);
      w.resolve();
    }
  };
  let ready: () => void;
  const connected = new Promise<void>((r) => (ready = r));
  const server = await startGrpcServer([
    {
      definition: beamServiceDefinition(FnApiServices.Control),
      implementation: {
        Control: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
          control = call;
          call.on("data", (r: Msg) => {
            if (r.error) throw new Error(String(r.error));
            settle(r.instructionId as string, "response");
          });
          if (data) ready();
        },
        GetProcessBundleDescriptor: (_c: unknown, cb: grpc.sendUnaryData<Msg>) => cb(null, descriptor),
      },
    },
    {
      definition: beamServiceDefinition(FnApiServices.Data),
      implementation: {
        Data: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
          data = call;
          call.on("data", (e: { data?: Msg[] }) => {
            for (const d of e.data ?? []) if (d.isLast) settle(d.instructionId as string, "output");
          });
          if (control) ready();
        },
      },
    },
  ]);
  let next = 0;
  return {
    endpoint: server.endpoint,
    /** Runs one bundle with `input` as its data. */
    bundle(input: Uint8Array): Promise<void> {
      const id = `b${++next}`;
      const done = new Promise<void>((resolve) => waiting.set(id, { response: false, output: false, resolve }));
      control!.write({ instructionId: id, processBundle: { processBundleDescriptorId: "bench" } });
      data!.write({ data: [{ instructionId: id, transformId: "source", data: input, isLast: true }] });
      return done;
    },
    /** The first bundle opens the harness's data stream: run it before waiting for both streams. */
    async firstBundle(input: Uint8Array): Promise<void> {
      const id = `b${++next}`;
      const done = new Promise<void>((resolve) => waiting.set(id, { response: false, output: false, resolve }));
      while (!control) await new Promise((r) => setTimeout(r, 10));
      control.write({ instructionId: id, processBundle: { processBundleDescriptorId: "bench" } });
      await connected;
      data!.write({ data: [{ instructionId: id, transformId: "source", data: input, isLast: true }] });
      await done;
    },
    close: () => server.close(),
  };
}

async function main(): Promise<void> {
  const { p, descriptor, input } = pipeline();
  const plan = planOf(descriptor as never);
  const coder = plan.model.coder(`wv_${input}`, p._userCode) as Coder<WindowedValue<unknown>>;
  const driver = await engine(descriptor);
  const harness = new FnHarness(grpcFnApiConnection({ control: driver.endpoint }, "bench"), { workerId: "bench", userCode: p._userCode });
  const running = harness.run();
  await driver.firstBundle(encodeAll(coder, [{ value: "warm", timestamp: 0, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }]));

  // The same stage without the Fn API: buildStage fed decoded values directly, its outputs dropped.
  const direct = buildStage(plan.model, plan.stage, {
    userCode: p._userCode,
    metrics: new MetricsContainer(),
    sink: () => ({ receive: () => undefined }),
    sideInputReader: () => ({ get: () => undefined }),
  });
  direct.setup();

  process.stdout.write(`Fn API SDK harness overhead (one ParDo, loopback gRPC; ${ELEMENTS_PER_SIZE} elements per row)\n`);
  process.stdout.write("bundle size | harness ms/bundle | harness us/element | direct us/element | overhead us/element | load\n");
  for (const size of SIZES) {
    const values = Array.from({ length: size }, (_, i) => ({
      value: `word${i}`,
      timestamp: 0,
      windows: IN_GLOBAL_WINDOW,
      pane: NO_FIRING,
    }));
    const bytes = encodeAll(coder, values);
    const bundles = Math.max(ROUNDS, Math.floor(ELEMENTS_PER_SIZE / size));
    let harnessNs = 0;
    let directNs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const inRound = bundles / ROUNDS;
      const t0 = process.hrtime.bigint();
      for (let b = 0; b < inRound; b++) await driver.bundle(bytes);
      harnessNs += Number(process.hrtime.bigint() - t0);
      const t1 = process.hrtime.bigint();
      for (let b = 0; b < inRound; b++) {
        direct.startBundle();
        for (const wv of values) direct.input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
        direct.finishBundle();
      }
      directNs += Number(process.hrtime.bigint() - t1);
    }
    const n = bundles * size;
    const row = [
      String(size).padStart(11),
      (harnessNs / bundles / 1e6).toFixed(3).padStart(17),
      (harnessNs / n / 1e3).toFixed(2).padStart(18),
      (directNs / n / 1e3).toFixed(2).padStart(17),
      ((harnessNs - directNs) / n / 1e3).toFixed(2).padStart(19),
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" "),
    ];
    process.stdout.write(row.join(" | ") + "\n");
  }
  harness.stop();
  await running.catch(() => undefined);
  await driver.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
