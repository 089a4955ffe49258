/**
 * KeyedStateStore and TimerService checkpointing: every cell kind and every
 * timer survives a snapshot/restore with its coders, deltas of changed
 * namespaces fold into the same state, and restored timers fire in the
 * same order as the original ones.
 */
import { expect } from "chai";
import { coders } from "../../../portability/coders";
import type { Coder } from "../../../portability/coders/coder";
import type { BagState, CombiningState, MapState, OrderedListState, SetState, ValueState } from "../../../sdk/state/state_specs";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { KeyedStateStore } from "../../../runners/core/state/keyed_state_store";
import type { StateCellSpec } from "../../../portability/harness/state_cell_specs";
import { TimerService, type TimerData } from "../../../runners/core/state/timer_service";
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow } from "../../../model/windows";
import { applyDelta, decodeBlobMap, encodeBlobMap } from "../../../runners/core/checkpoint/snapshot_codec";
import { ByteReader, ByteWriter } from "../../../portability/coders";

const js = coders.jsValue() as Coder<unknown>;

const sumFn: CombineFn<number, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  addInput: (a, x) => ({ sum: a.sum + x, n: a.n + 1 }),
  mergeAccumulators: (accs) => accs.reduce((r, a) => ({ sum: r.sum + a.sum, n: r.n + a.n }), { sum: 0, n: 0 }),
  extractOutput: (a) => a.sum * 10 + a.n,
};

const SPECS = new Map<string, StateCellSpec>([
  ["value", { kind: "value", coder: coders.stringUtf8() as Coder<unknown> }],
  ["anyValue", { kind: "value", coder: js }],
  ["bag", { kind: "bag", coder: js }],
  ["combining", { kind: "combining", combineFn: sumFn as CombineFn<unknown, unknown, unknown>, coder: js }],
  ["map", { kind: "map", keyCoder: js, valueCoder: coders.varint() as Coder<unknown> }],
  ["set", { kind: "set", coder: js }],
  ["list", { kind: "orderedList", coder: coders.stringUtf8() as Coder<unknown> }],
]);

interface Cells {
  value: ValueState<string>;
  anyValue: ValueState<unknown>;
  bag: BagState<unknown>;
  combining: CombiningState<number, number>;
  map: MapState<unknown, number>;
  set: SetState<unknown>;
  list: OrderedListState<string>;
}

const cellsOf = (s: KeyedStateStore, ns: string): Cells => s.cells(ns) as unknown as Cells;

/** Everything observable through the state API. */
function observe(s: KeyedStateStore, ns: string): unknown {
  const c = cellsOf(s, ns);
  return {
    value: c.value.read(),
    anyValue: c.anyValue.read(),
    bag: c.bag.read(),
    combining: [c.combining.read(), c.combining.isEmpty()],
    map: c.map.entries(),
    set: c.set.read(),
    list: c.list.read(),
    range: c.list.readRange(5, 20),
  };
}

function populate(s: KeyedStateStore): void {
  const a = cellsOf(s, "k1\u0000w1");
  a.value.write("héllo \u{1F600}");
  a.anyValue.write({ nested: [1, NaN, -Infinity], u: undefined });
  a.bag.add(1);
  a.bag.add({ b: "two" });
  a.bag.add(null);
  a.combining.add(3);
  a.combining.add(4);
  a.map.put({ k: 1 }, 10);
  a.map.put("z", 20);
  a.map.put("a", 30);
  a.map.remove("z");
  a.set.add([1, 2]);
  a.set.add("m");
  a.set.add([1, 2]);
  a.list.add({ value: "late", timestamp: 30 });
  a.list.add({ value: "first", timestamp: 5 });
  a.list.add({ value: "tie-1", timestamp: 10 });
  a.list.add({ value: "tie-2", timestamp: 10 });
  a.list.add({ value: "neg", timestamp: -Infinity });
  const b = cellsOf(s, "k2\u0000global");
  b.anyValue.write(0);
  b.anyValue.clear();
  b.combining.add(1);
}

describe("KeyedStateStore checkpoint", () => {
  it("round-trips every cell kind, namespace by namespace", () => {
    const a = new KeyedStateStore(SPECS);
    populate(a);
    const snap = a.snapshotNamespaces();
    expect([...snap.keys()]).to.deep.equal(["k1\u0000w1", "k2\u0000global"]);
    const b = new KeyedStateStore(SPECS);
    for (const [ns, bytes] of snap) b.restoreNamespace(ns, bytes);
    expect(b.namespaceCount).to.equal(2);
    for (const ns of snap.keys()) expect(observe(b, ns), ns).to.deep.equal(observe(a, ns));
    // The combining cell restored its accumulator (sum and count), not just the output.
    for (const s of [a, b]) cellsOf(s, "k1\u0000w1").combining.add(10);
    expect(cellsOf(b, "k1\u0000w1").combining.read()).to.equal(cellsOf(a, "k1\u0000w1").combining.read()).and.to.equal(173);
    // Map and set lookups work on restored, decoded keys.
    expect(cellsOf(b, "k1\u0000w1").map.get({ k: 1 })).to.equal(10);
    expect(cellsOf(b, "k1\u0000w1").set.has([1, 2])).to.equal(true);
    expect(cellsOf(b, "k2\u0000global").combining.isEmpty()).to.equal(false);
  });

  it("a whole-store snapshot in one buffer restores every namespace the same", () => {
    const a = new KeyedStateStore(SPECS);
    populate(a);
    const w = new ByteWriter();
    a.writeSnapshot(w);
    const b = new KeyedStateStore(SPECS);
    b.readSnapshot(new ByteReader(w.finish()));
    expect(b.namespaceCount).to.equal(a.namespaceCount);
    for (const ns of ["k1\u0000w1", "k2\u0000global"]) expect(observe(b, ns), ns).to.deep.equal(observe(a, ns));
  });

  it("tracks mutated and cleared namespaces; reads do not count", () => {
    const s = new KeyedStateStore(SPECS);
    populate(s);
    const full = s.snapshotNamespaces();
    expect(s.drainChangedNamespaces()).to.deep.equal({ changed: new Set(), removed: new Set() });
    cellsOf(s, "k1\u0000w1").bag.read();
    cellsOf(s, "k1\u0000w1").map.get("a");
    expect(s.drainChangedNamespaces().changed.size).to.equal(0);
    cellsOf(s, "k1\u0000w1").list.clearRange(0, 11);
    cellsOf(s, "k3\u0000w1").set.add("new");
    s.clearNamespace("k2\u0000global");
    const { changed, removed } = s.drainChangedNamespaces();
    expect([...changed].sort()).to.deep.equal(["k1\u0000w1", "k3\u0000w1"]);
    expect([...removed]).to.deep.equal(["k2\u0000global"]);
    // Folding the delta over the full snapshot gives the current state.
    const delta = new Map<string, Uint8Array | null>(s.snapshotNamespaces(changed));
    for (const ns of removed) delta.set(ns, null);
    const folded = applyDelta(full as Map<string, Uint8Array | null>, delta) as Map<string, Uint8Array>;
    const r = new KeyedStateStore(SPECS);
    for (const [ns, bytes] of folded) r.restoreNamespace(ns, bytes);
    expect(r.namespaceCount).to.equal(2);
    for (const ns of ["k1\u0000w1", "k3\u0000w1"]) expect(observe(r, ns)).to.deep.equal(observe(s, ns));
    expect(observe(r, "k1\u0000w1"))
      .to.have.nested.property("list")
      .that.deep.equals([
        { value: "neg", timestamp: -Infinity },
        { value: "late", timestamp: 30 },
      ]);
  });

  it("first drain without a full snapshot reports every namespace", () => {
    const s = new KeyedStateStore(SPECS);
    populate(s);
    expect(s.drainChangedNamespaces().changed.size).to.equal(2);
  });

  it("refuses state that is no longer declared or changed kind", () => {
    const a = new KeyedStateStore(SPECS);
    populate(a);
    const bytes = a.snapshotNamespaces().get("k1\u0000w1")!;
    const fewer = new Map(SPECS);
    fewer.delete("bag");
    expect(() => new KeyedStateStore(fewer).restoreNamespace("ns", bytes)).to.throw(/'bag' is not declared/);
    const changedKind = new Map(SPECS);
    changedKind.set("bag", { kind: "set", coder: js });
    expect(() => new KeyedStateStore(changedKind).restoreNamespace("ns", bytes)).to.throw(/'bag' changed kind/);
  });
});

const TIMER_CODERS = { keyCoder: js };

function setAll(s: TimerService): void {
  const w1 = intervalWindow(0, 100);
  const w2 = intervalWindow(-50, 1e15);
  s.set("a|w1", { user: "a" }, w1, "flush", "eventTime", 40, 35);
  s.set("a|w1", { user: "a" }, w1, "poll", "processingTime", 1_005, 20);
  s.set("a|w1", { user: "a" }, w1, "flush", "eventTime", 60, 50); // replaces
  s.set("b|w2", "b", w2, "flush", "eventTime", 10, 10);
  s.set("b|w2", "b", w2, "gc", "eventTime", 99.5, -Infinity);
  s.set("c|global", ["c", 1], GLOBAL_WINDOW, "tick", "processingTime", 1_001, 0);
  s.set("c|global", ["c", 1], GLOBAL_WINDOW, "gone", "eventTime", 5, 5);
  s.clear("c|global", "gone");
  s.trackWindow("a|w1", 150);
  s.trackWindow("b|w2", 1e15 + 10);
  s.trackWindow("d|w3", 70); // expiry only, no timers
}

/** Fires everything as a runner would, recording what comes out and when. */
function fireAll(s: TimerService): string[] {
  const log: string[] = [];
  const show = (t: TimerData): string =>
    `${t.domain}:${t.namespace}/${t.name}@${t.fireTimestamp}>${t.outputTimestamp} key=${JSON.stringify(t.key)} w=${JSON.stringify(t.window)}`;
  for (const [wm, now] of [
    [0, 1_000],
    [45, 1_001],
    [61, 1_010],
    [200, 1_020],
    [Infinity, 2_000],
  ] as const) {
    log.push(`hold=${s.outputHold()} nextPt=${s.nextProcessingTime()}`);
    for (let t = s.pollEventTimer(wm); t; t = s.pollEventTimer(wm)) log.push(show(t));
    for (let t = s.pollProcessingTimer(now); t; t = s.pollProcessingTimer(now)) log.push(show(t));
    for (let ns = s.pollExpired(wm); ns !== undefined; ns = s.pollExpired(wm)) log.push(`expired ${ns}`);
  }
  return log;
}

describe("TimerService checkpoint", () => {
  it("restored timers, holds and expiries fire exactly like the original ones", () => {
    const a = new TimerService();
    setAll(a);
    const snap = a.snapshotNamespaces(TIMER_CODERS);
    expect([...snap.keys()].sort()).to.deep.equal(["a|w1", "b|w2", "c|global", "d|w3"]);
    const b = new TimerService();
    for (const [ns, bytes] of snap) b.restoreNamespace(ns, bytes, TIMER_CODERS);
    const expected = fireAll(a);
    expect(expected.length).to.be.greaterThan(8);
    expect(fireAll(b)).to.deep.equal(expected);
  });

  it("tracks changed namespaces (set, clear, fire, expire) and folds deltas", () => {
    const s = new TimerService();
    setAll(s);
    const full = s.snapshotNamespaces(TIMER_CODERS);
    expect(s.drainChangedNamespaces()).to.deep.equal({ changed: new Set(), removed: new Set() });
    s.pollEventTimer(11); // fires b|w2/flush
    s.set("e|w1", "e", intervalWindow(0, 100), "t", "eventTime", 80, 80);
    s.clear("c|global", "tick");
    expect(s.pollExpired(71)).to.equal("d|w3");
    const { changed, removed } = s.drainChangedNamespaces();
    expect([...changed].sort()).to.deep.equal(["b|w2", "e|w1"]);
    expect([...removed].sort()).to.deep.equal(["c|global", "d|w3"]);
    const delta = new Map<string, Uint8Array | null>(s.snapshotNamespaces(TIMER_CODERS, changed));
    for (const ns of removed) delta.set(ns, null);
    const folded = applyDelta(full as Map<string, Uint8Array | null>, delta) as Map<string, Uint8Array>;
    const r = new TimerService();
    for (const [ns, bytes] of folded) r.restoreNamespace(ns, bytes, TIMER_CODERS);
    expect(fireAll(r)).to.deep.equal(fireAll(s));
  });

  it("a whole-service snapshot in one buffer fires the same timers", () => {
    const a = new TimerService();
    setAll(a);
    const w = new ByteWriter();
    a.writeSnapshot(w, TIMER_CODERS);
    const b = new TimerService();
    b.readSnapshot(new ByteReader(w.finish()), TIMER_CODERS);
    const expected = fireAll(a);
    expect(expected.length).to.be.greaterThan(8);
    expect(fireAll(b)).to.deep.equal(expected);
  });

  it("restoring a namespace replaces what it held", () => {
    const a = new TimerService();
    a.set("n", "k", GLOBAL_WINDOW, "x", "eventTime", 5, 5);
    const bytes = a.snapshotNamespaces(TIMER_CODERS).get("n")!;
    const b = new TimerService();
    b.set("n", "k", GLOBAL_WINDOW, "y", "eventTime", 1, 1);
    b.trackWindow("n", 3);
    b.restoreNamespace("n", bytes, TIMER_CODERS);
    expect(b.outputHold()).to.equal(5);
    expect(b.hasExpiryBefore(Infinity)).to.equal(false);
    expect(b.pollEventTimer(Infinity)?.name).to.equal("x");
    expect(b.pollEventTimer(Infinity)).to.equal(undefined);
    const custom = { keyCoder: js, windowCoder: coders.globalWindow() as unknown as Coder<BoundedWindow> };
    const c = new TimerService();
    c.restoreNamespace("n", a.snapshotNamespaces(custom).get("n")!, custom);
    expect(c.pollEventTimer(Infinity)?.window).to.equal(GLOBAL_WINDOW);
  });
});

describe("blob maps", () => {
  it("many named blobs as one buffer, and back", () => {
    const map = new Map<string, Uint8Array>([
      ["s\u00e9t\u0000w", new Uint8Array([1, 2, 3])],
      ["\u0000header", new Uint8Array(0)],
      ["b\u00ff", new Uint8Array(300).fill(7)],
    ]);
    const back = decodeBlobMap(encodeBlobMap(map));
    expect([...back.keys()]).to.deep.equal([...map.keys()]);
    for (const [k, v] of map) expect([...back.get(k)!]).to.deep.equal([...v]);
    expect(() => decodeBlobMap(new Uint8Array([...encodeBlobMap(map), 0]))).to.throw(/trailing/);
  });
});
