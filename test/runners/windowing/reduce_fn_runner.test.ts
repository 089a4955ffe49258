/**
 * ReduceFnRunner semantics, ported in spirit from Beam's ReduceFnRunnerTest
 * and the *StateMachineTest family (runners/core-java). Each expected pane
 * sequence follows Beam's ReduceFnRunner / PaneInfoTracker / WatermarkHold.
 */
import { expect } from "chai";
import { GLOBAL_WINDOW } from "../../../model/windows";
import { GLOBAL_WINDOW_MAX_TIMESTAMP } from "../../../model/time";
import { Tester, pane, w, fixed } from "./harness";

describe("ReduceFnRunner: fixed windows and the default trigger", () => {
  it("emits one ON_TIME pane per window when the watermark passes its end, at the window's max timestamp", () => {
    // Beam ReduceFnRunnerTest.testOnElementBufferingDiscarding-style; default trigger, no lateness.
    const t = new Tester({ windowFn: fixed(10) });
    t.advanceWatermark(0).inject(1, 2, 12);
    expect(t.runner.activeWindowCount).to.equal(2);
    t.advanceWatermark(9);
    expect(t.take()).to.deep.equal([]); // the watermark is not past 9 yet
    t.advanceWatermark(10);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.activeWindowCount).to.equal(1);
    t.advanceWatermark(25);
    expect(t.takeShort()).to.deep.equal([{ value: [12], timestamp: 19, window: w(10, 20), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.activeWindowCount).to.equal(0);
    expect(t.runner.outputWatermarkHold()).to.equal(Infinity);
  });

  it("keeps keys apart and emits the first-seen key object", () => {
    const t = new Tester({ windowFn: fixed(10) });
    t.advanceWatermark(0);
    t.injectFor({ id: 1 }, 1, 1).injectFor("b", 2, 2).injectFor({ id: 1 }, 3, 3);
    t.advanceWatermark(10);
    const out = t.take();
    expect(out.map((p) => [p.key, p.value])).to.have.deep.members([
      [{ id: 1 }, [1, 3]],
      ["b", [2]],
    ]);
  });

  for (const accumulation of ["discarding", "accumulating"] as const) {
    it(`fires a LATE pane per late element within the allowed lateness (${accumulation}) and drops later ones`, () => {
      // Beam: default trigger = Repeatedly(AfterWatermark); late elements fire immediately (ReduceFnRunnerTest.testLateDataFiresPanes-style).
      const t = new Tester({ windowFn: fixed(10), allowedLatenessMs: 100, accumulation });
      t.advanceWatermark(0).inject(1, 2);
      t.advanceWatermark(10);
      expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, false, "ON_TIME", 0, 0) }]);
      t.inject(3);
      expect(t.takeShort()).to.deep.equal([
        { value: accumulation === "discarding" ? [3] : [1, 2, 3], timestamp: 9, window: w(0, 10), pane: pane(false, false, "LATE", 1, 1) },
      ]);
      t.inject(4);
      expect(t.takeShort().map((p) => [p.value, p.pane])).to.deep.equal([
        [accumulation === "discarding" ? [4] : [1, 2, 3, 4], pane(false, false, "LATE", 2, 2)],
      ]);
      // GC at 9 + 100: nothing new, emitIfNonEmpty -> no final pane.
      t.advanceWatermark(110);
      expect(t.take()).to.deep.equal([]);
      expect(t.runner.activeWindowCount).to.equal(0);
      // Beyond the allowed lateness: dropped and counted (LateDataDroppingDoFnRunner).
      t.inject(5);
      expect(t.take()).to.deep.equal([]);
      expect(t.droppedCount).to.equal(1);
      expect(t.runner.activeWindowCount).to.equal(0);
    });
  }

  it("drops an element whose window expired even before any state existed (maxTimestamp + lateness < watermark)", () => {
    const t = new Tester({ windowFn: fixed(10), allowedLatenessMs: 5 });
    t.advanceWatermark(15).inject(3); // [0,10): 9 + 5 = 14 < 15
    t.inject(9); // same window, dropped too
    t.advanceWatermark(14).inject(12); // [10,20) still open
    expect(t.droppedCount).to.equal(2);
    expect(t.runner.activeWindowCount).to.equal(1);
  });

  it("a watermark jump past end of window and GC together emits a single ON_TIME final pane", () => {
    // Beam ReduceFnRunner: a window activation past the GC time only emits the final pane (testFixedWindowsEowAndGcTogether).
    const t = new Tester({ windowFn: fixed(10), allowedLatenessMs: 50, accumulation: "accumulating", closingBehavior: "emitAlways" });
    t.advanceWatermark(0).inject(1, 2);
    t.advanceWatermark(100);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });
});

describe("ReduceFnRunner: afterWatermark with early and late firings", () => {
  const trigger = {
    kind: "afterWatermark" as const,
    early: { kind: "repeatedly" as const, trigger: { kind: "afterCount" as const, count: 2 } },
    late: { kind: "always" as const },
  };

  for (const accumulation of ["accumulating", "discarding"] as const) {
    it(`gives the EARLY / ON_TIME / LATE sequence with indices (${accumulation})`, () => {
      // Beam ReduceFnRunnerTest.testPaneInfoAllStates / AfterWatermarkStateMachineTest early-and-late.
      const t = new Tester({ windowFn: fixed(10), trigger, allowedLatenessMs: 100, accumulation });
      const acc = accumulation === "accumulating";
      t.advanceWatermark(0).inject(1);
      expect(t.take()).to.deep.equal([]);
      t.inject(2);
      expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, false, "EARLY", 0, 0) }]);
      t.inject(3);
      expect(t.take()).to.deep.equal([]);
      t.inject(4);
      expect(t.takeShort().map((p) => [p.value, p.pane])).to.deep.equal([[acc ? [1, 2, 3, 4] : [3, 4], pane(false, false, "EARLY", 1, 0)]]);
      t.inject(5);
      t.advanceWatermark(10);
      expect(t.takeShort()).to.deep.equal([
        { value: acc ? [1, 2, 3, 4, 5] : [5], timestamp: 9, window: w(0, 10), pane: pane(false, false, "ON_TIME", 2, 0) },
      ]);
      t.inject(6);
      expect(t.takeShort()).to.deep.equal([
        { value: acc ? [1, 2, 3, 4, 5, 6] : [6], timestamp: 9, window: w(0, 10), pane: pane(false, false, "LATE", 3, 1) },
      ]);
      t.inject(7);
      expect(t.takeShort().map((p) => [p.value, p.pane])).to.deep.equal([
        [acc ? [1, 2, 3, 4, 5, 6, 7] : [7], pane(false, false, "LATE", 4, 2)],
      ]);
      t.advanceWatermark(200);
      expect(t.take()).to.deep.equal([]);
      expect(t.runner.activeWindowCount).to.equal(0);
    });
  }

  it("an empty on-time pane is emitted with onTimeBehavior fireAlways, not with fireIfNonEmpty", () => {
    // Beam ReduceFnRunnerTest.testEmptyOnTimeWithOnTimeBehaviorBackwardCompatibility.
    for (const onTimeBehavior of ["fireAlways", "fireIfNonEmpty"] as const) {
      const t = Tester.combining({
        windowFn: fixed(10),
        trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 1 } },
        accumulation: "accumulating",
        timestampCombiner: "earliest",
        onTimeBehavior,
      });
      t.advanceWatermark(0).advanceProcessingTime(0).inject([1, 1]);
      t.advanceWatermark(11);
      const expected = [{ value: 1, timestamp: 1, window: w(0, 10), pane: pane(true, false, "EARLY", 0, 0) }];
      if (onTimeBehavior === "fireAlways")
        expected.push({ value: 1, timestamp: 9, window: w(0, 10), pane: pane(false, true, "ON_TIME", 1, 0) });
      expect(t.takeShort()).to.deep.equal(expected);
    }
  });
});

describe("ReduceFnRunner: processing-time triggers", () => {
  it("afterProcessingTime fires a delay after the pane's first element, once, closing the window", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "afterProcessingTime", delayMs: 5 } });
    // Beam AfterDelayFromFirstElementStateMachine: ready when processing time is strictly after first + delay,
    // so the earliest firing time is 100 + 5 + 1 ms.
    t.advanceWatermark(0).advanceProcessingTime(100).inject(1);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(106);
    t.advanceProcessingTime(102).inject(2); // the delay counts from the first element
    expect(t.runner.nextProcessingTimeTimer()).to.equal(106);
    t.advanceProcessingTime(105);
    expect(t.take()).to.deep.equal([]);
    t.advanceProcessingTime(106);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, true, "EARLY", 0, 0) }]);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(Infinity);
    t.inject(3); // closed window: counted apart from late drops, as Beam's droppedDueToClosedWindow
    expect(t.runner.droppedDueToClosedWindow).to.equal(1);
    expect(t.droppedCount).to.equal(0);
    expect(t.runner.activeWindowCount).to.equal(1); // the closed marker, until GC
    t.advanceWatermark(10);
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("alignTo rounds the deadline up to the next multiple of the period plus offset", () => {
    const t = new Tester({
      windowFn: fixed(10),
      trigger: { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 0, alignToMs: 10, offsetMs: 3 } },
    });
    // Beam AlignFn: 14 -> 23 (the next 3 mod 10); fires once time is after 23.
    t.advanceWatermark(0).advanceProcessingTime(14).inject(1);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(24);
    t.advanceProcessingTime(23);
    expect(t.take()).to.deep.equal([]);
    t.advanceProcessingTime(24);
    expect(t.take().map((p) => p.value)).to.deep.equal([[1]]);
    // Exactly on the grid: no rounding.
    t.advanceProcessingTime(33).inject(2);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(34);
    const d = new Tester({ windowFn: fixed(10), trigger: { kind: "afterProcessingTime", delayMs: 5, alignToMs: 10 } });
    d.advanceWatermark(0).advanceProcessingTime(1).inject(1);
    expect(d.runner.nextProcessingTimeTimer()).to.equal(11); // 1 + 5 = 6, aligned up to 10
  });

  it("repeatedly(afterProcessingTime) fires a pane per delay as processing time advances; the final pane at GC", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 5 } } });
    t.advanceWatermark(0).advanceProcessingTime(0).inject(1);
    t.advanceProcessingTime(5);
    expect(t.take()).to.deep.equal([]);
    t.advanceProcessingTime(6);
    expect(t.takeShort()).to.deep.equal([{ value: [1], timestamp: 9, window: w(0, 10), pane: pane(true, false, "EARLY", 0, 0) }]);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(Infinity);
    t.advanceProcessingTime(7).inject(2);
    t.advanceProcessingTime(8).inject(3);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(13);
    t.advanceProcessingTime(13);
    expect(t.takeShort().map((p) => [p.value, p.pane])).to.deep.equal([[[2, 3], pane(false, false, "EARLY", 1, 0)]]);
    t.advanceProcessingTime(13).inject(4);
    t.advanceWatermark(10); // GC (no lateness): the rest as the final ON_TIME pane
    expect(t.takeShort().map((p) => [p.value, p.pane])).to.deep.equal([[[4], pane(false, true, "ON_TIME", 2, 0)]]);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(Infinity); // timers of collected windows are gone
    t.advanceProcessingTime(100);
    expect(t.take()).to.deep.equal([]);
  });

  it("processing-time firings around the watermark (Beam ReduceFnRunnerTest.testProcessingTime)", () => {
    const t = Tester.combining({
      windowFn: fixed(10),
      timestampCombiner: "earliest",
      trigger: {
        kind: "afterEach",
        triggers: [
          {
            kind: "orFinally",
            main: { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 5 } },
            until: { kind: "afterWatermark" },
          },
          { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 25 } },
        ],
      },
      accumulation: "accumulating",
      allowedLatenessMs: 100,
      onTimeBehavior: "fireAlways",
    });
    t.advanceWatermark(0).advanceProcessingTime(0);
    t.inject([1, 1], [1, 3], [1, 7], [1, 5]);
    t.advanceProcessingTime(6);
    t.inject([1, 8], [1, 4]);
    t.advanceWatermark(11);
    t.inject([1, 8], [1, 4], [1, 5]);
    t.advanceWatermark(12);
    t.inject([1, 3]);
    t.advanceProcessingTime(15);
    t.inject([1, 5]);
    t.advanceProcessingTime(32);
    t.inject([1, 3]);
    t.advanceWatermark(125);
    expect(t.takeShort()).to.deep.equal([
      { value: 4, timestamp: 1, window: w(0, 10), pane: pane(true, false, "EARLY", 0, 0) },
      { value: 6, timestamp: 4, window: w(0, 10), pane: pane(false, false, "ON_TIME", 1, 0) },
      { value: 11, timestamp: 9, window: w(0, 10), pane: pane(false, false, "LATE", 2, 1) },
      { value: 12, timestamp: 9, window: w(0, 10), pane: pane(false, true, "LATE", 3, 2) },
    ]);
  });

  it("an empty on-time pane from orFinally(…, afterWatermark) (Beam testEmptyOnTimeFromOrFinally and its fireIfNonEmpty variant)", () => {
    const trigger = {
      kind: "afterEach" as const,
      triggers: [
        {
          kind: "orFinally" as const,
          main: { kind: "repeatedly" as const, trigger: { kind: "afterProcessingTime" as const, delayMs: 5 } },
          until: { kind: "afterWatermark" as const },
        },
        { kind: "repeatedly" as const, trigger: { kind: "afterProcessingTime" as const, delayMs: 25 } },
      ],
    };
    const base = {
      windowFn: fixed(10),
      timestampCombiner: "earliest" as const,
      trigger,
      accumulation: "accumulating" as const,
      allowedLatenessMs: 100,
    };
    const a = Tester.combining({ ...base, onTimeBehavior: "fireAlways" });
    a.advanceWatermark(0).advanceProcessingTime(0).inject([1, 1], [1, 3], [1, 7], [1, 5]);
    a.advanceProcessingTime(6).advanceWatermark(11);
    expect(a.takeShort()).to.deep.equal([
      { value: 4, timestamp: 1, window: w(0, 10), pane: pane(true, false, "EARLY", 0, 0) },
      { value: 4, timestamp: 9, window: w(0, 10), pane: pane(false, false, "ON_TIME", 1, 0) },
    ]);

    const b = Tester.combining({ ...base, onTimeBehavior: "fireIfNonEmpty", closingBehavior: "emitAlways" });
    b.advanceWatermark(0).advanceProcessingTime(0).inject([1, 1], [1, 3], [1, 7], [1, 5]);
    b.advanceProcessingTime(6).advanceWatermark(11);
    expect(b.take().length).to.equal(1);
    b.advanceWatermark(110);
    expect(b.takeShort()).to.deep.equal([{ value: 4, timestamp: 9, window: w(0, 10), pane: pane(false, true, "LATE", 1, 0) }]);
  });

  it("afterSynchronizedProcessingTime fires once processing time moves past the first element's", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "repeatedly", trigger: { kind: "afterSynchronizedProcessingTime" } } });
    t.advanceWatermark(0).advanceProcessingTime(3).inject(1, 2);
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.nextProcessingTimeTimer()).to.equal(4);
    t.advanceProcessingTime(3);
    expect(t.take()).to.deep.equal([]);
    t.advanceProcessingTime(4);
    expect(t.take().map((p) => p.value)).to.deep.equal([[1, 2]]);
  });
});

describe("ReduceFnRunner: count and composite triggers", () => {
  it("afterCount(n) fires once and closes the window; later elements are dropped", () => {
    // Beam AfterPaneStateMachineTest + ReduceFnRunner closed windows (droppedDueToClosedWindow).
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "afterCount", count: 3 }, allowedLatenessMs: 100 });
    t.advanceWatermark(0).inject(1, 2);
    expect(t.take()).to.deep.equal([]);
    t.inject(3);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2, 3], timestamp: 9, window: w(0, 10), pane: pane(true, true, "EARLY", 0, 0) }]);
    t.inject(4);
    expect(t.runner.droppedDueToClosedWindow).to.equal(1);
    expect(t.droppedCount).to.equal(0); // not late: Beam's testOnElementBufferingDiscarding
    t.advanceWatermark(10).advanceWatermark(200);
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("afterCount(n) with too few elements emits the remainder at GC", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "afterCount", count: 3 } });
    t.advanceWatermark(0).inject(1, 2).advanceWatermark(10);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2], timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) }]);
  });

  it("afterEach(afterCount(2), afterCount(3)) fires each in turn, then closes", () => {
    // Beam AfterEachStateMachineTest.testAfterEachInSequence.
    const t = new Tester({
      windowFn: fixed(10),
      trigger: {
        kind: "afterEach",
        triggers: [
          { kind: "afterCount", count: 2 },
          { kind: "afterCount", count: 3 },
        ],
      },
    });
    t.advanceWatermark(0).inject(1, 2, 3, 4);
    expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([[[1, 2], pane(true, false, "EARLY", 0, 0)]]);
    t.inject(5);
    expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([[[3, 4, 5], pane(false, true, "EARLY", 1, 0)]]);
    t.inject(6);
    expect(t.runner.droppedDueToClosedWindow).to.equal(1);
  });

  it("afterFirst(afterCount(3), afterProcessingTime(10)) fires on whichever comes first, once", () => {
    // Beam AfterFirstStateMachineTest.
    const t = new Tester({
      windowFn: fixed(10),
      trigger: {
        kind: "afterFirst",
        triggers: [
          { kind: "afterCount", count: 3 },
          { kind: "afterProcessingTime", delayMs: 10 },
        ],
      },
    });
    t.advanceWatermark(0).advanceProcessingTime(0).inject(1, 2, 3); // count wins in [0, 10)
    t.inject(11); // [10, 20): processing time will win
    expect(t.take().map((p) => [p.window, p.value, p.pane])).to.deep.equal([[w(0, 10), [1, 2, 3], pane(true, true, "EARLY", 0, 0)]]);
    t.advanceProcessingTime(11);
    expect(t.take().map((p) => [p.window, p.value, p.pane])).to.deep.equal([[w(10, 20), [11], pane(true, true, "EARLY", 0, 0)]]);
    t.inject(4, 12);
    expect(t.runner.droppedDueToClosedWindow).to.equal(2);
  });

  it("afterAll(afterCount(2), afterWatermark()) fires once both are satisfied; the hold keeps a late-completed pane ON_TIME", () => {
    // Beam AfterAllStateMachineTest; pane timing per PaneInfoTracker (output watermark held by the window's element hold).
    const t = new Tester({
      windowFn: fixed(10),
      allowedLatenessMs: 100,
      trigger: { kind: "afterAll", triggers: [{ kind: "afterCount", count: 2 }, { kind: "afterWatermark" }] },
    });
    t.advanceWatermark(0).inject(1, 2, 3, 11);
    expect(t.take()).to.deep.equal([]);
    t.advanceWatermark(20);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2, 3], timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.outputWatermarkHold()).to.equal(19); // [10, 20) still holds at its end
    t.inject(12); // late, but within lateness: both sub-triggers now satisfied
    expect(t.takeShort()).to.deep.equal([{ value: [11, 12], timestamp: 19, window: w(10, 20), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    t.inject(5, 13);
    expect(t.runner.droppedDueToClosedWindow).to.equal(2);
    expect(t.droppedCount).to.equal(0);
  });

  it("orFinally(repeatedly(afterCount(1)), afterCount(3)) fires per element until the third, which is last", () => {
    // Beam OrFinallyStateMachineTest: `until` keeps counting across firings of `main`.
    const t = new Tester({
      windowFn: fixed(10),
      trigger: {
        kind: "orFinally",
        main: { kind: "repeatedly", trigger: { kind: "afterCount", count: 1 } },
        until: { kind: "afterCount", count: 3 },
      },
    });
    t.advanceWatermark(0).inject(1, 2, 3, 4);
    expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([
      [[1], pane(true, false, "EARLY", 0, 0)],
      [[2], pane(false, false, "EARLY", 1, 0)],
      [[3], pane(false, true, "EARLY", 2, 0)],
    ]);
    expect(t.runner.droppedDueToClosedWindow).to.equal(1);
  });

  it("never() emits only the final pane at GC", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "never" }, allowedLatenessMs: 50 });
    t.advanceWatermark(0).inject(1, 2);
    t.advanceWatermark(10);
    expect(t.take()).to.deep.equal([]);
    t.inject(3); // late, accepted, still no firing
    t.advanceWatermark(59);
    expect(t.take()).to.deep.equal([]);
    t.advanceWatermark(60);
    // The output watermark was held at 9 by the on-time elements, so this first pane is ON_TIME.
    expect(t.takeShort()).to.deep.equal([{ value: [1, 2, 3], timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("always() fires a pane per element", () => {
    const t = new Tester({ windowFn: fixed(10), trigger: { kind: "always" }, accumulation: "accumulating" });
    t.advanceWatermark(0).inject(1, 2, 3);
    expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([
      [[1], pane(true, false, "EARLY", 0, 0)],
      [[1, 2], pane(false, false, "EARLY", 1, 0)],
      [[1, 2, 3], pane(false, false, "EARLY", 2, 0)],
    ]);
    t.advanceWatermark(10); // nothing new, fireIfNonEmpty / emitIfNonEmpty
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });
});

describe("ReduceFnRunner: session windows", () => {
  const sessions = { kind: "sessions" as const, gapMs: 10 };

  it("merges two elements within the gap into [t1, t2 + gap)", () => {
    const t = new Tester({ windowFn: sessions });
    t.advanceWatermark(0).inject(1, 5);
    expect(t.runner.activeWindowCount).to.equal(1);
    expect(t.runner.outputWatermarkHold()).to.equal(14);
    t.advanceWatermark(15);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 5], timestamp: 14, window: w(1, 15), pane: pane(true, true, "ON_TIME", 0, 0) }]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("a bridging element merges two sessions across calls, and early counts add up", () => {
    // Beam AfterPaneStateMachine.onMerge: element counts of the merging windows are summed.
    const t = new Tester({ windowFn: sessions, trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 3 } } });
    t.advanceWatermark(0).inject(1, 18);
    expect(t.runner.activeWindowCount).to.equal(2);
    expect(t.take()).to.deep.equal([]);
    t.inject(9); // [9, 19) overlaps [1, 11) and [18, 28)
    expect(t.runner.activeWindowCount).to.equal(1);
    expect(t.takeShort()).to.deep.equal([{ value: [1, 9, 18], timestamp: 27, window: w(1, 28), pane: pane(true, false, "EARLY", 0, 0) }]);
    t.inject(20, 22);
    expect(t.take()).to.deep.equal([]);
    t.inject(25); // three more since the early pane (the early count restarts after each early firing)
    // The session grew to [1, 35), a new window: Beam's OnMergeCallback clears the pane info of
    // merged-away windows ("the merge result window gets to start fresh if it is new"), so indices restart.
    expect(t.takeShort().map((p) => [p.value, p.window, p.pane])).to.deep.equal([
      [[20, 22, 25], w(1, 35), pane(true, false, "EARLY", 0, 0)],
    ]);
    // Elements inside [1, 35): the merge result is the existing window, whose panes continue.
    t.inject(21, 23);
    expect(t.take()).to.deep.equal([]);
    t.inject(24);
    expect(t.takeShort()).to.deep.equal([
      { value: [21, 23, 24], timestamp: 34, window: w(1, 35), pane: pane(false, false, "EARLY", 1, 0) },
    ]);
    expect(t.runner.activeWindowCount).to.equal(1);
    t.advanceWatermark(100);
    expect(t.take()).to.deep.equal([]); // nothing new since the last early pane
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("merges with combine mode by merging accumulators", () => {
    const t = Tester.combining({ windowFn: sessions });
    t.advanceWatermark(0).inject([10, 1], [20, 18], [30, 9]);
    t.advanceWatermark(100);
    expect(t.takeShort()).to.deep.equal([{ value: 60, timestamp: 27, window: w(1, 28), pane: pane(true, true, "ON_TIME", 0, 0) }]);
  });

  it("late merges: a new merged window starts fresh panes; merging into an existing window continues its panes", () => {
    // Beam ReduceFnRunner.OnMergeCallback: pane info of merged-away windows is cleared; the merge result keeps its own.
    const t = new Tester({ windowFn: sessions, allowedLatenessMs: 100 });
    t.advanceWatermark(0).inject(1);
    t.advanceWatermark(11);
    expect(t.takeShort()).to.deep.equal([{ value: [1], timestamp: 10, window: w(1, 11), pane: pane(true, false, "ON_TIME", 0, 0) }]);
    t.inject(5); // [5, 15) merges with [1, 11) into the new window [1, 15)
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.activeWindowCount).to.equal(1);
    t.advanceWatermark(15);
    expect(t.takeShort()).to.deep.equal([{ value: [5], timestamp: 14, window: w(1, 15), pane: pane(true, false, "ON_TIME", 0, 0) }]);
    t.advanceWatermark(20).inject(2); // [2, 12) is behind the watermark but within lateness; merges into [1, 15)
    expect(t.takeShort()).to.deep.equal([{ value: [2], timestamp: 14, window: w(1, 15), pane: pane(false, false, "LATE", 1, 1) }]);
    t.advanceWatermark(115);
    t.inject(3); // [3, 13): 12 + 100 < 115, dropped before merging
    expect(t.droppedCount).to.equal(1);
    expect(t.take()).to.deep.equal([]);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("a closed session does not absorb later elements (Beam: closed windows leave the active set)", () => {
    const t = new Tester({ windowFn: sessions, trigger: { kind: "afterCount", count: 2 } });
    t.advanceWatermark(0).inject(1, 2);
    expect(t.take().map((p) => [p.window, p.value, p.pane.isLast])).to.deep.equal([[w(1, 12), [1, 2], true]]);
    t.inject(3); // a new session [3, 13), not merged with the closed [1, 12)
    t.inject(4);
    expect(t.take().map((p) => [p.window, p.value])).to.deep.equal([[w(3, 14), [3, 4]]]);
  });
});

describe("ReduceFnRunner: sliding windows, combine mode and timestamp combiners", () => {
  it("each element contributes to size/period windows (sum)", () => {
    const t = Tester.combining({ windowFn: { kind: "sliding", sizeMs: 10, periodMs: 5, offsetMs: 0 } });
    t.advanceWatermark(0).inject(3, 7, 12);
    expect(t.runner.activeWindowCount).to.equal(4);
    t.advanceWatermark(100);
    expect(t.takeShort()).to.deep.equal([
      { value: 3, timestamp: 4, window: w(-5, 5), pane: pane(true, true, "ON_TIME", 0, 0) },
      { value: 10, timestamp: 9, window: w(0, 10), pane: pane(true, true, "ON_TIME", 0, 0) },
      { value: 19, timestamp: 14, window: w(5, 15), pane: pane(true, true, "ON_TIME", 0, 0) },
      { value: 12, timestamp: 19, window: w(10, 20), pane: pane(true, true, "ON_TIME", 0, 0) },
    ]);
  });

  it("combine mode keeps the accumulator across panes in accumulating mode, and merges accumulator inputs", () => {
    const t = Tester.combining({
      windowFn: fixed(10),
      trigger: { kind: "repeatedly", trigger: { kind: "afterCount", count: 2 } },
      accumulation: "accumulating",
    });
    t.advanceWatermark(0).inject(1, 2, 3, 4);
    expect(t.take().map((p) => p.value)).to.deep.equal([3, 10]);
    const fromAccs = new Tester(
      { windowFn: fixed(10) },
      {
        kind: "combine",
        fn: {
          createAccumulator: () => 0,
          addInput: () => {
            throw new Error("addInput on accumulators");
          },
          mergeAccumulators: (a: unknown[]) => (a as number[]).reduce((x, y) => x + y, 0),
          extractOutput: (a: unknown) => a,
        },
        inputsAreAccumulators: true,
      },
    );
    fromAccs.advanceWatermark(0).inject([5, 1], [7, 2]).advanceWatermark(10);
    expect(fromAccs.take().map((p) => p.value)).to.deep.equal([12]);
  });

  it("errors thrown by the CombineFn propagate", () => {
    const t = new Tester(
      { windowFn: fixed(10) },
      {
        kind: "combine",
        fn: {
          createAccumulator: () => 0,
          addInput: () => {
            throw new Error("boom");
          },
          mergeAccumulators: () => 0,
          extractOutput: (a: unknown) => a,
        },
        inputsAreAccumulators: false,
      },
    );
    expect(() => t.advanceWatermark(0).inject(1)).to.throw("boom");
  });

  for (const [combiner, expectedTs, holds] of [
    ["endOfWindow", 9, [9, 9, 9]],
    ["earliest", 1, [3, 1, 1]],
    ["latest", 7, [3, 3, 7]],
  ] as const) {
    it(`timestamp combiner ${combiner}: output timestamp ${expectedTs}, holds ${holds.join(", ")}`, () => {
      const t = new Tester({ windowFn: fixed(10), timestampCombiner: combiner });
      t.advanceWatermark(0);
      expect(t.runner.outputWatermarkHold()).to.equal(Infinity);
      const seen: number[] = [];
      for (const ts of [3, 1, 7]) {
        t.inject(ts);
        seen.push(t.runner.outputWatermarkHold());
      }
      expect(seen).to.deep.equal([...holds]);
      t.advanceWatermark(10);
      expect(t.take().map((p) => p.timestamp)).to.deep.equal([expectedTs]);
      expect(t.runner.outputWatermarkHold()).to.equal(Infinity);
    });
  }

  it("earliest: each pane's timestamp comes from its own new elements; late panes use the end of the window", () => {
    // Beam WatermarkHold.extractAndRelease (late elements place no element hold; BEAM-2262).
    const t = new Tester({
      windowFn: fixed(10),
      timestampCombiner: "earliest",
      accumulation: "accumulating",
      allowedLatenessMs: 100,
      trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 2 }, late: { kind: "afterCount", count: 1 } },
    });
    t.advanceWatermark(0).inject(5, 2);
    t.inject(8, 6);
    t.advanceWatermark(10);
    t.inject(1);
    expect(t.take().map((p) => [p.timestamp, p.pane.timing])).to.deep.equal([
      [2, "EARLY"],
      [6, "EARLY"],
      [9, "LATE"],
    ]);
  });
});

describe("ReduceFnRunner: closing and on-time behaviours, holds and GC", () => {
  for (const closingBehavior of ["emitAlways", "emitIfNonEmpty"] as const) {
    it(`closingBehavior ${closingBehavior}: the empty final pane at GC`, () => {
      const t = new Tester({
        windowFn: fixed(10),
        trigger: { kind: "repeatedly", trigger: { kind: "afterCount", count: 1 } },
        allowedLatenessMs: 100,
        closingBehavior,
      });
      t.advanceWatermark(0).inject(1);
      expect(t.take().map((p) => p.pane)).to.deep.equal([pane(true, false, "EARLY", 0, 0)]);
      // emitAlways keeps a GC hold so the final pane can still be on time downstream (WatermarkHold.addGarbageCollectionHold).
      expect(t.runner.outputWatermarkHold()).to.equal(closingBehavior === "emitAlways" ? 109 : Infinity);
      t.advanceWatermark(10);
      expect(t.take()).to.deep.equal([]);
      t.advanceWatermark(200);
      expect(t.takeShort()).to.deep.equal(
        closingBehavior === "emitAlways" ? [{ value: [], timestamp: 9, window: w(0, 10), pane: pane(false, true, "LATE", 1, 0) }] : [],
      );
      expect(t.runner.activeWindowCount).to.equal(0);
      expect(t.runner.outputWatermarkHold()).to.equal(Infinity);
    });
  }

  for (const onTimeBehavior of ["fireAlways", "fireIfNonEmpty"] as const) {
    it(`onTimeBehavior ${onTimeBehavior}: early pane consumed everything (discarding), then the on-time pane is empty`, () => {
      const t = new Tester({
        windowFn: fixed(10),
        trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 2 } },
        allowedLatenessMs: 10,
        onTimeBehavior,
      });
      t.advanceWatermark(0).inject(1, 2);
      expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([[[1, 2], pane(true, false, "EARLY", 0, 0)]]);
      t.advanceWatermark(10);
      // AfterWatermark without late firings finishes at the end of the window, so this pane is the last.
      expect(t.takeShort()).to.deep.equal(
        onTimeBehavior === "fireAlways" ? [{ value: [], timestamp: 9, window: w(0, 10), pane: pane(false, true, "ON_TIME", 1, 0) }] : [],
      );
      t.inject(3); // closed
      expect(t.runner.droppedDueToClosedWindow).to.equal(1);
      t.advanceWatermark(100);
      expect(t.take()).to.deep.equal([]);
    });
  }

  it("outputWatermarkHold follows buffered data and is released on firing and GC", () => {
    const t = new Tester({ windowFn: fixed(10), timestampCombiner: "earliest", allowedLatenessMs: 20 });
    t.advanceWatermark(0).inject(4, 13);
    expect(t.runner.outputWatermarkHold()).to.equal(4);
    t.advanceWatermark(10); // [0,10) fires on time
    expect(t.take().length).to.equal(1);
    expect(t.runner.outputWatermarkHold()).to.equal(13);
    t.inject(5); // late: a GC hold at 9 + 20
    expect(t.take().length).to.equal(1); // default trigger fires it at once, releasing the hold
    expect(t.runner.outputWatermarkHold()).to.equal(13);
    expect(t.runner.activeWindowCount).to.equal(2);
    t.advanceWatermark(20);
    expect(t.runner.outputWatermarkHold()).to.equal(Infinity);
    t.advanceWatermark(40);
    expect(t.runner.activeWindowCount).to.equal(0);
  });

  it("global window, repeatedly(afterCount(2)): the end of input flushes the remainder as the last pane", () => {
    // Beam ReduceFnRunnerTest.fireNonEmptyOnDrainInGlobalWindow.
    const t = new Tester({ trigger: { kind: "repeatedly", trigger: { kind: "afterCount", count: 2 } } });
    t.advanceWatermark(0);
    for (let i = 0; i < 5; i++) t.inject(i);
    expect(t.takeShort()).to.deep.equal([
      { value: [0, 1], timestamp: GLOBAL_WINDOW_MAX_TIMESTAMP, window: GLOBAL_WINDOW, pane: pane(true, false, "EARLY", 0, 0) },
      { value: [2, 3], timestamp: GLOBAL_WINDOW_MAX_TIMESTAMP, window: GLOBAL_WINDOW, pane: pane(false, false, "EARLY", 1, 0) },
    ]);
    t.advanceWatermark(GLOBAL_WINDOW_MAX_TIMESTAMP);
    expect(t.take()).to.deep.equal([]);
    t.advanceWatermark(Infinity);
    expect(t.takeShort()).to.deep.equal([
      { value: [4], timestamp: GLOBAL_WINDOW_MAX_TIMESTAMP, window: GLOBAL_WINDOW, pane: pane(false, true, "ON_TIME", 2, 0) },
    ]);
    expect(t.runner.activeWindowCount).to.equal(0);
    t.inject(9);
    expect(t.droppedCount).to.equal(1);
  });

  it("global window repeatedly(afterProcessingTime) with fireAlways emits an empty ON_TIME pane on drain (Beam fireEmptyOnDrainInGlobalWindowIfRequested)", () => {
    const t = new Tester({
      trigger: { kind: "repeatedly", trigger: { kind: "afterProcessingTime", delayMs: 3 } },
      onTimeBehavior: "fireAlways",
    });
    const n = 20;
    for (let i = 0; i < n; i++) t.advanceProcessingTime(i).inject(i);
    t.advanceProcessingTime(n + 4);
    const out = t.take();
    expect(out.length).to.equal(Math.floor((n + 3) / 4));
    out.forEach((p, i) => {
      expect(p.pane.timing).to.equal("EARLY");
      expect(p.pane.index).to.equal(i);
      expect((p.value as number[]).length).to.equal(4);
    });
    t.advanceWatermark(Infinity);
    expect(t.take().map((p) => [p.value, p.pane])).to.deep.equal([[[], pane(false, true, "ON_TIME", Math.floor((n + 3) / 4), 0)]]);
  });
});
