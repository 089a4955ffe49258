/** The JS value coder, the ByteReader/ByteWriter primitives and structural equality. */
import { expect } from "chai";
import {
  ByteReader,
  ByteWriter,
  CoderError,
  JS_VALUE_CODER,
  buildCoder,
  coderUrns,
  coders,
  decodeFromBytes,
  encodeToBytes,
  valuesEqualStructurally,
} from "../../../portability/coders";

const roundTrip = (v: unknown): unknown => decodeFromBytes(JS_VALUE_CODER, encodeToBytes(JS_VALUE_CODER, v));
const hexOf = (v: unknown): string => Buffer.from(encodeToBytes(JS_VALUE_CODER, v)).toString("hex");

function expectCoderError(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a CoderError").to.be.instanceOf(CoderError);
  expect((caught as Error).message).to.match(pattern);
}

describe("JsValueCoder", () => {
  const samples: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["booleans", [true, false]],
    ["small ints", [0, 1, -1, 63, -64, 127, 128, 300, -300, 2 ** 30, -(2 ** 30), 2 ** 31, -(2 ** 31) - 1]],
    ["big ints", [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 53 - 3)]],
    ["doubles", [0.1, -2.5, 1e300, -1e-300, 2 ** 60, -(2 ** 70), Number.MAX_VALUE, Number.MIN_VALUE]],
    ["special numbers", [NaN, Infinity, -Infinity, -0]],
    ["strings", ["", "a", "hello world", "x".repeat(200), "héllo", "光线", "emoji 😀 ok", "\u0000nul"]],
    ["bigints", [0n, 1n, -1n, 255n, 256n, -256n, 2n ** 64n, -(2n ** 100n) + 7n]],
    ["bytes", [new Uint8Array(0), new Uint8Array([0, 1, 255]), new Uint8Array(300).fill(7)]],
    ["nested", { a: [1, { b: "c", d: [null, undefined, true] }], e: { f: { g: new Uint8Array([1]) } }, "not id": 1n }],
    ["null prototype object", Object.assign(Object.create(null) as object, { z: 1, a: 2 })],
    ["__proto__ key", JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
    ["deep but legal", Array.from({ length: 500 }).reduce<unknown>((acc) => [acc], 0)],
  ];
  for (const [name, value] of samples) {
    it(`round-trips ${name}`, () => {
      const back = roundTrip(value);
      expect(valuesEqualStructurally(back, value)).to.equal(true);
      // Self-delimiting: the nested form is the same bytes.
      expect(Buffer.from(encodeToBytes(JS_VALUE_CODER, value, "nested")).toString("hex")).to.equal(hexOf(value));
    });
  }

  it("keeps -0 and NaN distinct from 0", () => {
    expect(Object.is(roundTrip(-0), -0)).to.equal(true);
    expect(Object.is(roundTrip(0), 0)).to.equal(true);
    expect(Number.isNaN(roundTrip(NaN))).to.equal(true);
    expect(hexOf(-0)).to.not.equal(hexOf(0));
  });

  it("decodes a Buffer as a plain Uint8Array", () => {
    const back = roundTrip(Buffer.from("abc"));
    expect(back).to.be.instanceOf(Uint8Array);
    expect(Buffer.isBuffer(back)).to.equal(false);
    expect(Array.from(back as Uint8Array)).to.deep.equal([97, 98, 99]);
  });

  it("decodes objects with Object.prototype and the __proto__ key as data", () => {
    const back = roundTrip(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
    expect(Object.keys(back)).to.deep.equal(["__proto__"]);
  });

  it("is deterministic across key order", () => {
    expect(hexOf({ a: 1, b: 2 })).to.equal(hexOf({ b: 2, a: 1 }));
    expect(hexOf({ x: { b: [1], a: "s" }, 2: 0, 10: 1 })).to.equal(hexOf({ 10: 1, x: { a: "s", b: [1] }, 2: 0 }));
    expect(hexOf({ a: 1 })).to.not.equal(hexOf({ a: 2 }));
    expect(JS_VALUE_CODER.deterministic).to.equal(true);
  });

  it("encodes integers and doubles differently but compactly", () => {
    expect(hexOf(1)).to.have.length(4); // tag + one varint byte
    expect(hexOf("ab")).to.have.length(8); // tag + length + 2 bytes
    expect(hexOf(1.5)).to.have.length(18); // tag + 8 bytes
  });

  it("names the type and path of a Date", () => {
    expectCoderError(
      () => encodeToBytes(JS_VALUE_CODER, { items: [0, 1, 2, { when: new Date(0) }] }),
      /value\.items\[3\]\.when: Date is not a plain value/,
    );
  });

  it("names Map, Set, class instances, functions and symbols", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, new Map()), /^millrace:coder:js_value:v1: value: Map is not a plain value$/);
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, [new Set([1])]), /value\[0\]: Set is not a plain value/);
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, { p: new Point(1) }), /value\.p: Point is not a plain value/);
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, { "a b": () => 1 }), /value\["a b"\]: function is not a plain value/);
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, { s: Symbol("x") }), /value\.s: symbol is not a plain value/);
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, new Float64Array(2)), /Float64Array is not a plain value/);
  });

  it("refuses cyclic structures", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expectCoderError(() => encodeToBytes(JS_VALUE_CODER, cyclic), /value\.self\.self.*nested more than 1000 levels deep/);
  });

  it("refuses unknown tags and trailing bytes", () => {
    expectCoderError(() => decodeFromBytes(JS_VALUE_CODER, new Uint8Array([0xee])), /unknown tag 0xee at offset 0/);
    expectCoderError(() => decodeFromBytes(JS_VALUE_CODER, new Uint8Array([0, 0])), /left 1 of 2 bytes unread/);
  });

  it("reports truncated input", () => {
    const bytes = encodeToBytes(JS_VALUE_CODER, { key: "a longer string value" });
    expect(() => decodeFromBytes(JS_VALUE_CODER, bytes.subarray(0, bytes.length - 3))).to.throw(
      /truncated input: needed 21 bytes at offset \d+, only 18 left/,
    );
  });

  it("is built by the registry from its urn", () => {
    expect(buildCoder({ urn: coderUrns.JS_VALUE, components: [] })).to.equal(JS_VALUE_CODER);
    expect(coders.jsValue()).to.equal(JS_VALUE_CODER);
  });

  it("streams many short strings through one reused writer and reader (its speed is measured by bench/js_value_coder)", () => {
    const strings = Array.from({ length: 1000 }, (_, i) => `word-${i}`);
    const writer = new ByteWriter();
    for (let round = 0; round < 3; round++) {
      writer.reset();
      for (let i = 0; i < strings.length; i++) JS_VALUE_CODER.encode(strings[i], writer);
      const reader = new ByteReader(writer.view());
      const decoded = strings.map(() => JS_VALUE_CODER.decode(reader));
      expect(decoded).to.deep.equal(strings);
      expect(reader.remaining, "nothing left over").to.equal(0);
    }
  });
});

describe("JsValueCoder: objects of repeating and changing shapes", () => {
  it("encodes keys in sorted order whatever order the object has, the same bytes for every order", () => {
    const a = { b: 1, a: 2, c: 3 };
    const b = { c: 3, a: 2, b: 1 };
    const c = { a: 2, b: 1, c: 3 };
    expect(hexOf(a)).to.equal(hexOf(c));
    expect(hexOf(b)).to.equal(hexOf(c));
    // After many shapes (more than are remembered), an old shape still sorts right.
    for (let i = 0; i < 20; i++) hexOf({ [`k${i}`]: i, [`j${i}`]: -i });
    expect(hexOf(a)).to.equal(hexOf(c));
  });

  it("decodes a stream of objects whose shapes change, nest, and share keys at other positions", () => {
    const values: unknown[] = [
      { auction: 1, bidder: 2, price: 3 },
      { auction: 4, bidder: 5, price: 6 },
      { auction: 1, bidderX: 2, price: 3 },
      { a: { auction: 1, b: { c: 1 } }, price: 3 },
      { bidder: 7 },
      { "h\u00e9": 1, "h\u00c3\u00a9": 2 },
      { "h\u00c3\u00a9": 3, "h\u00e9": 4 },
      { auction: 9, bidder: 8, price: 7 },
    ];
    const writer = new ByteWriter();
    for (const v of values) JS_VALUE_CODER.encode(v, writer);
    const reader = new ByteReader(writer.view());
    const back = values.map(() => JS_VALUE_CODER.decode(reader));
    expect(back).to.deep.equal(values);
    expect(Object.keys(back[5] as object).sort()).to.deep.equal(["h\u00c3\u00a9", "h\u00e9"]);
  });
});

describe("ByteReader / ByteWriter", () => {
  it("readUtf8NestedExpecting gives back the expected string when the bytes spell it, and decodes otherwise", () => {
    const w = new ByteWriter();
    for (const s of ["price", "prize", "h\u00e9", "\u00c3\u00a9", "pri"]) w.writeUtf8Nested(s);
    const r = new ByteReader(w.view());
    const expected = "price";
    expect(r.readUtf8NestedExpecting(expected)).to.equal(expected);
    expect(r.readUtf8NestedExpecting(expected)).to.equal("prize");
    expect(r.readUtf8NestedExpecting("h\u00e9")).to.equal("h\u00e9");
    // The UTF-8 bytes of "\u00c3\u00a9" (4 bytes) and of "\u00e9" (2 bytes, C3 A9) must not be mistaken for char codes.
    expect(r.readUtf8NestedExpecting("\u00c3\u00a9")).to.equal("\u00c3\u00a9");
    expect(r.readUtf8NestedExpecting(undefined)).to.equal("pri");
    const trap = new ByteWriter();
    trap.writeUtf8Nested("\u00e9");
    expect(new ByteReader(trap.view()).readUtf8NestedExpecting("\u00c3\u00a9")).to.equal("\u00e9");
  });

  it("reports truncated input with offset and remaining bytes", () => {
    const r = new ByteReader(new Uint8Array([1, 2, 3]));
    r.readByte();
    expect(() => r.readInt32BE()).to.throw(Error, "truncated input: needed 4 bytes at offset 1, only 2 left");
    expect(() => new ByteReader(new Uint8Array([0x80])).readVarint()).to.throw(/truncated input/);
    expect(() => new ByteReader(new Uint8Array([5, 1])).readUtf8Nested()).to.throw(
      /truncated input: needed 5 bytes at offset 1, only 1 left/,
    );
    expect(() => new ByteReader(new Uint8Array(0)).readByte()).to.throw(/truncated input: needed 1 bytes at offset 0, only 0 left/);
    expect(() => new ByteReader(new Uint8Array(7)).readDoubleBE()).to.throw(/truncated input/);
  });

  it("writes and reads varints across the int64 range", () => {
    const values: (number | bigint)[] = [
      0,
      1,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      -1,
      -(2 ** 31),
      Number.MIN_SAFE_INTEGER,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 53n,
    ];
    const w = new ByteWriter(1);
    for (const v of values) w.writeVarint(v);
    const r = new ByteReader(w.finish());
    for (const v of values) expect(r.readVarintNumberOrBig()).to.equal(v);
    expect(r.atEnd).to.equal(true);
    const minusOne = new ByteWriter();
    minusOne.writeVarint(-1);
    expect(Buffer.from(minusOne.finish()).toString("hex")).to.equal("ffffffffffffffffff01");
    expect(() => new ByteWriter().writeVarint(2n ** 63n)).to.throw(RangeError);
    expect(() => new ByteWriter().writeVarint(1.5)).to.throw(RangeError);
    expect(() => new ByteReader(minusOne.finish()).readVarint()).to.not.throw();
    const big = new ByteWriter();
    big.writeVarint(2n ** 60n);
    expect(() => new ByteReader(big.finish()).readVarint()).to.throw(/outside the safe integer range/);
  });

  it("finish() returns a copy that survives reset and reuse", () => {
    const w = new ByteWriter(4);
    w.writeUtf8("abcdefgh");
    const first = w.finish();
    w.reset();
    w.writeUtf8("zzzzzzzz");
    expect(Buffer.from(first).toString()).to.equal("abcdefgh");
    expect(w.length).to.equal(8);
  });

  it("round-trips non-ASCII strings nested, including long ones", () => {
    const w = new ByteWriter(2);
    const strs = ["é", "a".repeat(127) + "é", "光".repeat(100), "x".repeat(1000), "😀"];
    for (const s of strs) w.writeUtf8Nested(s);
    const r = new ByteReader(w.finish());
    for (const s of strs) expect(r.readUtf8Nested()).to.equal(s);
  });
});

describe("coder shape errors", () => {
  it("name the coder urn and show the value, truncated", () => {
    expectCoderError(
      () => encodeToBytes(coders.varint(), "12" as never),
      /^beam:coder:varint:v1: expected a number or bigint \(got "12"\)$/,
    );
    expectCoderError(
      () => encodeToBytes(coders.kv(coders.bytes(), coders.varint()), 5 as never),
      /^beam:coder:kv:v1: expected a \{key, value\} object \(got 5\)$/,
    );
    expectCoderError(() => encodeToBytes(coders.stringUtf8(), { long: "y".repeat(500) } as never), /\(got \{"long":"y{80,}\.\.\.\)$/);
    expectCoderError(() => encodeToBytes(coders.varint(), 2 ** 64), /int64 range/);
    expectCoderError(() => encodeToBytes(coders.globalWindow(), { start: 0, end: 1 } as never), /expected the global window/);
  });

  it("unknown urns list the known ones", () => {
    expect(() => buildCoder({ urn: "beam:coder:nope:v1", components: [] })).to.throw(
      /unknown coder urn "beam:coder:nope:v1"; known coder urns: .*beam:coder:bytes:v1/,
    );
  });

  it("length_prefix and nullable round-trip", () => {
    const c = coders.lengthPrefix(coders.kv(coders.stringUtf8(), coders.nullable(coders.varint())));
    const bytes = encodeToBytes(c, { key: "k", value: null });
    expect(Buffer.from(bytes).toString("hex")).to.equal("0301" + "6b" + "00");
    expect(decodeFromBytes(c, bytes)).to.deep.equal({ key: "k", value: null });
  });
});

describe("valuesEqualStructurally", () => {
  it("compares deeply", () => {
    expect(valuesEqualStructurally({ a: [1, NaN, new Uint8Array([1])] }, { a: [1, NaN, new Uint8Array([1])] })).to.equal(true);
    expect(valuesEqualStructurally({ a: 1, b: 2 }, { b: 2, a: 1 })).to.equal(true);
    expect(valuesEqualStructurally(0, -0)).to.equal(false);
    expect(valuesEqualStructurally([1], { 0: 1 })).to.equal(false);
    expect(valuesEqualStructurally(new Uint8Array([1]), new Uint8Array([2]))).to.equal(false);
    expect(valuesEqualStructurally({ a: undefined }, {})).to.equal(false);
    expect(valuesEqualStructurally(1n, 1n)).to.equal(true);
    expect(valuesEqualStructurally(null, {})).to.equal(false);
  });
});
