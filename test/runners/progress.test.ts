import { expect } from "chai";
import { JobProgress, startProgressReporter } from "../../runners/core/progress";

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

describe("progress reporter", () => {
  it("ends with a summary line: state, elements in and out, watermark and the runner's detail", () => {
    const { stream, written } = fakeStream(false);
    const p = new JobProgress();
    const reporter = startProgressReporter("wc", p, stream, true);
    p.elementsIn = 1500;
    p.elementsOut = 7;
    p.watermark = Date.UTC(2026, 0, 1);
    p.detail = "3 bundles";
    reporter.stop("DONE");
    expect(written).to.have.length(1);
    expect(written[0]).to.match(
      /^wc: done {2}\d+\.\ds {2}in 1,500 {2}out 7 {2}[\d,]+\/s {2}watermark 2026-01-01T00:00:00Z {2}3 bundles\n$/,
    );
  });

  it("rewrites one line on a terminal", () => {
    const { stream, written } = fakeStream(true);
    const reporter = startProgressReporter("wc", new JobProgress(), stream, true);
    reporter.stop("CANCELLED");
    expect(written[0]).to.match(/^\r\x1b\[Kwc: cancelled .*watermark -inf/);
  });

  it("prints nothing when progress is off", () => {
    const { stream, written } = fakeStream(true);
    startProgressReporter("wc", new JobProgress(), stream, false).stop("DONE");
    expect(written).to.deep.equal([]);
  });

  it("shows the last checkpoint or batch, whichever is newer", () => {
    const p = new JobProgress();
    expect(p.lastCheckpointOrBatch()).to.equal("");
    p.addCheckpoint({ id: 3, durationMs: 120.4, sizeBytes: 2048, completedAt: 1000 });
    expect(p.lastCheckpointOrBatch()).to.equal("checkpoint 3 (120 ms, 2.0 KB)");
    p.addBatch({ id: 7, inputRows: 2500, processingMs: 44, schedulingDelayMs: 1, stateRows: 10, watermark: 0, completedAt: 2000 });
    expect(p.lastCheckpointOrBatch()).to.equal("batch 7 (2,500 rows, 44 ms)");
    expect(p.checkpointsCompleted).to.equal(1);
    expect(p.batchesCompleted).to.equal(1);
    const { stream, written } = fakeStream(false);
    startProgressReporter("wc", p, stream, true).stop("DONE");
    expect(written[0]).to.match(/last batch 7 \(2,500 rows, 44 ms\)\n$/);
  });

  it("keeps a bounded history of checkpoints", () => {
    const p = new JobProgress();
    for (let i = 1; i <= 80; i++) p.addCheckpoint({ id: i, durationMs: 1, sizeBytes: 1, completedAt: i });
    expect(p.checkpointsCompleted).to.equal(80);
    expect(p.recentCheckpoints).to.have.length(50);
    expect(p.recentCheckpoints[0]!.id).to.equal(31);
  });
});
