/**
 * A small seeded run of the chaos suite (`npm run chaos` runs many more):
 * two kill-and-restart trials per runner, each job SIGKILLed at random
 * points and restarted on its own directories until it finishes, then
 * checked for exactly-once output and keyed state equal to an
 * uninterrupted run's. Plus the checkers themselves, on output that is
 * wrong in known ways, so a checker that sees nothing cannot pass.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileSinkKind } from "../../chaos/file_sink_kind";
import { microbatchScenario } from "../../chaos/microbatch_scenario";
import { DEFAULT_KILL_PLAN, runChaos } from "../../chaos/run_chaos";
import { streamScenario } from "../../chaos/stream_scenario";
import { expectedRunningTotals } from "../fixtures/stream_pipelines";

describe("chaos: kill-and-restart trials", function () {
  this.timeout(300_000);

  for (const runner of ["stream", "microbatch"] as const) {
    it(`${runner}: 2 seeded trials with SIGKILLs at random points, exactly once and state equal to an uninterrupted run's`, async () => {
      const report = await runChaos({ trials: 2, runners: [runner], seed: 18, plan: { ...DEFAULT_KILL_PLAN, maxKills: 2 } });
      expect(report.failed.map((r) => `trial ${r.trial}: ${r.failures.join("; ")}`)).to.deep.equal([]);
      expect(report.trials).to.equal(2);
      expect(report.kills, "the jobs were killed").to.be.greaterThanOrEqual(2);
      expect(report.starts).to.equal(report.trials + report.kills);
    });
  }
});

describe("chaos: the checkers catch what they are for", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-chaos-check-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, lines: readonly string[]): void => {
    fs.mkdirSync(path.join(dir, "out"), { recursive: true });
    fs.writeFileSync(path.join(dir, "out", name), lines.map((l) => `${l}\n`).join(""));
  };

  it("stream: exact output passes; a doubled number, a lost number, wrong state or a visible pending file fail", () => {
    const n = 50;
    const scenario = streamScenario({ numbers: n });
    const expected = expectedRunningTotals(n);
    write("totals-numbers-0", expected.numbers.slice(0, 20));
    write("totals-numbers-1", expected.numbers.slice(20));
    write("totals-totals-0", expected.totals);
    expect(scenario.check(dir, fileSinkKind)).to.deep.equal([]);

    write("totals-numbers-2", ["7"]);
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("more than once").and.to.contain("'7' x2");
    fs.rmSync(path.join(dir, "out", "totals-numbers-2"));

    write("totals-numbers-1", expected.numbers.slice(21));
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.match(/numbers: 1 missing/);
    write("totals-numbers-1", expected.numbers.slice(20));

    write("totals-totals-0", [...expected.totals.slice(1), "0,1,0"]);
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("per-key totals (state)");
    write("totals-totals-0", expected.totals);

    write(".millrace-pending-totals-numbers-x", ["1"]);
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("unpublished file(s) left visible");
  });

  it("micro-batch: exact output passes; a gap, a doubled number, a wrong count or stopping early fail", () => {
    const scenario = microbatchScenario({ stopAt: 20 });
    const line = (x: number): string => `${x} ${x % 5} ${Math.floor(x / 5) + 1}`;
    const lines = Array.from({ length: 25 }, (_, x) => line(x));
    write("counts-batch-1.txt", lines.slice(0, 10));
    write("counts-batch-2.txt", lines.slice(10));
    expect(scenario.check(dir, fileSinkKind)).to.deep.equal([]);

    write("counts-batch-2.txt", lines.slice(11));
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("missing below the highest").and.to.contain("e.g. 10");
    write("counts-batch-2.txt", [...lines.slice(10), line(3)]);
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("more than once");
    write("counts-batch-2.txt", [...lines.slice(10, 24), "24 4 6"]);
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("state differs").and.to.contain("'24 4 6' (expected '24 4 5')");
    write("counts-batch-2.txt", lines.slice(10, 15));
    expect(scenario.check(dir, fileSinkKind).join("\n")).to.contain("before --stopAt=20");
  });
});
