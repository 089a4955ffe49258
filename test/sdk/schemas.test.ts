/**
 * Schemas: declaring and inferring them, the schema written into the proto
 * as the row coder's payload (Beam's Schema proto, so Beam's tooling reads
 * it), and the construction-time errors of the schema transforms.
 */
import { expect } from "chai";
import * as mr from "../../index";
import { decodeSchemaProto } from "../../portability/proto/schema_root";
import { encodeToBytes, decodeFromBytes } from "../../portability/coders/coder";

const ROW_URN = "beam:coder:row:v1";

/** The schemas of the row-coded PCollections of a pipeline, read back from its proto bytes, by PCollection unique name. */
function schemasInProto(p: mr.Pipeline): Map<string, mr.SchemaProto> {
  const model = mr.portability.fromProto(mr.portability.toProto(p));
  const out = new Map<string, mr.SchemaProto>();
  for (const pc of Object.values(model.components.pcollections)) {
    const coder = model.components.coders[pc.coderId]!;
    if (coder.spec?.urn === ROW_URN) out.set(pc.uniqueName, decodeSchemaProto(coder.spec.payload!));
  }
  return out;
}

describe("schemas", () => {
  it("schemaFromFields takes a field list or a name-to-type object, in order, non-null by default", () => {
    const s = mr.schemaFromFields([
      { name: "user", type: "string" },
      { name: "score", type: "int64", nullable: true },
      { name: "tags", type: { array: "string" } },
    ]);
    expect(s.fields.map((f) => [f.name, f.type, f.nullable])).to.deep.equal([
      ["user", "string", false],
      ["score", "int64", true],
      ["tags", { array: "string" }, false],
    ]);
    expect(mr.schemaFromFields({ word: "string", count: "int64" }).fields.map((f) => f.name)).to.deep.equal(["word", "count"]);
  });

  it("schemaFromFields refuses repeated names, empty names and unknown types", () => {
    expect(() =>
      mr.schemaFromFields([
        { name: "a", type: "string" },
        { name: "a", type: "int64" },
      ]),
    ).to.throw(/"a" appears twice/);
    expect(() => mr.schemaFromFields([{ name: "", type: "string" }])).to.throw(/non-empty name/);
    expect(() => mr.schemaFromFields({ a: "text" as mr.AtomicTypeName })).to.throw(/unknown type "text"/);
  });

  it("inferSchema types fields by their values, nullable when null or absent somewhere", () => {
    const s = mr.inferSchema([
      { name: "ann", age: 31, height: 1.7, tags: ["x"], address: { city: "Paris" } },
      { name: "bob", age: null, height: 2, tags: [], active: true },
    ]);
    expect(s.fields).to.deep.equal([
      { name: "name", type: "string", nullable: false },
      { name: "age", type: "int64", nullable: true },
      { name: "height", type: "double", nullable: false },
      { name: "tags", type: { array: "string", elementsNullable: false }, nullable: false },
      { name: "address", type: { row: { fields: [{ name: "city", type: "string", nullable: false }] } }, nullable: true },
      { name: "active", type: "boolean", nullable: true },
    ]);
  });

  it("inferSchema refuses a field of mixed types and a field with no value, naming it", () => {
    expect(() => mr.inferSchema([{ a: 1 }, { a: "x" }])).to.throw(/field "a" holds values of different types \(int64, string\)/);
    expect(() => mr.inferSchema([{ a: null }])).to.throw(/field "a" is null in every row/);
  });

  it("a schema survives the round trip through Beam's Schema proto", () => {
    const s = mr.schemaFromFields([
      { name: "at", type: "timestamp" },
      { name: "price", type: "decimal", nullable: true },
      { name: "counts", type: { map: { key: "string", value: "int32" } } },
      { name: "inner", type: { row: mr.schemaFromFields({ x: "double" }) } },
    ]);
    const proto = decodeSchemaProto(mr.RowCoder.fromSchema(mr.toSchemaProto(s)).payload);
    expect(mr.fromSchemaProto(proto)).to.deep.equal(s);
  });

  it("the schema is in the pipeline's proto: the row coder's payload is Beam's Schema proto, for every schema-aware collection", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const people = p.apply("People", mr.createRows([{ name: "ann", age: 31, city: "Paris" }]));
    people.apply("Names", mr.select("name", "age"));
    people.apply("PerCity", mr.groupBy("city").aggregate("age", mr.combiners.max<number>(), "oldest"));
    const schemas = schemasInProto(p);
    const fieldsOf = (suffix: string) => {
      const entry = [...schemas.entries()].find(([name]) => name.endsWith(suffix));
      expect(entry, `a row-coded collection named *${suffix}; got ${[...schemas.keys()].join(", ")}`).to.not.equal(undefined);
      return entry![1].fields.map((f) => [f.name, f.type?.atomicType ?? f.type?.typeInfo, f.type?.nullable ?? false]);
    };
    // AtomicType: INT64 = 4, STRING = 7.
    expect(fieldsOf("People/WithSchema.main")).to.deep.equal([
      ["name", 7, false],
      ["age", 4, false],
      ["city", 7, false],
    ]);
    expect(fieldsOf("Names/Pick.main")).to.deep.equal([
      ["name", 7, false],
      ["age", 4, false],
    ]);
    expect(fieldsOf("PerCity/ToRows.main")).to.deep.equal([
      ["city", 7, false],
      ["oldest", 4, true],
    ]);
    // The id is derived from the fields, so building twice gives the same bytes.
    const again = mr.Pipeline.create(["--runner=direct"]);
    again.apply("People", mr.createRows([{ name: "ann", age: 31, city: "Paris" }]));
    expect([...schemasInProto(again).values()][0]!.id).to.equal([...schemas.values()][0]!.id);
  });

  it("rows are written in Beam's row encoding (beam:coder:row:v1): field count, null bitmap, fields", () => {
    const coder = mr.rowCoderOf(
      mr.schemaFromFields([
        { name: "word", type: "string" },
        { name: "count", type: "int64", nullable: true },
      ]),
    );
    // 2 fields; null bitmap of 1 byte with bit 1 set (count is null); "hi" length-prefixed.
    expect(Buffer.from(encodeToBytes(coder, { word: "hi", count: null })).toString("hex")).to.equal("020102026869");
    // No nulls: an empty bitmap; count 3 as a varint.
    expect(Buffer.from(encodeToBytes(coder, { word: "hi", count: 3 })).toString("hex")).to.equal("0200026869" + "03");
    expect(decodeFromBytes(coder, encodeToBytes(coder, { word: "hi", count: 3 }))).to.deep.equal({ word: "hi", count: 3 });
  });

  it("schemaOf reads a collection's schema; the schema transforms refuse a collection without one, or an unknown field", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const rows = p.apply(mr.createRows([{ a: 1, b: "x" }]));
    expect(mr.schemaOf(rows)?.fields.map((f) => f.name)).to.deep.equal(["a", "b"]);
    const plain = p.apply("Plain", mr.create([{ a: 1 }]));
    expect(mr.schemaOf(plain)).to.equal(undefined);
    expect(() => plain.apply(mr.select("a"))).to.throw(/Select\(a\): the input collection .* has no schema[\s\S]*mr\.withSchema/);
    expect(() => rows.apply("S", mr.select("c" as "a"))).to.throw(/Select\(c\): no field "c" in the schema \(fields: a, b\)/);
    expect(() => rows.apply("F", mr.filterFields({ z: () => true } as never))).to.throw(/no field "z"/);
    expect(() => rows.apply("G", mr.groupBy("nope" as "a"))).to.throw(/GroupBy\(nope\): no field "nope"/);
    const custom: mr.CombineFn<number, number, number> = {
      createAccumulator: () => 0,
      addInput: (s, x) => s + x,
      mergeAccumulators: (ss) => ss.reduce((x, y) => x + y, 0),
      extractOutput: (s) => s,
    };
    expect(() => rows.apply("H", mr.groupBy("b").aggregate("a", custom, "total"))).to.throw(
      /output type of the CombineFn[\s\S]*\{ type: "double" \}/,
    );
    expect(() => mr.groupBy("b").aggregate("a", mr.combiners.sum(), "b")).to.throw(/already a key/);
  });
});
