/**
 * QuiescenceDriver, the job master's pacing of TestStreams: an event is
 * played only after two probe rounds in which every task manager answered
 * idle with unchanged message counts and nothing sent was unreceived.
 */
import { expect } from "chai";
import { QuiescenceDriver, quiescentBetween } from "../../../runners/stream/coordinator/quiescence_driver";
import type { QuietReport } from "../../../runners/stream/protocol";

/** A driver over `n` task managers that records what it asked for. */
function drive(n: number): { driver: QuiescenceDriver; probes: number[]; plays: number[] } {
  const probes: number[] = [];
  const plays: number[] = [];
  const driver = new QuiescenceDriver(n, { probe: (round) => probes.push(round), playNext: () => plays.push(probes.length) });
  return { driver, probes, plays };
}

function report(round: number, sent: number, received: number, scriptLeft = true): QuietReport {
  return { round, sent, received, scriptLeft };
}

describe("stream runner: quiescence driver (TestStream pacing)", () => {
  it("plays the next event after two idle rounds with unchanged counts, then proves quiescence afresh", () => {
    const { driver, probes, plays } = drive(2);
    driver.start();
    expect(probes).to.deep.equal([1]);
    driver.onReport(0, report(1, 3, 1));
    driver.onReport(1, report(1, 1, 3));
    expect(plays, "one round proves nothing").to.deep.equal([]);
    expect(probes).to.deep.equal([1, 2]);
    driver.onReport(1, report(2, 1, 3));
    driver.onReport(0, report(2, 3, 1));
    expect(plays).to.deep.equal([2]);
    expect(probes).to.deep.equal([1, 2, 3]);
    // After the play: the first round compares with nothing, even with the same counts.
    driver.onReport(0, report(3, 3, 1));
    driver.onReport(1, report(3, 1, 3));
    expect(plays).to.deep.equal([2]);
    driver.onReport(0, report(4, 3, 1));
    driver.onReport(1, report(4, 1, 3));
    expect(plays).to.deep.equal([2, 4]);
  });

  it("waits while a message is in flight (sent and not yet received) or counts move between rounds", () => {
    const { driver, probes, plays } = drive(2);
    driver.start();
    driver.onReport(0, report(1, 5, 0));
    driver.onReport(1, report(1, 0, 4)); // one buffer from 0 to 1 still travels
    driver.onReport(0, report(2, 5, 0));
    driver.onReport(1, report(2, 0, 4));
    expect(plays, "sent 5, received 4").to.deep.equal([]);
    driver.onReport(0, report(3, 5, 0));
    driver.onReport(1, report(3, 0, 5)); // it arrived: counts moved
    expect(plays).to.deep.equal([]);
    driver.onReport(0, report(4, 5, 0));
    driver.onReport(1, report(4, 0, 5));
    expect(plays).to.deep.equal([4]);
    expect(probes).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it("ignores answers to an earlier round, and stops once no script has events left", () => {
    const { driver, probes, plays } = drive(2);
    driver.start();
    driver.onReport(0, report(0, 0, 0));
    driver.onReport(0, report(1, 0, 0));
    driver.onReport(1, report(1, 0, 0));
    expect(probes).to.deep.equal([1, 2]);
    driver.onReport(0, report(2, 0, 0, false));
    driver.onReport(1, report(2, 0, 0, false));
    expect(driver.done).to.equal(true);
    expect(plays).to.deep.equal([]);
    expect(probes, "no more rounds").to.deep.equal([1, 2]);
  });

  it("asks nothing more once stopped (the attempt ends)", () => {
    const { driver, probes, plays } = drive(1);
    driver.start();
    driver.stop();
    driver.onReport(0, report(1, 0, 0));
    expect(probes).to.deep.equal([1]);
    expect(plays).to.deep.equal([]);
  });

  it("quiescentBetween: equal per task manager, not only in total", () => {
    const before = [report(1, 2, 1), report(1, 1, 2)];
    expect(quiescentBetween(before, [report(2, 2, 1), report(2, 1, 2)])).to.equal(true);
    // The same totals, but task manager 0 sent one more and 1 received it in between.
    expect(quiescentBetween(before, [report(2, 3, 1), report(2, 1, 3)])).to.equal(false);
  });
});
