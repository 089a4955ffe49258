/**
 * TimerService: per namespace and name at most one pending timer (setting
 * again replaces it, as Beam's TimerInternals); event-time timers fire in
 * timestamp order once the watermark is strictly after them
 * (InMemoryTimerInternals.removeNextEventTimer), processing-time timers once
 * the clock reaches them; pending timers hold the output watermark at the
 * minimum of their output timestamps; a window's expiry drops its timers.
 */
import { expect } from "chai";
import { TimerService, type TimerData } from "../../../runners/core/state/timer_service";
import { intervalWindow, GLOBAL_WINDOW } from "../../../model/windows";

const W = intervalWindow(0, 100);

function setEvent(s: TimerService, ns: string, name: string, fire: number, output = fire): void {
  s.set(ns, ns.split("|")[0], W, name, "eventTime", fire, output);
}

function setProc(s: TimerService, ns: string, name: string, fire: number, output: number): void {
  s.set(ns, ns.split("|")[0], W, name, "processingTime", fire, output);
}

function drainEvent(s: TimerService, watermark: number): string[] {
  const out: string[] = [];
  for (let t: TimerData | undefined = s.pollEventTimer(watermark); t; t = s.pollEventTimer(watermark))
    out.push(`${t.namespace}/${t.name}@${t.fireTimestamp}`);
  return out;
}

describe("TimerService: ordering", () => {
  it("fires event-time timers in timestamp order, only those strictly before the watermark", () => {
    const s = new TimerService();
    setEvent(s, "a|w", "t1", 30);
    setEvent(s, "b|w", "t1", 10);
    setEvent(s, "a|w", "t2", 20);
    expect(s.hasEventTimerBefore(10)).to.equal(false);
    expect(drainEvent(s, 10)).to.deep.equal([]); // a timer at 10 fires once the watermark is after 10
    expect(s.hasEventTimerBefore(11)).to.equal(true);
    expect(drainEvent(s, 21)).to.deep.equal(["b|w/t1@10", "a|w/t2@20"]);
    expect(drainEvent(s, Infinity)).to.deep.equal(["a|w/t1@30"]);
    expect(s.hasEventTimerBefore(Infinity)).to.equal(false);
  });

  it("fires processing-time timers once the clock reaches them, in order; event and processing timers are separate", () => {
    const s = new TimerService();
    setProc(s, "a|w", "p", 2_000, 1);
    setProc(s, "b|w", "p", 1_000, 1);
    setEvent(s, "a|w", "e", 5);
    expect(s.nextProcessingTime()).to.equal(1_000);
    expect(s.pollProcessingTimer(999)).to.equal(undefined);
    expect(s.pollProcessingTimer(1_000)?.namespace).to.equal("b|w");
    expect(s.nextProcessingTime()).to.equal(2_000);
    expect(s.pollProcessingTimer(5_000)?.namespace).to.equal("a|w");
    expect(s.pollProcessingTimer(5_000)).to.equal(undefined);
    expect(s.nextProcessingTime()).to.equal(Infinity);
    // The event-time timer was not touched by the processing-time polls.
    expect(drainEvent(s, 6)).to.deep.equal(["a|w/e@5"]);
  });

  it("returns the key, window, domain and output timestamp of a timer", () => {
    const s = new TimerService();
    s.set("ns", { id: 1 }, GLOBAL_WINDOW, "t", "eventTime", 7, 3);
    const t = s.pollEventTimer(8)!;
    expect(t).to.include({ namespace: "ns", name: "t", domain: "eventTime", fireTimestamp: 7, outputTimestamp: 3 });
    expect(t.key).to.deep.equal({ id: 1 });
    expect(t.window).to.equal(GLOBAL_WINDOW);
  });
});

describe("TimerService: set, replace and clear", () => {
  it("setting a timer again replaces it: only the last time fires", () => {
    const s = new TimerService();
    setEvent(s, "a|w", "t", 50);
    setEvent(s, "a|w", "t", 10);
    setEvent(s, "a|w", "t", 30);
    expect(drainEvent(s, Infinity)).to.deep.equal(["a|w/t@30"]);
  });

  it("the same timer name in two namespaces are two timers", () => {
    const s = new TimerService();
    setEvent(s, "a|w1", "t", 5);
    setEvent(s, "a|w2", "t", 6);
    expect(drainEvent(s, Infinity)).to.deep.equal(["a|w1/t@5", "a|w2/t@6"]);
  });

  it("clear cancels a timer (and is a no-op for a timer never set); a cleared timer can be set again", () => {
    const s = new TimerService();
    setEvent(s, "a|w", "t", 5);
    setProc(s, "a|w", "p", 100, 1);
    s.clear("a|w", "t");
    s.clear("a|w", "p");
    s.clear("a|w", "never");
    expect(drainEvent(s, Infinity)).to.deep.equal([]);
    expect(s.pollProcessingTimer(Infinity)).to.equal(undefined);
    expect(s.nextProcessingTime()).to.equal(Infinity);
    setEvent(s, "a|w", "t", 8);
    expect(drainEvent(s, Infinity)).to.deep.equal(["a|w/t@8"]);
  });

  it("a fired timer can be set again from its callback (a looping timer)", () => {
    const s = new TimerService();
    setEvent(s, "a|w", "loop", 10);
    const fired: number[] = [];
    for (let t = s.pollEventTimer(Infinity); t; t = s.pollEventTimer(Infinity)) {
      fired.push(t.fireTimestamp);
      if (fired.length < 3) setEvent(s, "a|w", "loop", t.fireTimestamp + 10);
    }
    expect(fired).to.deep.equal([10, 20, 30]);
  });
});

describe("TimerService: watermark holds", () => {
  it("holds at the minimum output timestamp of the pending timers, of both domains", () => {
    const s = new TimerService();
    expect(s.outputHold()).to.equal(Infinity);
    setEvent(s, "a|w", "e", 50, 20);
    expect(s.outputHold()).to.equal(20);
    setProc(s, "b|w", "p", 1_000, 7);
    expect(s.outputHold()).to.equal(7);
    setEvent(s, "c|w", "e", 40); // output timestamp = firing time
    expect(s.outputHold()).to.equal(7);
  });

  it("releases a hold when its timer fires, is cleared or is replaced", () => {
    const s = new TimerService();
    setEvent(s, "a|w", "e", 50, 20);
    setProc(s, "b|w", "p", 1_000, 7);
    setEvent(s, "c|w", "e", 40, 30);
    expect(s.pollProcessingTimer(1_000)?.name).to.equal("p");
    expect(s.outputHold()).to.equal(20);
    setEvent(s, "a|w", "e", 60, 45); // replaced: its hold moves
    expect(s.outputHold()).to.equal(30);
    s.clear("c|w", "e");
    expect(s.outputHold()).to.equal(45);
    expect(drainEvent(s, Infinity)).to.deep.equal(["a|w/e@60"]);
    expect(s.outputHold()).to.equal(Infinity);
  });
});

describe("TimerService: window expiry", () => {
  it("a namespace expires once the watermark is after its garbage-collection time, dropping its timers", () => {
    const s = new TimerService();
    s.trackWindow("a|w1", 99);
    s.trackWindow("a|w1", 500); // tracked once: the first gc time stands
    s.trackWindow("a|w2", 199);
    setEvent(s, "a|w1", "e", 99, 10);
    setProc(s, "a|w1", "p", 1_000, 5);
    setProc(s, "a|w2", "p", 1_000, 150);
    expect(s.hasExpiryBefore(99)).to.equal(false);
    expect(s.pollExpired(99)).to.equal(undefined);
    expect(s.hasExpiryBefore(100)).to.equal(true);
    // A runner fires the due event-time timers first (the one at 99), then expires.
    expect(drainEvent(s, 100)).to.deep.equal(["a|w1/e@99"]);
    expect(s.pollExpired(100)).to.equal("a|w1");
    expect(s.pollExpired(100)).to.equal(undefined);
    // The processing-time timer of the expired window is gone, with its hold; w2's stays.
    expect(s.outputHold()).to.equal(150);
    const t = s.pollProcessingTimer(Infinity);
    expect(t?.namespace).to.equal("a|w2");
    expect(s.pollProcessingTimer(Infinity)).to.equal(undefined);
    expect(s.pollExpired(Infinity)).to.equal("a|w2");
    expect(s.outputHold()).to.equal(Infinity);
  });

  it("expiry drops pending event-time timers a runner did not fire", () => {
    const s = new TimerService();
    s.trackWindow("a|w", 9);
    setEvent(s, "a|w", "e", 5);
    expect(s.pollExpired(20)).to.equal("a|w");
    expect(drainEvent(s, Infinity)).to.deep.equal([]);
    expect(s.outputHold()).to.equal(Infinity);
  });

  it("expires namespaces in gc-time order", () => {
    const s = new TimerService();
    s.trackWindow("c", 30);
    s.trackWindow("a", 10);
    s.trackWindow("b", 20);
    const order: string[] = [];
    for (let ns = s.pollExpired(Infinity); ns !== undefined; ns = s.pollExpired(Infinity)) order.push(ns);
    expect(order).to.deep.equal(["a", "b", "c"]);
  });
});
