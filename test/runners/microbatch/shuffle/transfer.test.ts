import { expect } from "chai";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { ShuffleWriter } from "../../../../runners/microbatch/shuffle/shuffle_writer";
import { readGrouped } from "../../../../runners/microbatch/shuffle/shuffle_reader";
import { shuffleOutputTransferList, type ShuffleOutput } from "../../../../runners/microbatch/shuffle/shuffle_output";
import { createSpillDir, removeSpillDir } from "../../../../runners/microbatch/shuffle/spill_dir";
import { hex } from "./shuffle_test_support";

function groupsOf(output: ShuffleOutput, partition: number): [string, string[]][] {
  return [...readGrouped(output.partitions[partition]!)].map((g) => [hex(g.key), g.values.map(hex)]);
}

describe("shuffle output transfer", () => {
  let spillDir: string;
  beforeEach(() => {
    spillDir = createSpillDir();
  });
  afterEach(() => removeSpillDir(spillDir));

  function output(budget: number): ShuffleOutput {
    const writer = new ShuffleWriter({ partitions: 2, memoryBudgetBytes: budget, spillDir, grouped: true });
    for (let i = 0; i < 300; i++) writer.add(i % 2, Uint8Array.of(i % 11), Uint8Array.of(i & 0xff, i >> 8));
    return writer.finish();
  }

  it("is structured-clone safe, and transfers memory segments without copying", () => {
    const original = output(3000); // both run files and memory segments
    const kinds = new Set(original.partitions.flat().map((s) => s.kind));
    expect([...kinds].sort()).to.deep.equal(["file", "memory"]);
    const expected = [groupsOf(original, 0), groupsOf(original, 1)];
    const transfer = shuffleOutputTransferList(original);
    expect(transfer).to.have.length(2);
    const clone = structuredClone(original, { transfer });
    // The sender's buffers are detached: the bytes moved, they were not copied.
    for (const s of original.partitions.flat()) if (s.kind === "memory") expect(s.data.byteLength).to.equal(0);
    expect([groupsOf(clone, 0), groupsOf(clone, 1)]).to.deep.equal(expected);
    expect(() => groupsOf(original, 0)).to.throw(/transferred/);
  });

  it("can be read in a worker thread", async function () {
    this.timeout(20_000);
    const original = output(1 << 20);
    const expected = groupsOf(original, 1);
    const readerModule = path.resolve(__dirname, "../../../../runners/microbatch/shuffle/shuffle_reader.js");
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const { readGrouped } = require(${JSON.stringify(readerModule)});
       parentPort.once("message", (output) => {
         const groups = [...readGrouped(output.partitions[1])].map((g) => [Buffer.from(g.key).toString("hex"), g.values.map((v) => Buffer.from(v).toString("hex"))]);
         parentPort.postMessage(groups);
       });`,
      { eval: true },
    );
    try {
      const reply = new Promise<unknown>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      worker.postMessage(original, shuffleOutputTransferList(original));
      expect(await reply).to.deep.equal(expected);
    } finally {
      await worker.terminate();
    }
  });
});
