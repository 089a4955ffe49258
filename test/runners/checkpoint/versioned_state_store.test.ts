/**
 * VersionedStateStore: versions rebuilt from the latest snapshot plus
 * deltas, deletions, pruning, atomic commits (a crash before the rename
 * leaves the previous version loadable) and damage detection.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VersionedStateStore } from "../../../runners/core/checkpoint/versioned_state_store";

const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const text = (m: Map<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, Buffer.from(v).toString()]));

describe("VersionedStateStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-vss-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("rebuilds every version across snapshot boundaries, with deletions and odd keys", () => {
    const store = new VersionedStateStore({ dir, snapshotEvery: 3, retain: 100 });
    expect(store.latestVersion()).to.equal(undefined);
    const expected = new Map<number, Record<string, string>>();
    const model = new Map<string, Uint8Array>();
    const oddKey = "b\u0000\u00ff\ud800lone surrogate";
    for (let v = 1; v <= 10; v++) {
      const changes = new Map<string, Uint8Array | null>([
        [`k${v % 4}`, b(`v${v}`)],
        [oddKey, v % 2 ? b(`odd${v}`) : null],
      ]);
      if (v === 6) changes.set("k1", null);
      if (v === 7) changes.set("empty", new Uint8Array(0));
      for (const [k, x] of changes) x === null ? model.delete(k) : model.set(k, x);
      store.commit(v * 10, changes);
      expected.set(v * 10, text(model));
    }
    const files = fs.readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith(".snapshot")).length).to.equal(3); // versions 30, 60, 90
    expect(store.latestVersion()).to.equal(100);
    // A fresh store object reads everything from disk.
    const reopened = new VersionedStateStore({ dir, snapshotEvery: 3, retain: 100 });
    for (const [v, state] of expected) expect(text(reopened.load(v)), `version ${v}`).to.deep.equal(state);
    expect(reopened.load(100).get(oddKey)).to.deep.equal(undefined);
    expect(reopened.load(90).get(oddKey)).to.deep.equal(b("odd9"));
    expect(reopened.load(70).get("empty")).to.deep.equal(new Uint8Array(0));
    expect(() => reopened.load(55)).to.throw(/never committed/);
    expect(reopened.versions()).to.deep.equal([...expected.keys()]);
  });

  it("keeps only `retain` snapshots and the deltas after the oldest one", () => {
    const store = new VersionedStateStore({ dir, snapshotEvery: 2, retain: 2 });
    for (let v = 1; v <= 9; v++)
      store.commit(
        v,
        new Map([
          [`k`, b(`v${v}`)],
          [`k${v}`, b("x")],
        ]),
      );
    // Snapshots at 2, 4, 6, 8; kept: 6 and 8; deltas 7 and 9.
    expect(fs.readdirSync(dir).sort()).to.deep.equal([
      "0000000000000006.snapshot",
      "0000000000000007.delta",
      "0000000000000008.snapshot",
      "0000000000000009.delta",
    ]);
    expect(store.versions()).to.deep.equal([6, 7, 8, 9]);
    expect(() => store.load(5)).to.throw(/never committed or was pruned/);
    const s9 = store.load(9);
    expect(s9.size).to.equal(10);
    expect(Buffer.from(s9.get("k")!).toString()).to.equal("v9");
    expect(text(new VersionedStateStore({ dir }).load(7))).to.deep.equal(text(store.load(7)));
  });

  it("a crash between the temp write and the rename leaves the previous version loadable", () => {
    const store = new VersionedStateStore({ dir, snapshotEvery: 5 });
    store.commit(1, new Map([["a", b("1")]]));
    store.commit(2, new Map([["a", b("2")]]));
    // The interrupted commit of version 3: a complete-looking but unrenamed file, and a torn one.
    fs.writeFileSync(path.join(dir, "0000000000000003.delta.tmp-999-abc"), Buffer.from("MRVS garbage"));
    fs.writeFileSync(path.join(dir, "0000000000000003.snapshot.tmp-999-def"), Buffer.alloc(0));
    expect(store.latestVersion()).to.equal(2);
    expect(text(store.load(2))).to.deep.equal({ a: "2" });
    // Reopening (the restarted task) cleans the leftovers; committing version 3 again works.
    const reopened = new VersionedStateStore({ dir, snapshotEvery: 5 });
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp-"))).to.deep.equal([]);
    expect(reopened.latestVersion()).to.equal(2);
    reopened.commit(3, new Map([["b", b("3")]]));
    expect(text(reopened.load(3))).to.deep.equal({ a: "2", b: "3" });
  });

  it("detects damaged files and broken delta chains", () => {
    const store = new VersionedStateStore({ dir, snapshotEvery: 10 });
    store.commit(1, new Map([["a", b("1")]]));
    store.commit(2, new Map([["a", b("2")]]));
    store.commit(3, new Map([["a", b("3")]]));
    const f2 = path.join(dir, "0000000000000002.delta");
    const bytes = fs.readFileSync(f2);
    bytes[bytes.length - 6] ^= 0xff;
    fs.writeFileSync(f2, bytes);
    const reopened = new VersionedStateStore({ dir });
    expect(() => reopened.load(3)).to.throw(/checksum/);
    fs.rmSync(f2);
    expect(() => reopened.load(3)).to.throw(/applies over version 2/);
    expect(text(reopened.load(1))).to.deep.equal({ a: "1" });
  });

  it("requires increasing versions, and truncateAfter allows replaying from an older one", () => {
    const store = new VersionedStateStore({ dir, snapshotEvery: 2 });
    store.commit(5, new Map([["a", b("5")]]));
    store.commit(6, new Map([["a", b("6")]]));
    expect(() => store.commit(6, new Map())).to.throw(/not after/);
    store.truncateAfter(5);
    expect(store.latestVersion()).to.equal(5);
    store.commit(6, new Map([["a", b("6'")]]));
    expect(text(store.load(6))).to.deep.equal({ a: "6'" });
  });
});
