/** The stream runner's metrics: committed with checkpoints, and what a cancelled job did. */
import { expect } from "chai";
import type { JobHandle } from "../../../runners/core/job_handle";
import { countingForever } from "../../fixtures/stream_pipelines";

describe("stream runner: metrics", function () {
  this.timeout(120_000);

  it("a cancelled job without checkpoints still reports the user metrics of the work it did, and per-task counts", async () => {
    const result = countingForever.create(["--runner=stream", "--parallelism=2"]).run();
    // Cancel once the task managers have reported records read, however long a busy machine takes to get there.
    const progress = (result as JobHandle).progress;
    while (progress.elementsIn === 0) await new Promise((r) => setTimeout(r, 20));
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    const m = result.metrics();
    expect(m.counters.seen, "elements the map saw").to.be.greaterThan(0);
    expect(m.counters["stream/stage0/recordsIn"]).to.be.at.least(m.counters.seen!);
    expect(m.counters["stream/checkpoints"]).to.equal(0);
  });
});
