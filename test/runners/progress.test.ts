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
    expect(written[0]).to.match(/^wc: done {2}\d+\.\ds {2}in 1,500 {2}out 7 {2}[\d,]+\/s {2}watermark 2026-01-01T00:00:00Z {2}3 bundles\n$/);
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
});
