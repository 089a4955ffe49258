/**
 * Task managers (stream) and executors (microbatch) keep the pipelines they
 * rebuilt: a second job of the same pipeline finds its code built, a job
 * of the same definition with other arguments is built again.
 */
import { expect } from "chai";
import { buildCounting } from "../fixtures/build_counting_pipeline";

async function buildsSeen(runnerFlags: readonly string[], tag: string): Promise<number> {
  const result = buildCounting.create([...runnerFlags, `--tag=${tag}`]).run();
  await result.waitUntilFinish();
  return result.metrics().counters.builds ?? 0;
}

for (const runnerFlags of [
  ["--runner=stream", "--parallelism=1"],
  ["--runner=microbatch", "--executors=1"],
]) {
  describe(`worker threads keep rebuilt pipelines (${runnerFlags.join(" ")})`, function () {
    this.timeout(120_000);

    it("reuses the rebuilt pipeline for the next job with the same arguments, and rebuilds for other arguments", async () => {
      // A tag no other test uses: the worker has not built this pipeline yet.
      const tag = `first-${runnerFlags[0]}`;
      const first = await buildsSeen(runnerFlags, tag);
      expect(first, "the first job's worker built the pipeline").to.be.greaterThan(0);
      expect(await buildsSeen(runnerFlags, tag), "same arguments: not built again").to.equal(first);
      expect(await buildsSeen(runnerFlags, `other-${runnerFlags[0]}`), "other arguments: built again").to.equal(first + 1);
      expect(await buildsSeen(runnerFlags, tag), "the first arguments' pipeline is still kept").to.equal(first + 1);
    });
  });
}
