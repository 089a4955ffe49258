import { expect } from "chai";
import { assignWindows, windowAssigner } from "../../../portability/windowing/window_fns";
import type { WindowFnSpec } from "../../../sdk/windowing/windowing_strategy";
import { KeyedTable, WindowedKeyedTable } from "../../../portability/harness/keyed_table";
import { JS_VALUE_CODER } from "../../../portability/coders";

/** A small seeded generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const FNS: WindowFnSpec[] = [
  { kind: "global" },
  { kind: "fixed", sizeMs: 1000, offsetMs: 0 },
  { kind: "fixed", sizeMs: 1000, offsetMs: 250 },
  { kind: "sliding", sizeMs: 2000, periodMs: 1000, offsetMs: 0 },
  { kind: "sliding", sizeMs: 3000, periodMs: 1000, offsetMs: 100 },
  // Size not a multiple of the period: the set of windows changes inside a period, so nothing is reused.
  { kind: "sliding", sizeMs: 2500, periodMs: 1000, offsetMs: 0 },
  { kind: "sessions", gapMs: 100 },
];

describe("windowAssigner", () => {
  for (const fn of FNS) {
    it(`assigns what assignWindows assigns (${JSON.stringify(fn)}), in order and out of order`, () => {
      const assign = windowAssigner(fn);
      const rnd = lcg(7);
      let t = -5000;
      for (let i = 0; i < 20_000; i++) {
        // Mostly small steps forward (consecutive elements), sometimes a jump either way (out of order).
        t += rnd() < 0.05 ? Math.floor((rnd() - 0.5) * 20_000) : Math.floor(rnd() * 40);
        expect(assign(t), `timestamp ${t}`).to.deep.equal(assignWindows(fn, t));
      }
    });
  }

  it("hands back the same array while timestamps stay in one fixed window, and a new one in the next", () => {
    const assign = windowAssigner({ kind: "fixed", sizeMs: 1000, offsetMs: 0 });
    const first = assign(10);
    expect(assign(999)).to.equal(first);
    const next = assign(1000);
    expect(next).to.not.equal(first);
    expect(next).to.deep.equal([{ start: 1000, end: 2000 }]);
    expect(assign(-1)).to.deep.equal([{ start: -1000, end: 0 }]);
  });

  it("reuses a sliding window set for one period when the size is a multiple of the period", () => {
    const assign = windowAssigner({ kind: "sliding", sizeMs: 2000, periodMs: 1000, offsetMs: 0 });
    const a = assign(1000);
    expect(assign(1999)).to.equal(a);
    expect(assign(2000)).to.not.equal(a);
  });
});

describe("WindowedKeyedTable.tableFor", () => {
  it("finds a window's table by equal bounds as well as by the object it saw last, and forgets on clear", () => {
    const table = new WindowedKeyedTable<number>(JS_VALUE_CODER);
    const w = { start: 0, end: 1000 };
    const t1 = table.tableFor(w);
    expect(table.tableFor(w)).to.equal(t1);
    expect(table.tableFor({ start: 0, end: 1000 })).to.equal(t1);
    const other = table.tableFor({ start: 1000, end: 2000 });
    expect(other).to.not.equal(t1);
    expect(table.tableFor(w)).to.equal(t1);
    table.clear();
    const fresh = table.tableFor(w);
    expect(fresh).to.be.instanceOf(KeyedTable);
    expect(fresh).to.not.equal(t1);
  });
});
