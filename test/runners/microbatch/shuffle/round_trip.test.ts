import { expect } from "chai";
import { ShuffleWriter } from "../../../../runners/microbatch/shuffle/shuffle_writer";
import { readAll, readGrouped } from "../../../../runners/microbatch/shuffle/shuffle_reader";
import { partitionSegments, type ShuffleOutput } from "../../../../runners/microbatch/shuffle/shuffle_output";
import { createSpillDir, removeSpillDir } from "../../../../runners/microbatch/shuffle/spill_dir";
import { compareBytes } from "../../../../runners/microbatch/shuffle/byte_order";
import { Rng, filesUnder, fnv1a, hex } from "./shuffle_test_support";

const PARTITIONS = 5;

interface Written {
  outputs: ShuffleOutput[];
  /** Per partition: hex key -> hex values, in writer order then arrival order. */
  groups: Map<string, string[]>[];
  /** Per partition: every record as "key:value" hex, in writer order then arrival order. */
  records: string[][];
  spilledRuns: number;
}

/** Random keys from a small alphabet, so keys repeat, include "" and prefixes of one another. */
function randomKey(rng: Rng): Uint8Array {
  const length = rng.int(4);
  const key = new Uint8Array(length);
  for (let i = 0; i < length; i++) key[i] = [0x00, 0x01, 0x7f, 0x80, 0xff][rng.int(5)]!;
  return key;
}

function write(spillDir: string, grouped: boolean, budget: number, writers = 3, recordsPerWriter = 2000): Written {
  const rng = new Rng(42);
  const groups = Array.from({ length: PARTITIONS }, () => new Map<string, string[]>());
  const records = Array.from({ length: PARTITIONS }, (): string[] => []);
  const outputs: ShuffleOutput[] = [];
  let spilledRuns = 0;
  for (let w = 0; w < writers; w++) {
    const writer = new ShuffleWriter({ partitions: PARTITIONS, memoryBudgetBytes: budget, spillDir, grouped });
    for (let i = 0; i < recordsPerWriter; i++) {
      const key = randomKey(rng);
      const value = rng.bytes(rng.int(40));
      const partition = fnv1a(key) % PARTITIONS;
      writer.add(partition, key, value);
      const values = groups[partition]!.get(hex(key)) ?? [];
      values.push(hex(value));
      groups[partition]!.set(hex(key), values);
      records[partition]!.push(`${hex(key)}:${hex(value)}`);
    }
    outputs.push(writer.finish());
    spilledRuns += writer.spilledRuns;
  }
  return { outputs, groups, records, spilledRuns };
}

function expectGroupsMatch(written: Written, options?: { readBufferBytes?: number; maxOpenFiles?: number }): void {
  for (let p = 0; p < PARTITIONS; p++) {
    const seen: [string, string[]][] = [];
    let previous: Uint8Array | undefined;
    for (const { key, values } of readGrouped(partitionSegments(written.outputs, p), options)) {
      if (previous !== undefined) expect(compareBytes(previous, key), `keys out of order in partition ${p}`).to.be.lessThan(0);
      previous = key;
      seen.push([hex(key), values.map(hex)]);
    }
    const expected = [...written.groups[p]!.entries()].sort(([a], [b]) => compareBytes(Buffer.from(a, "hex"), Buffer.from(b, "hex")));
    // Exact order of values too: writers in order, arrival order within a writer.
    expect(seen).to.deep.equal(expected);
  }
}

describe("shuffle round trip", () => {
  let spillDir: string;
  beforeEach(() => {
    spillDir = createSpillDir();
  });
  afterEach(() => removeSpillDir(spillDir));

  it("groups every key once, in key byte order, with exactly its values, in memory", () => {
    const written = write(spillDir, true, 64 * 1024 * 1024);
    expect(written.spilledRuns).to.equal(0);
    expect(filesUnder(spillDir)).to.deep.equal([]);
    for (const output of written.outputs) {
      expect(output.grouped).to.equal(true);
      for (const segments of output.partitions) for (const s of segments) expect(s.kind).to.equal("memory");
    }
    expectGroupsMatch(written);
  });

  it("gives the same groups when spilling run files and merging them in several passes", () => {
    const written = write(spillDir, true, 16 * 1024);
    expect(written.spilledRuns).to.be.greaterThan(20);
    expect(filesUnder(spillDir)).to.have.length(written.spilledRuns);
    expectGroupsMatch(written, { readBufferBytes: 16, maxOpenFiles: 3 });
    expectGroupsMatch(written);
    // Intermediate merge files are gone once the reads end.
    expect(filesUnder(spillDir)).to.have.length(written.spilledRuns);
  });

  it("readAll returns every record of an ungrouped partition in arrival order, spilled or not", () => {
    for (const budget of [64 * 1024 * 1024, 8192]) {
      const written = write(spillDir, false, budget);
      expect(written.outputs[0]!.grouped).to.equal(false);
      for (let p = 0; p < PARTITIONS; p++) {
        const got = [...readAll(partitionSegments(written.outputs, p), { readBufferBytes: 64 })].map(
          (r) => `${hex(r.key)}:${hex(r.value)}`,
        );
        expect(got).to.deep.equal(written.records[p]);
      }
    }
  });
});
