import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ShuffleWriter } from "../../../../runners/microbatch/shuffle/shuffle_writer";
import { readAll, readGrouped } from "../../../../runners/microbatch/shuffle/shuffle_reader";
import { partitionSegments } from "../../../../runners/microbatch/shuffle/shuffle_output";
import { createSpillDir, deleteSegments, removeSpillDir, SPILL_DIR_PREFIX } from "../../../../runners/microbatch/shuffle/spill_dir";
import { CorruptSegmentError } from "../../../../runners/microbatch/shuffle/record_format";
import { Rng, filesUnder, hex } from "./shuffle_test_support";

const b = (...bytes: number[]) => new Uint8Array(bytes);

describe("shuffle edge cases", () => {
  let spillDir: string;
  beforeEach(() => {
    spillDir = createSpillDir();
  });
  afterEach(() => removeSpillDir(spillDir));

  it("leaves partitions without records empty, and a writer without records writes nothing", () => {
    const empty = new ShuffleWriter({ partitions: 3, memoryBudgetBytes: 1024, spillDir, grouped: true }).finish();
    expect(empty).to.deep.equal({ grouped: true, partitions: [[], [], []] });
    const writer = new ShuffleWriter({ partitions: 3, memoryBudgetBytes: 1024, spillDir, grouped: true });
    writer.add(1, b(1), b(2));
    const output = writer.finish();
    expect(output.partitions[0]).to.deep.equal([]);
    expect(output.partitions[2]).to.deep.equal([]);
    expect([...readGrouped(partitionSegments([empty, output], 0))]).to.deep.equal([]);
    expect([...readAll(partitionSegments([empty, output], 2))]).to.deep.equal([]);
    expect([...readGrouped([])]).to.deep.equal([]);
  });

  it("orders keys as unsigned bytes, the empty key first and prefixes before their extensions", () => {
    const keys = [b(0xff), b(0x80), b(), b(0, 0), b(0x7f), b(0), b(0, 1), b(0x80, 0), b(1)];
    for (const budget of [1 << 20, 1]) {
      const writer = new ShuffleWriter({ partitions: 1, memoryBudgetBytes: budget, spillDir, grouped: true });
      for (const key of keys) writer.add(0, key, b(key.length));
      writer.add(0, b(), b(42)); // a second value for the empty key
      const groups = [...readGrouped(writer.finish().partitions[0]!)].map((g) => [hex(g.key), g.values.map(hex)]);
      expect(groups).to.deep.equal([
        ["", ["00", "2a"]],
        ["00", ["01"]],
        ["0000", ["02"]],
        ["0001", ["02"]],
        ["01", ["01"]],
        ["7f", ["01"]],
        ["80", ["01"]],
        ["8000", ["02"]],
        ["ff", ["01"]],
      ]);
      if (budget === 1) expect(writer.spilledRuns).to.equal(keys.length + 1);
    }
  });

  it("reads keys and values larger than the read buffer, from memory and from run files", () => {
    const rng = new Rng(3);
    const big = [rng.bytes(200_000), rng.bytes(70_000), rng.bytes(5_000), b()];
    const bigKey = rng.bytes(3000);
    bigKey[0] = 0x05; // sorts before the other key, 09
    const writer = new ShuffleWriter({ partitions: 2, memoryBudgetBytes: 100_000, spillDir, grouped: true });
    for (const value of big) writer.add(0, bigKey, value);
    writer.add(0, b(9), rng.bytes(150_000));
    writer.add(1, bigKey, big[1]!);
    const output = writer.finish();
    expect(writer.spilledRuns).to.be.greaterThan(0);
    for (const readBufferBytes of [1, 1000, 65_536]) {
      const groups = [...readGrouped(output.partitions[0]!, { readBufferBytes })];
      expect(groups.map((g) => hex(g.key))).to.deep.equal([hex(bigKey), "09"]);
      expect(groups[0]!.values.map(hex)).to.deep.equal(big.map(hex));
      expect([...readAll(output.partitions[1]!, { readBufferBytes })].map((r) => hex(r.value))).to.deep.equal([hex(big[1]!)]);
    }
  });

  it("deleteSegments and removeSpillDir leave nothing behind", () => {
    expect(path.basename(spillDir).startsWith(SPILL_DIR_PREFIX)).to.equal(true);
    const nested = path.join(spillDir, "stage-1");
    const outputs = [0, 1].map(() => {
      const writer = new ShuffleWriter({ partitions: 2, memoryBudgetBytes: 500, spillDir: nested, grouped: true });
      for (let i = 0; i < 200; i++) writer.add(i % 2, b(i % 7), b(i));
      return writer.finish();
    });
    expect(filesUnder(spillDir).length).to.be.greaterThan(4);
    // A consumer stopping early still leaves no intermediate merge files behind.
    for (const group of readGrouped(partitionSegments(outputs, 0), { maxOpenFiles: 2 })) {
      expect(group.values.length).to.be.greaterThan(0);
      break;
    }
    const runs = filesUnder(spillDir).length;
    deleteSegments(partitionSegments(outputs, 0));
    expect(filesUnder(spillDir).length).to.be.lessThan(runs);
    deleteSegments(partitionSegments(outputs, 1));
    deleteSegments(partitionSegments(outputs, 1)); // already gone: no error
    expect(filesUnder(spillDir)).to.deep.equal([]);
    fs.writeFileSync(path.join(nested, "leftover"), "x");
    removeSpillDir(spillDir);
    expect(fs.existsSync(spillDir)).to.equal(false);
    removeSpillDir(spillDir); // idempotent
  });

  it("reports truncated run files instead of inventing records", () => {
    const writer = new ShuffleWriter({ partitions: 1, memoryBudgetBytes: 10, spillDir, grouped: true });
    writer.add(0, b(1, 2, 3), new Uint8Array(100));
    const [segment] = writer.finish().partitions[0]!;
    if (segment?.kind !== "file") throw new Error("expected a run file");
    fs.truncateSync(segment.path, 50);
    expect(() => [...readGrouped([segment])]).to.throw(CorruptSegmentError);
  });

  it("rejects misuse", () => {
    expect(() => new ShuffleWriter({ partitions: 0, memoryBudgetBytes: 1, spillDir, grouped: true })).to.throw(RangeError);
    expect(() => new ShuffleWriter({ partitions: 1, memoryBudgetBytes: 0, spillDir, grouped: true })).to.throw(RangeError);
    const writer = new ShuffleWriter({ partitions: 2, memoryBudgetBytes: 100, spillDir, grouped: false });
    expect(() => writer.add(2, b(), b())).to.throw(RangeError);
    expect(() => writer.add(-1, b(), b())).to.throw(RangeError);
    writer.finish();
    expect(() => writer.add(0, b(), b())).to.throw(/after finish/);
    expect(() => writer.finish()).to.throw(/twice/);
  });
});
