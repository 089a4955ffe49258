/**
 * KeyedStateStore: the cells of each state kind, per namespace (key and
 * window), with Beam's semantics (ValueState, BagState, CombiningState,
 * MapState, SetState, OrderedListState; ParDoTest.StateTests and
 * OrderedListState's javadoc: readRange is [from, to)).
 */
import { expect } from "chai";
import { coders } from "../../../portability/coders";
import type { Coder } from "../../../portability/coders/coder";
import type { BagState, CombiningState, MapState, OrderedListState, SetState, ValueState } from "../../../sdk/state/state_specs";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { KeyedStateStore } from "../../../runners/core/state/keyed_state_store";
import type { StateCellSpec } from "../../../portability/harness/state_cell_specs";

const js = coders.jsValue() as Coder<unknown>;

const sumFn: CombineFn<number, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  addInput: (a, x) => ({ sum: a.sum + x, n: a.n + 1 }),
  mergeAccumulators: (accs) => accs.reduce((r, a) => ({ sum: r.sum + a.sum, n: r.n + a.n }), { sum: 0, n: 0 }),
  extractOutput: (a) => a.sum * 10 + a.n, // encodes both, to see that extractOutput is applied
};

function store(): KeyedStateStore {
  const specs = new Map<string, StateCellSpec>([
    ["value", { kind: "value", coder: js }],
    ["bag", { kind: "bag", coder: js }],
    ["combining", { kind: "combining", combineFn: sumFn as CombineFn<unknown, unknown, unknown>, coder: js }],
    ["map", { kind: "map", keyCoder: js, valueCoder: js }],
    ["set", { kind: "set", coder: js }],
    ["list", { kind: "orderedList", coder: js }],
  ]);
  return new KeyedStateStore(specs);
}

interface Cells {
  value: ValueState<unknown>;
  bag: BagState<unknown>;
  combining: CombiningState<number, number>;
  map: MapState<unknown, unknown>;
  set: SetState<unknown>;
  list: OrderedListState<string>;
}

function cells(s: KeyedStateStore, ns = "ns"): Cells {
  return s.cells(ns) as unknown as Cells;
}

describe("KeyedStateStore: namespaces", () => {
  it("creates the declared cells on first use, the same cells on later uses, and frozen", () => {
    const s = store();
    expect(s.namespaceCount).to.equal(0);
    const a = s.cells("a");
    expect(Object.keys(a).sort()).to.deep.equal(["bag", "combining", "list", "map", "set", "value"]);
    expect(s.cells("a")).to.equal(a);
    expect(Object.isFrozen(a)).to.equal(true);
    expect(s.namespaceCount).to.equal(1);
  });

  it("keeps namespaces apart, and clearNamespace drops one namespace's state only", () => {
    const s = store();
    cells(s, "k1|w1").value.write(1);
    cells(s, "k1|w2").value.write(2);
    cells(s, "k2|w1").bag.add("x");
    expect(cells(s, "k1|w1").value.read()).to.equal(1);
    expect(cells(s, "k1|w2").value.read()).to.equal(2);
    s.clearNamespace("k1|w1");
    expect(s.namespaceCount).to.equal(2);
    // A namespace used again after being cleared starts empty.
    expect(cells(s, "k1|w1").value.read()).to.equal(undefined);
    expect(cells(s, "k1|w2").value.read()).to.equal(2);
    expect(cells(s, "k2|w1").bag.read()).to.deep.equal(["x"]);
  });
});

describe("KeyedStateStore: value", () => {
  it("reads undefined until written; write replaces; clear forgets", () => {
    const v = cells(store()).value;
    expect(v.read()).to.equal(undefined);
    v.write(0);
    expect(v.read()).to.equal(0);
    v.write({ a: 1 });
    expect(v.read()).to.deep.equal({ a: 1 });
    v.clear();
    expect(v.read()).to.equal(undefined);
  });

  it("can hold null and undefined as written values", () => {
    const v = cells(store()).value;
    v.write(null);
    expect(v.read()).to.equal(null);
  });
});

describe("KeyedStateStore: bag", () => {
  it("add / read / isEmpty / clear; read returns a copy", () => {
    const b = cells(store()).bag;
    expect(b.isEmpty()).to.equal(true);
    expect(b.read()).to.deep.equal([]);
    b.add(1);
    b.add(1);
    b.add("two");
    expect(b.isEmpty()).to.equal(false);
    const read = b.read();
    expect(read).to.have.members([1, 1, "two"]).and.to.have.length(3);
    read.push(99);
    expect(b.read()).to.have.length(3);
    b.clear();
    expect(b.isEmpty()).to.equal(true);
    expect(b.read()).to.deep.equal([]);
  });
});

describe("KeyedStateStore: combining", () => {
  it("reads extractOutput of an empty accumulator before any add, then of the accumulated inputs", () => {
    const c = cells(store()).combining;
    expect(c.isEmpty()).to.equal(true);
    expect(c.read()).to.equal(0);
    c.add(3);
    c.add(4);
    expect(c.isEmpty()).to.equal(false);
    expect(c.read()).to.equal(72); // sum 7, 2 inputs
    c.clear();
    expect(c.isEmpty()).to.equal(true);
    expect(c.read()).to.equal(0);
    c.add(5);
    expect(c.read()).to.equal(51);
  });
});

describe("KeyedStateStore: map", () => {
  it("get / put / remove / entries / keys / isEmpty / clear", () => {
    const m = cells(store()).map;
    expect(m.isEmpty()).to.equal(true);
    expect(m.get("a")).to.equal(undefined);
    m.put("a", 1);
    m.put("b", 2);
    m.put("a", 3);
    expect(m.get("a")).to.equal(3);
    expect(m.entries()).to.have.deep.members([
      ["a", 3],
      ["b", 2],
    ]);
    expect(m.keys()).to.have.members(["a", "b"]);
    m.remove("a");
    m.remove("missing");
    expect(m.keys()).to.deep.equal(["b"]);
    m.clear();
    expect(m.isEmpty()).to.equal(true);
    expect(m.entries()).to.deep.equal([]);
  });

  it("compares object keys by value, not identity (property order does not matter)", () => {
    const m = cells(store()).map;
    m.put({ x: 1, y: [1, 2] }, "first");
    m.put({ y: [1, 2], x: 1 }, "second");
    expect(m.keys()).to.have.length(1);
    expect(m.get({ x: 1, y: [1, 2] })).to.equal("second");
    expect(m.get({ x: 1, y: [2, 1] })).to.equal(undefined);
    m.remove({ y: [1, 2], x: 1 });
    expect(m.isEmpty()).to.equal(true);
  });

  it("keeps keys of different types apart: 1, '1' and [1] are three keys", () => {
    const m = cells(store()).map;
    m.put(1, "number");
    m.put("1", "string");
    m.put([1], "array");
    expect(m.get(1)).to.equal("number");
    expect(m.get("1")).to.equal("string");
    expect(m.get([1])).to.equal("array");
    expect(m.keys()).to.have.length(3);
  });
});

describe("KeyedStateStore: set", () => {
  it("add / has / remove / read / isEmpty / clear; adding an equal member twice keeps one", () => {
    const s = cells(store()).set;
    expect(s.isEmpty()).to.equal(true);
    s.add("a");
    s.add("a");
    s.add(2);
    expect(s.has("a")).to.equal(true);
    expect(s.has("b")).to.equal(false);
    expect(s.read()).to.have.members(["a", 2]).and.to.have.length(2);
    s.remove("a");
    expect(s.has("a")).to.equal(false);
    s.clear();
    expect(s.isEmpty()).to.equal(true);
  });

  it("compares object members by value", () => {
    const s = cells(store()).set;
    s.add({ id: 1, tags: ["a"] });
    s.add({ tags: ["a"], id: 1 });
    expect(s.read()).to.have.length(1);
    expect(s.has({ tags: ["a"], id: 1 })).to.equal(true);
    expect(s.has({ id: 1, tags: ["b"] })).to.equal(false);
    s.remove({ id: 1, tags: ["a"] });
    expect(s.isEmpty()).to.equal(true);
  });
});

describe("KeyedStateStore: orderedList", () => {
  const vals = (l: OrderedListState<string>, xs = l.read()) => xs.map((e) => `${e.value}@${e.timestamp}`);

  it("reads in timestamp order whatever the order of adds", () => {
    const l = cells(store()).list;
    expect(l.isEmpty()).to.equal(true);
    for (const t of [7, 2, 9, -1, 4]) l.add({ value: `v${t}`, timestamp: t });
    expect(vals(l)).to.deep.equal(["v-1@-1", "v2@2", "v4@4", "v7@7", "v9@9"]);
    expect(l.isEmpty()).to.equal(false);
  });

  it("keeps equal timestamps in insertion order", () => {
    const l = cells(store()).list;
    l.add({ value: "a", timestamp: 5 });
    l.add({ value: "x", timestamp: 1 });
    l.add({ value: "b", timestamp: 5 });
    l.add({ value: "y", timestamp: 9 });
    l.add({ value: "c", timestamp: 5 });
    expect(vals(l)).to.deep.equal(["x@1", "a@5", "b@5", "c@5", "y@9"]);
    expect(vals(l, l.readRange(5, 6))).to.deep.equal(["a@5", "b@5", "c@5"]);
  });

  it("readRange(from, to) includes from and excludes to", () => {
    const l = cells(store()).list;
    for (const t of [1, 2, 2, 3, 5, 8]) l.add({ value: `v${t}`, timestamp: t });
    expect(vals(l, l.readRange(2, 5))).to.deep.equal(["v2@2", "v2@2", "v3@3"]);
    expect(vals(l, l.readRange(0, 1))).to.deep.equal([]);
    expect(vals(l, l.readRange(8, 9))).to.deep.equal(["v8@8"]);
    expect(vals(l, l.readRange(4, 5))).to.deep.equal([]);
    expect(vals(l, l.readRange(-Infinity, Infinity))).to.have.length(6);
    expect(vals(l, l.readRange(5, 2))).to.deep.equal([]);
  });

  it("clearRange(from, to) removes [from, to) and keeps the rest", () => {
    const l = cells(store()).list;
    for (const t of [1, 2, 2, 3, 5, 8]) l.add({ value: `v${t}`, timestamp: t });
    l.clearRange(2, 5);
    expect(vals(l)).to.deep.equal(["v1@1", "v5@5", "v8@8"]);
    l.clearRange(6, 8); // nothing in [6, 8)
    expect(vals(l)).to.deep.equal(["v1@1", "v5@5", "v8@8"]);
    l.clearRange(0, 100);
    expect(l.isEmpty()).to.equal(true);
  });

  it("read returns copies; clear empties; a non-numeric timestamp is refused", () => {
    const l = cells(store()).list;
    l.add({ value: "a", timestamp: 1 });
    const read = l.read();
    read[0]!.timestamp = 100;
    expect(vals(l)).to.deep.equal(["a@1"]);
    expect(() => l.add({ value: "bad", timestamp: Number.NaN })).to.throw(/timestamp/);
    expect(() => l.add({ value: "bad" } as unknown as { value: string; timestamp: number })).to.throw(/timestamp/);
    l.clear();
    expect(l.isEmpty()).to.equal(true);
    expect(l.read()).to.deep.equal([]);
  });
});
