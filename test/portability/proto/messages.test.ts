import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  AccumulationMode,
  ClosingBehavior,
  IsBounded,
  MergeStatus,
  OnTimeBehavior,
  OutputTime,
  ProtoDecodeError,
  ProtoEncodeError,
  TimeDomain,
  decodeMessage,
  encodeMessage,
  type ParDoPayload,
  type Pipeline,
  type Trigger,
} from "../../../portability/proto/messages";
import { findProtoDir } from "../../../portability/proto/proto_root";
import { CoderUrns, MillraceUrns, TransformUrns, WindowFnUrns } from "../../../portability/urns";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

/** Pipeline{components{transforms{"t": {spec{urn: impulse}, unique_name "t"}}}, root_transform_ids ["t"]} */
function tinyPipeline() {
  return {
    components: {
      transforms: { t: { spec: { urn: "beam:transform:impulse:v1" }, uniqueName: "t" } },
    },
    rootTransformIds: ["t"],
  };
}

describe("portability/proto messages", () => {
  describe("wire bytes", () => {
    it("encodes a tiny Pipeline exactly as the protobuf wire format prescribes", () => {
      // tag = (field_number << 3) | wire_type; wire type 2 = length-delimited.
      // "beam:transform:impulse:v1" is 25 = 0x19 bytes.
      const expected = [
        "0a 27", //       Pipeline.components (1<<3|2 = 0x0a), len 39
        "0a 25", //         Components.transforms (1<<3|2) map entry, len 37
        "0a 01 74", //        entry.key (1<<3|2) "t"
        "12 20", //           entry.value (2<<3|2 = 0x12) PTransform, len 32
        "0a 1b", //             PTransform.spec (1<<3|2) FunctionSpec, len 27
        "0a 19", //               FunctionSpec.urn (1<<3|2), len 25
        Buffer.from("beam:transform:impulse:v1").toString("hex"),
        "2a 01 74", //          PTransform.unique_name (5<<3|2 = 0x2a) "t"
        "12 01 74", //    Pipeline.root_transform_ids (2<<3|2 = 0x12) "t"
      ].join("");
      const bytes = encodeMessage("Pipeline", tinyPipeline());
      expect(bytes).to.be.instanceOf(Uint8Array);
      expect(Buffer.isBuffer(bytes)).to.equal(false);
      expect(bytes.length).to.equal(44); // 2 + 39 + 3
      expect(hex(bytes)).to.equal(hex(fromHex(expected)));
    });

    it("leaves proto3 defaults off the wire, so re-encoding a decoded message is canonical", () => {
      const bytes = encodeMessage("Pipeline", tinyPipeline());
      const decoded = decodeMessage("Pipeline", bytes);
      // decoded has "", [], {}, empty bytes everywhere; none of it may appear on the wire.
      expect(hex(encodeMessage("Pipeline", decoded))).to.equal(hex(bytes));
      expect(hex(encodeMessage("PCollection", { uniqueName: "", isBounded: 0, displayData: [] }))).to.equal("");
    });

    it("writes int64 varints as two's complement (-1 is ff x9 01)", () => {
      // WindowingStrategy.allowed_lateness = 8 -> tag 8<<3|0 = 0x40.
      expect(hex(encodeMessage("WindowingStrategy", { allowedLateness: -1 }))).to.equal("40ffffffffffffffffff01");
      expect(decodeMessage("WindowingStrategy", fromHex("40ffffffffffffffffff01")).allowedLateness).to.equal(-1);
    });

    it("decodes int64 beyond 2^53 to the nearest number", () => {
      // 2^63 - 1 as a varint: eight 0xff then 0x7f.
      const ws = decodeMessage("WindowingStrategy", fromHex("40ffffffffffffffff7f"));
      expect(ws.allowedLateness).to.be.a("number");
      expect(ws.allowedLateness).to.equal(2 ** 63);
      // Beam's minimum timestamp in millis survives a round trip as the same double.
      const min = -9223372036854775;
      const ts = decodeMessage(
        "TestStreamPayload",
        encodeMessage("TestStreamPayload", {
          events: [{ watermarkEvent: { newWatermark: min } }],
        }),
      );
      expect(ts.events[0]!.watermarkEvent!.newWatermark).to.equal(min);
    });
  });

  describe("round trip", () => {
    const earlyLate: Trigger = {
      afterEndOfWindow: {
        earlyFirings: { elementCount: { elementCount: 2 } },
        lateFirings: { always: {} },
      },
    };

    const parDo = {
      doFn: { urn: MillraceUrns.DO_FN, payload: utf8("fn-ref") },
      stateSpecs: {
        buffer: { bagSpec: { elementCoderId: "c_bytes" } },
      },
      timerFamilySpecs: {
        flush: { timeDomain: TimeDomain.EVENT_TIME, timerFamilyCoderId: "c_timer" },
      },
      requiresStableInput: true,
    };

    const fixed = { size: { seconds: 60 }, offset: { seconds: 5, nanos: 250_000_000 } };

    function richPipeline() {
      return {
        components: {
          transforms: {
            impulse: {
              spec: { urn: TransformUrns.IMPULSE },
              outputs: { out: "pc1" },
              uniqueName: "Impulse",
            },
            pardo: {
              spec: { urn: TransformUrns.PAR_DO, payload: encodeMessage("ParDoPayload", parDo) },
              inputs: { in: "pc1" },
              outputs: { out: "pc2" },
              uniqueName: "Stateful",
              environmentId: "env",
              annotations: { note: new Uint8Array([1, 2, 3]) },
            },
          },
          pcollections: {
            pc1: { uniqueName: "pc1", coderId: "c_bytes", isBounded: IsBounded.BOUNDED, windowingStrategyId: "ws" },
            pc2: { uniqueName: "pc2", coderId: "c_kv", isBounded: IsBounded.BOUNDED, windowingStrategyId: "ws" },
          },
          windowingStrategies: {
            ws: {
              windowFn: { urn: WindowFnUrns.FIXED, payload: encodeMessage("FixedWindowsPayload", fixed) },
              mergeStatus: MergeStatus.NON_MERGING,
              windowCoderId: "c_window",
              trigger: earlyLate,
              accumulationMode: AccumulationMode.ACCUMULATING,
              outputTime: OutputTime.END_OF_WINDOW,
              closingBehavior: ClosingBehavior.EMIT_IF_NONEMPTY,
              allowedLateness: 60_000,
              onTimeBehavior: OnTimeBehavior.FIRE_ALWAYS,
              assignsToOneWindow: true,
            },
          },
          coders: {
            c_bytes: { spec: { urn: CoderUrns.BYTES } },
            c_kv: { spec: { urn: CoderUrns.KV }, componentCoderIds: ["c_bytes", "c_bytes"] },
            c_window: { spec: { urn: CoderUrns.INTERVAL_WINDOW } },
            c_timer: { spec: { urn: CoderUrns.TIMER }, componentCoderIds: ["c_bytes", "c_window"] },
          },
          environments: {
            env: { urn: MillraceUrns.ENVIRONMENT, capabilities: [CoderUrns.KV] },
          },
        },
        rootTransformIds: ["impulse", "pardo"],
        requirements: ["beam:requirement:pardo:stateful:v1"],
      };
    }

    const empty = new Uint8Array(0);
    const spec = (urn: string, payload: Uint8Array = empty) => ({ urn, payload });
    const coder = (urn: string, componentCoderIds: string[] = []) => ({ spec: spec(urn), componentCoderIds });

    it("decodes a rich Pipeline to plain objects with every default filled", () => {
      const bytes = encodeMessage("Pipeline", richPipeline());
      const p: Pipeline = decodeMessage("Pipeline", bytes);
      const c = p.components!;

      expect(p.rootTransformIds).to.deep.equal(["impulse", "pardo"]);
      expect(p.requirements).to.deep.equal(["beam:requirement:pardo:stateful:v1"]);
      expect(p.displayData).to.deep.equal([]);

      expect(c.transforms["impulse"]).to.deep.equal({
        spec: spec(TransformUrns.IMPULSE),
        subtransforms: [],
        inputs: {},
        outputs: { out: "pc1" },
        uniqueName: "Impulse",
        displayData: [],
        environmentId: "",
        annotations: {},
      });
      expect(c.transforms["pardo"]!.annotations["note"]).to.deep.equal(new Uint8Array([1, 2, 3]));
      expect(c.pcollections["pc2"]).to.deep.equal({
        uniqueName: "pc2",
        coderId: "c_kv",
        isBounded: 2,
        windowingStrategyId: "ws",
        displayData: [],
      });
      expect(c.coders).to.deep.equal({
        c_bytes: coder(CoderUrns.BYTES),
        c_kv: coder(CoderUrns.KV, ["c_bytes", "c_bytes"]),
        c_window: coder(CoderUrns.INTERVAL_WINDOW),
        c_timer: coder(CoderUrns.TIMER, ["c_bytes", "c_window"]),
      });
      expect(c.environments["env"]).to.deep.equal({
        urn: MillraceUrns.ENVIRONMENT,
        payload: empty,
        displayData: [],
        capabilities: [CoderUrns.KV],
        dependencies: [],
        resourceHints: {},
      });

      const ws = c.windowingStrategies["ws"]!;
      const { windowFn, ...rest } = ws;
      expect(rest).to.deep.equal({
        mergeStatus: 1,
        windowCoderId: "c_window",
        trigger: {
          trigger: "afterEndOfWindow",
          afterEndOfWindow: {
            earlyFirings: { trigger: "elementCount", elementCount: { elementCount: 2 } },
            lateFirings: { trigger: "always", always: {} },
          },
        },
        accumulationMode: 2,
        outputTime: 1,
        closingBehavior: 2,
        allowedLateness: 60_000,
        onTimeBehavior: 1,
        assignsToOneWindow: true,
        environmentId: "",
      });
      expect(windowFn!.urn).to.equal(WindowFnUrns.FIXED);
      expect(decodeMessage("FixedWindowsPayload", windowFn!.payload)).to.deep.equal({
        size: { seconds: 60, nanos: 0 },
        offset: { seconds: 5, nanos: 250_000_000 },
      });

      const payload = decodeMessage<ParDoPayload>("ParDoPayload", c.transforms["pardo"]!.spec!.payload);
      expect(payload).to.deep.equal({
        doFn: spec(MillraceUrns.DO_FN, utf8("fn-ref")),
        sideInputs: {},
        stateSpecs: { buffer: { spec: "bagSpec", bagSpec: { elementCoderId: "c_bytes" }, protocol: null } },
        restrictionCoderId: "",
        requestsFinalization: false,
        timerFamilySpecs: { flush: { timeDomain: 1, timerFamilyCoderId: "c_timer" } },
        requiresTimeSortedInput: false,
        requiresStableInput: true,
        onWindowExpirationTimerFamilySpec: "",
      });

      // encode(decode(x)) == x
      expect(hex(encodeMessage("Pipeline", p))).to.equal(hex(bytes));
    });

    it("returns owning plain Uint8Arrays for bytes, never Buffers or views of the input", () => {
      const bytes = encodeMessage("FunctionSpec", { urn: "u", payload: new Uint8Array([7, 8, 9]) });
      const decoded = decodeMessage("FunctionSpec", bytes);
      expect(decoded.payload.constructor).to.equal(Uint8Array);
      expect(Buffer.isBuffer(decoded.payload)).to.equal(false);
      bytes.fill(0);
      expect(Array.from(decoded.payload)).to.deep.equal([7, 8, 9]);
      const none = decodeMessage("FunctionSpec", new Uint8Array(0));
      expect(none).to.deep.equal({ urn: "", payload: new Uint8Array(0) });
      expect(none.payload.constructor).to.equal(Uint8Array);
    });

    it("sets exactly one oneof member plus the oneof name; unset sub-messages are null", () => {
      const t = decodeMessage("Trigger", encodeMessage("Trigger", { repeat: { subtrigger: null } }));
      expect(Object.keys(t).sort()).to.deep.equal(["repeat", "trigger"]);
      expect(t).to.deep.equal({ trigger: "repeat", repeat: { subtrigger: null } });
      expect(decodeMessage("Trigger", new Uint8Array(0))).to.deep.equal({});
      // An empty member is still "set" and must survive the round trip.
      const d = decodeMessage("Trigger", encodeMessage("Trigger", { default: {} }));
      expect(d).to.deep.equal({ trigger: "default", default: {} });
      const tt = decodeMessage("TimestampTransform", encodeMessage("TimestampTransform", { delay: { delayMillis: 0 } }));
      expect(tt).to.deep.equal({ timestampTransform: "delay", delay: { delayMillis: 0 } });
    });

    it("round-trips a TestStreamPayload", () => {
      const value = {
        coderId: "c",
        events: [
          { elementEvent: { elements: [{ encodedElement: new Uint8Array([1]), timestamp: 10 }], tag: "main" } },
          { watermarkEvent: { newWatermark: 20 } },
          { processingTimeEvent: { advanceDuration: 5 } },
        ],
      };
      expect(decodeMessage("TestStreamPayload", encodeMessage("TestStreamPayload", value))).to.deep.equal({
        coderId: "c",
        endpoint: null,
        events: [
          {
            event: "elementEvent",
            elementEvent: { elements: [{ encodedElement: new Uint8Array([1]), timestamp: 10 }], tag: "main" },
          },
          { event: "watermarkEvent", watermarkEvent: { newWatermark: 20, tag: "" } },
          { event: "processingTimeEvent", processingTimeEvent: { advanceDuration: 5 } },
        ],
      });
    });
  });

  describe("errors", () => {
    const valid = encodeMessage("Pipeline", tinyPipeline());

    it("wraps truncated input in ProtoDecodeError", () => {
      const half = valid.subarray(0, valid.length >> 1);
      let err: unknown;
      try {
        decodeMessage("Pipeline", half);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ProtoDecodeError);
      expect(err).to.be.instanceOf(Error);
      const e = err as ProtoDecodeError;
      expect(e.message).to.match(/^malformed Pipeline proto: index out of range: \d+ \+ \d+ > 22$/);
      expect(e.typeName).to.equal("Pipeline");
      expect(e.name).to.equal("ProtoDecodeError");
      expect(e.cause).to.be.instanceOf(RangeError);
    });

    for (const [label, h] of [
      ["an invalid wire type", "0f"],
      ["a length past the end", "0aff01"],
      ["an unterminated varint", "08ffffff"],
      ["a group end without start", "0c"],
    ] as const) {
      it(`wraps garbage with ${label} in ProtoDecodeError`, () => {
        expect(() => decodeMessage("Pipeline", fromHex(h)))
          .to.throw(ProtoDecodeError)
          .with.property("message")
          .that.matches(/^malformed Pipeline proto: /);
      });
    }

    it("never lets a raw RangeError escape for any prefix of a valid Pipeline", () => {
      for (let n = 0; n < valid.length; n++) {
        try {
          decodeMessage("Pipeline", valid.subarray(0, n));
        } catch (e) {
          expect(e, `prefix ${n}`).to.be.instanceOf(ProtoDecodeError);
        }
      }
    });

    it("rejects values that do not fit the type, naming type and problem", () => {
      expect(() => encodeMessage("Pipeline", { rootTransformIds: "t" } as never)).to.throw(
        ProtoEncodeError,
        "invalid Pipeline proto: rootTransformIds: array expected",
      );
      expect(() => encodeMessage("Trigger", { afterAll: {}, never: {} })).to.throw(
        ProtoEncodeError,
        "invalid Trigger proto: trigger: multiple values",
      );
      expect(() => encodeMessage("WindowingStrategy", { allowedLateness: 1.5 })).to.throw(
        ProtoEncodeError,
        /^invalid WindowingStrategy proto: allowedLateness: integer/,
      );
      expect(() => encodeMessage("PCollection", { isBounded: 7 as never })).to.throw(
        ProtoEncodeError,
        /^invalid PCollection proto: isBounded: enum value expected/,
      );
      expect(() => encodeMessage("Nope" as never, {})).to.throw(TypeError, /unknown Beam message type "Nope"/);
    });
  });

  describe(".proto file discovery", () => {
    it("finds the .proto files from the compiled dist/ tree via the millrace package root", () => {
      const dir = findProtoDir(__dirname);
      expect(dir).to.equal(path.resolve(__dirname, "../../../../portability/proto"));
      expect(fs.existsSync(path.join(dir, "beam_runner_api.proto"))).to.equal(true);
      expect(findProtoDir()).to.equal(dir);
    });

    it("explains where it looked when the files are missing", () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-proto-"));
      try {
        expect(() => findProtoDir(tmp)).to.throw(/cannot find the Beam \.proto files.*looked in: /);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  });
});
