import { expect } from "chai";
import * as mr from "../../../index";
import type { Coder as CoderProto, Components, TestStreamPayload } from "../../../portability/proto/messages";
import { decodeMessage, encodeMessage } from "../../../portability/proto/messages";
import { lengthPrefixTestStreamKeys } from "../../../portability/engine/test_stream_keys_for_engine";
import { CoderUrns, MillraceUrns, PrimitiveTransformUrns } from "../../../portability/urns";
import { decodeFromBytes, encodeToBytes } from "../../../portability/coders/coder";
import { coders as c } from "../../../portability/coders/coder_registry";
import { JS_VALUE_CODER } from "../../../portability/coders/js_value_coder";

const coder = (urn: string, ...componentCoderIds: string[]): CoderProto =>
  ({ spec: { urn, payload: new Uint8Array(0) }, componentCoderIds }) as CoderProto;

/** A pipeline's components holding one TestStream coded with `coderId`, its elements `values` encoded with `encodeWith`. */
function withTestStream(coderId: string, values: unknown[], encodeWith: mr.Coder<unknown>): Components {
  const payload = encodeMessage("TestStreamPayload", {
    coderId,
    events: [
      { elementEvent: { elements: values.map((v, i) => ({ encodedElement: encodeToBytes(encodeWith, v), timestamp: i })) } },
      { watermarkEvent: { newWatermark: 10 } },
    ],
  });
  return {
    transforms: { ts: { uniqueName: "Events", spec: { urn: PrimitiveTransformUrns.TEST_STREAM, payload }, inputs: {}, outputs: {} } },
    windowingStrategies: {},
    environments: {},
    coders: {
      js: coder(MillraceUrns.JS_VALUE_CODER),
      user: coder(MillraceUrns.USER_CODER),
      str: coder(CoderUrns.STRING_UTF8),
      kvJsJs: coder(CoderUrns.KV, "js", "js"),
      kvStrJs: coder(CoderUrns.KV, "str", "js"),
      kvUserJs: coder(CoderUrns.KV, "user", "js"),
    },
    pcollections: {},
  } as unknown as Components;
}

const payloadOf = (comps: Components): TestStreamPayload => decodeMessage("TestStreamPayload", comps.transforms.ts!.spec!.payload);

describe("a TestStream's KV keys length-prefixed for an engine", () => {
  const values = [mr.kv("u1", "login"), mr.kv({ id: 7 }, [1, 2]), mr.kv(3, null)];

  it("re-encodes each element's key with the length-prefixed key coder and keeps the value's bytes", () => {
    const kvJs = c.kv(JS_VALUE_CODER, JS_VALUE_CODER);
    const comps = withTestStream("kvJsJs", values, kvJs as mr.Coder<unknown>);
    const before = payloadOf(comps);
    expect(lengthPrefixTestStreamKeys(comps)).to.deep.equal(["ts"]);
    const after = payloadOf(comps);
    const kvCoder = comps.coders[after.coderId]!;
    expect(kvCoder.spec!.urn).to.equal(CoderUrns.KV);
    const [keyId, valueId] = kvCoder.componentCoderIds;
    expect(comps.coders[keyId!]!.spec!.urn).to.equal(CoderUrns.LENGTH_PREFIX);
    expect(valueId).to.equal("js");
    // What the engine's consumers read: KV<length_prefix(js), js> (the engine prefixes the value itself).
    const prefixed = c.kv(c.lengthPrefix(JS_VALUE_CODER), JS_VALUE_CODER) as mr.Coder<unknown>;
    const elements = after.events[0]!.elementEvent!.elements;
    expect(elements.map((e) => decodeFromBytes(prefixed, e.encodedElement))).to.deep.equal(values);
    expect(elements.map((e) => e.timestamp)).to.deep.equal([0, 1, 2]);
    expect(after.events[1]).to.deep.include({ watermarkEvent: before.events[1]!.watermarkEvent });
  });

  it("leaves a TestStream whose key coder every engine knows as it is", () => {
    const strValues = [mr.kv("a", 1), mr.kv("b", { x: 1 })];
    const comps = withTestStream("kvStrJs", strValues, c.kv(c.stringUtf8(), JS_VALUE_CODER) as mr.Coder<unknown>);
    const before = comps.transforms.ts!.spec!.payload;
    expect(lengthPrefixTestStreamKeys(comps)).to.deep.equal([]);
    expect(comps.transforms.ts!.spec!.payload).to.equal(before);
  });

  it("refuses, naming the transform, a key coded with a user coder (user code is not loaded at submission)", () => {
    const comps = withTestStream("kvUserJs", [mr.kv("a", 1)], c.kv(JS_VALUE_CODER, JS_VALUE_CODER) as mr.Coder<unknown>);
    expect(() => lengthPrefixTestStreamKeys(comps)).to.throw(/TestStream 'ts' cannot be sent to an engine: .*key coder 'user'.*user coder/);
  });

  it("names the transform and the element when a key cannot be read with its coder", () => {
    const comps = withTestStream("kvJsJs", [], JS_VALUE_CODER as mr.Coder<unknown>);
    comps.transforms.ts!.spec!.payload = encodeMessage("TestStreamPayload", {
      coderId: "kvJsJs",
      events: [{ elementEvent: { elements: [{ encodedElement: new Uint8Array([0xff]), timestamp: 5 }] } }],
    });
    expect(() => lengthPrefixTestStreamKeys(comps)).to.throw(
      /TestStream 'ts': an element's key could not be read .*'js' \(1 bytes at timestamp 5\)/,
    );
  });
});
