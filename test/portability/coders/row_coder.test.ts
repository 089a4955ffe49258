/** The row coder beyond Beam's vectors: schema evolution, encoding positions, every type. */
import { expect } from "chai";
import {
  CoderError,
  RowCoder,
  buildCoder,
  coderUrns,
  decodeFromBytes,
  encodeToBytes,
  formatDecimal,
  parseDecimal,
  valuesEqualStructurally,
} from "../../../portability/coders";
import { AtomicType } from "../../../portability/proto/schema_root";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const atomic = (atomicType: number, nullable = false) => ({ atomicType, nullable });

describe("row coder", () => {
  const v1 = RowCoder.fromSchema({
    id: "v1",
    fields: [
      { name: "name", type: atomic(AtomicType.STRING) },
      { name: "n", type: atomic(AtomicType.INT64, true) },
    ],
  });
  const v2 = RowCoder.fromSchema({
    id: "v2",
    fields: [
      { name: "name", type: atomic(AtomicType.STRING) },
      { name: "n", type: atomic(AtomicType.INT64, true) },
      { name: "tags", type: { arrayType: { elementType: atomic(AtomicType.STRING) }, nullable: true } },
      { name: "score", type: atomic(AtomicType.DOUBLE, true) },
    ],
  });

  it("decodes rows with fewer encoded fields than the schema: the missing fields are null", () => {
    const old = encodeToBytes(v1, { name: "a", n: 5 });
    expect(toHex(old)).to.equal("02000161" + "05");
    expect(decodeFromBytes(v2, old)).to.deep.equal({ name: "a", n: 5, tags: null, score: null });
    const oldWithNull = encodeToBytes(v1, { name: "b", n: null });
    expect(toHex(oldWithNull)).to.equal("0201020162");
    expect(decodeFromBytes(v2, oldWithNull)).to.deep.equal({ name: "b", n: null, tags: null, score: null });
    // Nested too: the row is followed by more data.
    const r = decodeFromBytes(v2, old, "nested");
    expect(r).to.deep.equal({ name: "a", n: 5, tags: null, score: null });
  });

  it("decodes rows with more encoded fields than the schema when it can skip them", () => {
    const newer = encodeToBytes(v2, { name: "a", n: 1, tags: ["x"], score: 0.5 });
    expect(decodeFromBytes(v1, newer, "outer")).to.deep.equal({ name: "a", n: 1 });
    const newerNulls = encodeToBytes(v2, { name: "a", n: 1, tags: null, score: null });
    expect(decodeFromBytes(v1, newerNulls, "nested")).to.deep.equal({ name: "a", n: 1 });
    expect(() => decodeFromBytes(v1, newer, "nested")).to.throw(CoderError, /more than the schema's 2/);
  });

  it("writes fields in encoding-position order with the null bitmap by encoding position", () => {
    const c = RowCoder.fromSchema({
      id: "pos",
      encodingPositionsSet: true,
      fields: [
        { name: "a", type: atomic(AtomicType.STRING, true), encodingPosition: 2 },
        { name: "b", type: atomic(AtomicType.INT32, true), encodingPosition: 0 },
        { name: "c", type: atomic(AtomicType.BOOLEAN), encodingPosition: 1 },
      ],
    });
    expect(toHex(encodeToBytes(c, { a: "x", b: 7, c: true }))).to.equal("0300" + "07" + "01" + "0178");
    // b (position 0) null: bit 0.
    const bytes = encodeToBytes(c, { a: "x", b: null, c: false });
    expect(toHex(bytes)).to.equal("030101" + "00" + "0178");
    expect(decodeFromBytes(c, bytes)).to.deep.equal({ a: "x", b: null, c: false });
  });

  it("trims the null bitmap's trailing zero bytes and reads untrimmed bitmaps", () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, type: atomic(AtomicType.INT32, true) }));
    const c = RowCoder.fromSchema({ id: "ten", fields });
    const row = Object.fromEntries(fields.map((f, i) => [f.name, i === 1 ? null : i]));
    expect(toHex(encodeToBytes(c, row))).to.equal("0a0102" + "00" + "0203040506070809");
    // Python writes all (n + 7) / 8 bytes.
    expect(decodeFromBytes(c, hex("0a020200" + "00" + "0203040506070809"))).to.deep.equal(row);
  });

  it("round-trips every field type", () => {
    const c = RowCoder.fromSchema({
      id: "all",
      fields: [
        { name: "byte", type: atomic(AtomicType.BYTE) },
        { name: "i16", type: atomic(AtomicType.INT16) },
        { name: "i32", type: atomic(AtomicType.INT32) },
        { name: "i64", type: atomic(AtomicType.INT64) },
        { name: "big", type: atomic(AtomicType.INT64) },
        { name: "f", type: atomic(AtomicType.FLOAT) },
        { name: "d", type: atomic(AtomicType.DOUBLE) },
        { name: "s", type: atomic(AtomicType.STRING) },
        { name: "b", type: atomic(AtomicType.BOOLEAN) },
        { name: "bytes", type: atomic(AtomicType.BYTES) },
        { name: "it", type: { iterableType: { elementType: atomic(AtomicType.INT64, true) } } },
        { name: "m", type: { mapType: { keyType: atomic(AtomicType.BYTES), valueType: atomic(AtomicType.STRING, true) } } },
        {
          name: "nested",
          type: { rowType: { schema: { id: "inner", fields: [{ name: "x", type: atomic(AtomicType.STRING, true) }] } } },
        },
        { name: "ts", type: { logicalType: { urn: "beam:logical_type:millis_instant:v1", representation: atomic(AtomicType.INT64) } } },
        { name: "dec", type: { logicalType: { urn: "beam:logical_type:decimal:v1", representation: atomic(AtomicType.BYTES) } } },
      ],
    });
    expect(c.deterministic).to.equal(false);
    const row = {
      byte: -2,
      i16: -300,
      i32: -1,
      i64: -1,
      big: -(2n ** 63n),
      f: Math.fround(0.1),
      d: -0,
      s: "héllo",
      b: true,
      bytes: new Uint8Array([0, 255]),
      it: [1, null, 3],
      m: new Map<Uint8Array, string | null>([
        [new Uint8Array([1]), "one"],
        [new Uint8Array([2]), null],
      ]),
      nested: { x: null },
      ts: -62135596800000,
      dec: "-1.23E+5",
    };
    const bytes = encodeToBytes(c, row);
    // BYTE one byte, INT16 two, INT32 -1 as Java writes it (5 bytes), INT64 -1 in 10.
    expect(toHex(bytes).slice(0, 4 + 2 + 4 + 10 + 20)).to.equal("0f00" + "fe" + "fed4" + "ffffffff0f" + "ffffffffffffffffff01");
    const back = decodeFromBytes(c, bytes);
    expect(back).to.deep.equal(row);
    expect(valuesEqualStructurally(back, row)).to.equal(true);
    // INT32 also accepts the 10-byte form Python writes for negatives.
    const py = RowCoder.fromSchema({ id: "i32", fields: [{ name: "i", type: atomic(AtomicType.INT32) }] });
    expect(decodeFromBytes(py, hex("0100ffffffffffffffffff01"))).to.deep.equal({ i: -1 });
  });

  it("formats decimals like Java's BigDecimal.toString", () => {
    for (const s of ["0", "0.0", "1.0", "-100.123", "3.1415", "0.000001", "1E-7", "1.23E+5", "0E+2", "-5E+1"]) {
      expect(formatDecimal(parseDecimal(s)), s).to.equal(s);
    }
    expect(parseDecimal("-100.123")).to.deep.equal({ unscaled: -100123n, scale: 3 });
    expect(formatDecimal({ unscaled: 123n, scale: 10 })).to.equal("1.23E-8");
  });

  it("refuses values that do not fit the schema", () => {
    expect(() => encodeToBytes(v1, { name: null, n: 1 })).to.throw(CoderError, /"name" is not nullable/);
    expect(() => encodeToBytes(v1, { name: "a", n: 1, extra: 2 })).to.throw(CoderError, /no field "extra"/);
    expect(() => encodeToBytes(v1, { name: "a", n: 1.5 })).to.throw(CoderError, /field "n": expected an integer/);
    expect(() => encodeToBytes(v1, [] as unknown as Record<string, unknown>)).to.throw(CoderError, /plain object/);
  });

  it("is built by the registry from its payload and keeps it", () => {
    const c = buildCoder({ urn: coderUrns.ROW, payload: v2.payload, components: [] }) as RowCoder;
    expect(c).to.be.instanceOf(RowCoder);
    expect(toHex(c.payload)).to.equal(toHex(v2.payload));
    expect(c.schema.fields.map((f) => f.name)).to.deep.equal(["name", "n", "tags", "score"]);
    expect(() => buildCoder({ urn: coderUrns.ROW, components: [] })).to.throw(/needs a payload/);
  });

  it("compares maps by content in structural equality", () => {
    expect(valuesEqualStructurally(new Map([["a", 1]]), new Map([["a", 1]]))).to.equal(true);
    expect(valuesEqualStructurally(new Map([["a", 1]]), new Map([["a", 2]]))).to.equal(false);
    expect(
      valuesEqualStructurally(
        new Map([["a", 1]]),
        new Map([
          ["a", 1],
          ["b", 2],
        ]),
      ),
    ).to.equal(false);
    expect(valuesEqualStructurally(new Map([["a", 1]]), { a: 1 })).to.equal(false);
    expect(valuesEqualStructurally(new Map([[new Uint8Array([1]), 1]]), new Map([[new Uint8Array([1]), 1]]))).to.equal(true);
  });
});
