import { expect } from "chai";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { ShuffleWriter } from "../../../../runners/microbatch/shuffle/shuffle_writer";
import { readGrouped } from "../../../../runners/microbatch/shuffle/shuffle_reader";
import { partitionSegments, type ShuffleOutput } from "../../../../runners/microbatch/shuffle/shuffle_output";
import { createSpillDir, deleteSegments, removeSpillDir } from "../../../../runners/microbatch/shuffle/spill_dir";
import { compareBytes } from "../../../../runners/microbatch/shuffle/byte_order";
import { RunFileWriter } from "../../../../runners/microbatch/shuffle/run_file_writer";
import { Rng, filesUnder, fnv1a, hex } from "./shuffle_test_support";

const MiB = 1024 * 1024;
const WRITERS = 4; // simulated map tasks, writing the same partitions
const PARTITIONS = 4;
const BYTES_PER_WRITER = 10 * MiB; // key + value bytes: 40 MiB in all
const BUDGET = 256 * 1024;
const KEYS = 50_000;
// Records (or groups) between memory samples. Each sample is two full
// collections, the test's main cost: the shuffle's memory is held by its arena
// and buffers, which stay between samples, so sampling more often adds time, not
// accuracy.
const SAMPLE_EVERY = 25_000;

/**
 * A full collection before each sample, so samples measure live memory (what
 * the shuffle holds), not garbage the collector has not reached yet, which
 * V8 lets grow to tens of MiB and would make any bound meaningless.
 */
function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

describe("shuffle spilling", () => {
  it("spills run files, groups 40 MiB correctly, and keeps live memory bounded by the budget, not the data", function () {
    // A guard against a hang, not a speed requirement: CPU-bound, it takes several times longer on a loaded machine.
    this.timeout(600_000);
    const started = Date.now();
    const gc = gcFunction();
    const live = () => {
      // Twice: V8 frees ArrayBuffer backing stores after a collection, on another thread.
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const spillDir = createSpillDir();
    const originalWriteRecord = RunFileWriter.prototype.writeRecord;
    try {
      // Values are slices of a random pool, prefixed by their key's id so every value says which key it belongs to.
      const rng = new Rng(7);
      const pool = rng.bytes(MiB);
      const scratch = new Uint8Array(400);
      const expectedCount = new Uint32Array(KEYS);
      const checksum = new Array<number>(PARTITIONS).fill(0);
      const keyBytes = (id: number) => Buffer.from(`key-${id}`);
      const keys = Array.from({ length: KEYS }, (_, id) => keyBytes(id));

      const baseline = live();
      let peak = 0;
      let lowest = 0;
      let merged = 0;
      let groups = 0;
      const sample = () => {
        const now = live() - baseline;
        peak = Math.max(peak, now);
        lowest = Math.min(lowest, now);
      };

      const outputs: ShuffleOutput[] = [];
      let runs = 0;
      let records = 0;
      let dataBytes = 0;
      for (let w = 0; w < WRITERS; w++) {
        const writer = new ShuffleWriter({ partitions: PARTITIONS, memoryBudgetBytes: BUDGET, spillDir, grouped: true });
        for (let written = 0; written < BYTES_PER_WRITER;) {
          const id = rng.int(KEYS);
          const length = 4 + rng.int(350);
          const from = rng.int(pool.length - length);
          scratch.set(pool.subarray(from, from + length));
          new DataView(scratch.buffer).setUint32(0, id);
          const value = scratch.subarray(0, length);
          const partition = id % PARTITIONS;
          writer.add(partition, keys[id]!, value);
          expectedCount[id]!++;
          checksum[partition] = (checksum[partition]! + fnv1a(value)) >>> 0;
          written += keys[id]!.length + length;
          if (++records % SAMPLE_EVERY === 0) sample();
        }
        dataBytes += BYTES_PER_WRITER;
        outputs.push(writer.finish());
        runs += writer.spilledRuns;
        sample();
      }
      const writePeak = peak;
      const writeMs = Date.now() - started;
      expect(runs).to.be.greaterThan(100);
      expect(filesUnder(spillDir)).to.have.length(runs);

      peak = 0;
      // With ~200 runs per partition, the reader first merges groups of 64 runs
      // into intermediate files (that is when most files are open at once):
      // sample inside that pass too, from the intermediate files' writes.
      RunFileWriter.prototype.writeRecord = function (this: RunFileWriter, key: Uint8Array, value: Uint8Array) {
        originalWriteRecord.call(this, key, value);
        if (++merged % SAMPLE_EVERY === 0) sample();
      };
      let read = 0;
      const problems: string[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const segments = partitionSegments(outputs, p);
        let previous: Uint8Array | undefined;
        let sum = 0;
        for (const { key, values } of readGrouped(segments)) {
          // Plain checks in the hot loop (a chai assertion per value would dominate the run time); failures are reported below.
          if (previous !== undefined && compareBytes(previous, key) >= 0) problems.push(`key ${hex(key)} not after ${hex(previous)}`);
          previous = key;
          const id = Number(Buffer.from(key).toString().slice(4));
          if (id % PARTITIONS !== p) problems.push(`key ${id} in partition ${p}`);
          if (values.length !== expectedCount[id]) problems.push(`key ${id}: ${values.length} values, expected ${expectedCount[id]}`);
          expectedCount[id] = 0;
          for (const value of values) {
            if (new DataView(value.buffer, value.byteOffset, 4).getUint32(0) !== id) problems.push(`key ${id} got another key's value`);
            sum = (sum + fnv1a(value)) >>> 0;
          }
          read += values.length;
          if (++groups % SAMPLE_EVERY === 0) sample();
        }
        expect(problems.slice(0, 5)).to.deep.equal([]);
        expect(sum, `checksum of partition ${p}`).to.equal(checksum[p]);
        deleteSegments(segments);
      }
      RunFileWriter.prototype.writeRecord = originalWriteRecord;
      const readPeak = peak;
      expect(merged, "records rewritten by the fan-in pass").to.be.greaterThan(0);
      expect(read).to.equal(records);
      expect(expectedCount.every((n) => n === 0)).to.equal(true);
      expect(filesUnder(spillDir)).to.deep.equal([]);
      // Keep the test's own data alive to the end, so its release cannot offset the shuffle's growth.
      expect(keys.length + pool.length + scratch.length + checksum.length).to.be.greaterThan(KEYS);

      // Writing: the arena (< 2x budget after doubling) and its index, a
      // 64 KiB write buffer, and the finished writers' in-memory remainders
      // (< budget each): about 2 MiB. Reading: at most 64 open files x 64 KiB
      // read buffers (4 MiB), the remainders, one merge write buffer and one
      // key's values: about 5.5 MiB. 8 MiB leaves room for V8's bookkeeping;
      // the data is 40 MiB, so a shuffle holding it would fail by far.
      const bound = 8 * MiB;
      if (process.env.SHUFFLE_TEST_VERBOSE) {
        console.log(
          `      data ${dataBytes / MiB} MiB in ${records} records, budget ${BUDGET / 1024} KiB, ${runs} runs; ` +
            `live peak +${(writePeak / MiB).toFixed(2)} MiB writing, +${(readPeak / MiB).toFixed(2)} MiB reading; ` +
            `lowest ${(lowest / MiB).toFixed(2)}; write ${writeMs} ms, total ${Date.now() - started} ms`,
        );
      }
      expect(writePeak).to.be.lessThan(bound);
      expect(readPeak).to.be.lessThan(bound);
    } finally {
      RunFileWriter.prototype.writeRecord = originalWriteRecord;
      removeSpillDir(spillDir);
    }
    expect(filesUnder(spillDir)).to.deep.equal([]);
  });
});
