/**
 * The Nexmark bench itself: its latency quantiles, and a paced (unbounded)
 * run end to end on the direct and stream runners: every event generated,
 * every result counted, the job stopped by the bench. No timing is asserted.
 */
import { expect } from "chai";
import { LATENCY_BUCKET_PREFIX, latencyQuantile, parseArgs, runQuery, type NexmarkRow } from "../../bench/nexmark/run_nexmark";

describe("Nexmark bench", function () {
  this.timeout(60_000);

  it("reads p50 and p99 from the latency bucket counters (upper bound of the bucket)", () => {
    // 90 results in bucket 0 (<= 1 ms), 9 in bucket 50, 1 in bucket 100.
    const counters = { [`${LATENCY_BUCKET_PREFIX}0`]: 90, [`${LATENCY_BUCKET_PREFIX}50`]: 9, [`${LATENCY_BUCKET_PREFIX}100`]: 1, other: 5 };
    expect(latencyQuantile(counters, 0.5)).to.equal(1);
    expect(latencyQuantile(counters, 0.99)).to.be.closeTo(Math.pow(1.05, 50), 1e-9);
    expect(latencyQuantile(counters, 1)).to.be.closeTo(Math.pow(1.05, 100), 1e-9);
    expect(latencyQuantile({ other: 3 }, 0.5)).to.equal(undefined);
  });

  it("refuses a paced run without a number of events", () => {
    expect(() => parseArgs(["--events=0", "--eventsPerSecond=100"])).to.throw(/--events > 0/);
  });

  for (const runnerFlags of [["--runner=direct"], ["--runner=stream", "--parallelism=2", "--restartAttempts=0"]]) {
    it(`runs query 0 on an unbounded paced source until every event is generated (${runnerFlags.join(" ")})`, async () => {
      const args = parseArgs([...runnerFlags, "--events=2000", "--eventsPerSecond=4000", "--settleMs=200"]);
      const row: NexmarkRow = await runQuery(args, 0);
      expect(row.events).to.equal(2000);
      expect(row.results).to.equal(2000);
      expect(row.droppedDueToLateness).to.equal(0);
      expect(row.p50LatencyMs).to.be.a("number");
      expect(row.p99LatencyMs).to.be.at.least(row.p50LatencyMs!);
    });
  }
});
