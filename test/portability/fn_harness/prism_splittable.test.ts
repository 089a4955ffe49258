// Splittable DoFns on Prism (scripts/prism.sh install; .ci/run does it):
// Prism expands each SDF into Beam's phases (pair with restriction, split
// and size, process sized elements and restrictions) and the SDK harness
// runs them with the shared splittable operator. Bounded sources end; the
// unbounded generateSequence checkpoints itself (residual roots Prism holds
// and sends back) and runs until cancelled.
import { expect } from "chai";
import { lines, runWatchedFilesUntilCancelled, runWindowedCountsUntilCancelled, tempFile, waitWhileRunning } from "./job_output";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PipelineDefinition } from "../../../sdk/pipeline_definition";
import { boundedSequence, largeSequenceSum, readLines, unboundedCounts, watchedLines } from "./sdf_pipelines";
import { finalizedSource } from "../../fixtures/watch_files_pipelines";
import * as mr from "../../../index";

async function runOnPrism(def: PipelineDefinition, args: string[]): Promise<string[]> {
  const out = tempFile("out.txt");
  const state = await def
    .create(["--runner=prism", `--out=${out}`, ...args])
    .run()
    .waitUntilFinish();
  expect(state).to.equal("DONE");
  return lines(out).sort();
}

describe("splittable DoFns on Prism (the harness runs Beam's SDF phases)", function () {
  this.timeout(300_000);

  it("a bounded generateSequence: every number once", async () => {
    const expected = Array.from({ length: 250 }, (_, i) => `n=${i}`).sort();
    expect(await runOnPrism(boundedSequence, [])).to.deep.equal(expected);
  });

  it("a million numbers: each counted once (the restriction processed in slices, the harness answering Prism between them)", async () => {
    expect(await runOnPrism(largeSequenceSum, [])).to.deep.equal(["count=1000000", "sum=499999500000"]);
  });

  it("readText: every line of the file once, across the byte ranges it is split into", async () => {
    const input = tempFile("input.txt");
    const text = Array.from({ length: 2_000 }, (_, i) => `line ${i} of the input`);
    fs.writeFileSync(input, text.join("\n") + "\n");
    expect(await runOnPrism(readLines, [`--input=${input}`])).to.deep.equal(text.map((l) => l.toUpperCase()).sort());
  });

  it("an unbounded generateSequence in fixed windows: windows are counted and fired while it runs, until cancelled", async () => {
    await runWindowedCountsUntilCancelled(unboundedCounts, ["--runner=prism"]);
  });

  it("matchFiles continuously: files already there and one written while it runs are each read once, until cancelled", async () => {
    await runWatchedFilesUntilCancelled(watchedLines, ["--runner=prism"]);
  });

  it("bundle finalization: each bundle's callbacks run once Prism has committed it (FinalizeBundle)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sdf-finalize-"));
    const result = finalizedSource.create(["--runner=prism", `--dir=${dir}`]).run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER]).to.equal(1);
    const markers = () =>
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith("finalized-"))
        .sort();
    await waitWhileRunning(() => markers().length === 4, "four finalizations", result);
    expect(markers()).to.deep.equal(["finalized-0", "finalized-10", "finalized-15", "finalized-5"]);
  });
});
