/**
 * Triggers, driven by TestStream (event time and processing time): full pane
 * sequences (values, timing, index, onTimeIndex, isFirst, isLast, window and
 * output timestamp) asserted exactly.
 *
 * Beam sources: ReduceFnRunnerTest (cited per case), TestStreamTest, the
 * trigger state machines (AfterWatermarkStateMachine: early firings repeat
 * until the watermark, late firings repeat after it; AfterPane,
 * AfterProcessingTime, AfterEach, AfterFirst, AfterAll, OrFinally, Never,
 * Repeatedly) and the programming guide, "Triggers". Facts used throughout:
 * pane index counts all panes of a window from 0; the pane fired when the
 * watermark passes the end of the window is ON_TIME, later ones LATE; early
 * panes have onTimeIndex 0 in millrace (Beam: -1), the ON_TIME pane 0 and
 * each later pane one more; isLast on the pane at expiry or when the trigger
 * finishes; a finished trigger closes the window (later data is dropped);
 * processing-time timers fire once the processing-time clock is past them (the
 * cases never advance the clock to exactly a timer's time); at expiry
 * (end of window + allowed lateness) a final pane is emitted when it has new
 * data, or always with closingBehavior emitAlways, and at the end of the
 * window (lateness 0) also when empty unless onTimeBehavior is fireIfNonEmpty
 * (ReduceFnRunner.onTrigger; ReduceFnRunnerTest.fireEmptyOnDrainInGlobalWindowIfRequested).
 * In discarding mode a pane holds the elements since the previous pane, in
 * accumulating mode all so far. Elements that a count trigger must see one at
 * a time are added in separate TestStream batches.
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { at, counter, describePanes, DROPPED_DUE_TO_LATENESS, expectCount, GMAX, MINUTE, pane } from "./event_time_helpers";

type KVN = mr.KV<string, number>;
const t = mr.triggers;

/** A TestStream of key "k" with value v at timestamp v, one element per batch, for each v in `values`. */
function oneByOne(stream: mr.testing.TestStream<KVN>, values: number[]): mr.testing.TestStream<KVN> {
  let s = stream;
  for (const v of values) s = s.addElements(at(mr.kv("k", v), v));
  return s;
}

const W10: readonly [number, number] = [0, 10];

export const cases: ConformanceCase[] = [
  {
    // AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2))
    //   .withLateFirings(AfterPane.elementCountAtLeast(1)), accumulating, lateness 100.
    definition: mr.definePipeline("trigger: afterWatermark with early afterCount and late afterCount, accumulating", (p) => {
      const stream = oneByOne(
        oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3]).advanceWatermarkTo(10),
        [4, 5],
      ).advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(
          mr.windowInto(mr.windows.fixed(10), {
            trigger: t.afterWatermark({ early: t.afterCount(2), late: t.afterCount(1) }),
            accumulation: "accumulating",
            allowedLatenessMs: 100,
          }),
        )
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1, 2], W10, 9, "EARLY", 0, 0, "F"),
          pane("k", [1, 2, 3], W10, 9, "ON_TIME", 1, 0, ""),
          pane("k", [1, 2, 3, 4], W10, 9, "LATE", 2, 1, ""),
          pane("k", [1, 2, 3, 4, 5], W10, 9, "LATE", 3, 2, ""),
        ]);
    }),
    assertions: 1,
  },
  {
    // The same trigger and input in discarding mode: each pane only holds the elements since the previous one.
    definition: mr.definePipeline("trigger: afterWatermark with early afterCount and late afterCount, discarding", (p) => {
      const stream = oneByOne(
        oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3]).advanceWatermarkTo(10),
        [4, 5],
      ).advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(
          mr.windowInto(mr.windows.fixed(10), {
            trigger: t.afterWatermark({ early: t.afterCount(2), late: t.afterCount(1) }),
            accumulation: "discarding",
            allowedLatenessMs: 100,
          }),
        )
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1, 2], W10, 9, "EARLY", 0, 0, "F"),
          pane("k", [3], W10, 9, "ON_TIME", 1, 0, ""),
          pane("k", [4], W10, 9, "LATE", 2, 1, ""),
          pane("k", [5], W10, 9, "LATE", 3, 2, ""),
        ]);
    }),
    assertions: 1,
  },
  {
    // Port of TestStreamTest.testEarlyPanesOfWindow (accumulating: early sums 1, 3, 6, on-time 6) and the same
    // input in discarding mode (early 1, 2, 3; the on-time pane is empty — sum 0 — and still fired,
    // onTimeBehavior fireAlways). Lateness 0: the on-time pane is the last.
    definition: mr.definePipeline(
      "trigger: early afterProcessingTime firings driven by TestStream processing time (TestStreamTest.testEarlyPanesOfWindow)",
      (p) => {
        const source = p.apply(
          mr.testing
            .testStream<number>()
            .addElements(at(1, 1000))
            .advanceProcessingTime(6 * MINUTE)
            .addElements(at(2, 2000))
            .advanceProcessingTime(6 * MINUTE)
            .addElements(at(3, 3000))
            .advanceProcessingTime(6 * MINUTE)
            .advanceWatermarkToInfinity(),
        );
        const keyed = source.apply(mr.withKeys(() => "key"));
        const trigger = t.afterWatermark({ early: t.afterProcessingTime({ delayMs: 5 * MINUTE }) });
        const W: readonly [number, number] = [0, 30 * MINUTE];
        const end = 30 * MINUTE - 1;
        const acc = keyed
          .apply("Accumulating", mr.windowInto(mr.windows.fixed(30 * MINUTE), { trigger, accumulation: "accumulating" }))
          .apply("SumAcc", mr.combinePerKey(mr.combiners.sum()));
        mr.testing
          .assertThat(describePanes(acc, "DescribeAcc"))
          .containsInAnyOrder([
            pane("key", 1, W, end, "EARLY", 0, 0, "F"),
            pane("key", 3, W, end, "EARLY", 1, 0, ""),
            pane("key", 6, W, end, "EARLY", 2, 0, ""),
            pane("key", 6, W, end, "ON_TIME", 3, 0, "L"),
          ]);
        const disc = keyed
          .apply("Discarding", mr.windowInto(mr.windows.fixed(30 * MINUTE), { trigger, accumulation: "discarding" }))
          .apply("SumDisc", mr.combinePerKey(mr.combiners.sum()));
        mr.testing
          .assertThat(describePanes(disc, "DescribeDisc"))
          .containsInAnyOrder([
            pane("key", 1, W, end, "EARLY", 0, 0, "F"),
            pane("key", 2, W, end, "EARLY", 1, 0, ""),
            pane("key", 3, W, end, "EARLY", 2, 0, ""),
            pane("key", 0, W, end, "ON_TIME", 3, 0, "L"),
          ]);
      },
    ),
    assertions: 2,
  },
  {
    // Port of TestStreamTest.testProcessingTimeTrigger (global window, early afterProcessingTime(5 min),
    // accumulating): early sums 3 and 6, then the on-time pane (6) at the end of the global window.
    definition: mr.definePipeline(
      "trigger: processing-time early firings in the global window (TestStreamTest.testProcessingTimeTrigger)",
      (p) => {
        const source = p.apply(
          mr.testing
            .testStream<number>()
            .addElements(at(1, 1000), at(2, 2000))
            .advanceProcessingTime(12 * MINUTE)
            .addElements(at(3, 3000))
            .advanceProcessingTime(6 * MINUTE)
            .advanceWatermarkToInfinity(),
        );
        const sums = source
          .apply(
            mr.windowInto(mr.windows.global(), {
              trigger: t.afterWatermark({ early: t.afterProcessingTime({ delayMs: 5 * MINUTE }) }),
              accumulation: "accumulating",
            }),
          )
          .apply(mr.withKeys(() => "all"))
          .apply(mr.combinePerKey(mr.combiners.sum()));
        mr.testing
          .assertThat(describePanes(sums))
          .containsInAnyOrder([
            pane("all", 3, "global", GMAX, "EARLY", 0, 0, "F"),
            pane("all", 6, "global", GMAX, "EARLY", 1, 0, ""),
            pane("all", 6, "global", GMAX, "ON_TIME", 2, 0, "L"),
          ]);
      },
    ),
    assertions: 1,
  },
  {
    // Port of ReduceFnRunnerTest.testProcessingTime: AfterEach(Repeatedly(AfterProcessingTime +5).orFinally(
    // AfterWatermark), Repeatedly(AfterProcessingTime +25)), accumulating, EARLIEST, lateness 100, Sum.
    // Panes: 4 @1 EARLY; 6 @4 ON_TIME; 11 @9 LATE; 12 @9 LATE final.
    definition: mr.definePipeline(
      "trigger: afterEach(orFinally(repeatedly(afterProcessingTime), afterWatermark), repeatedly(afterProcessingTime)) (ReduceFnRunnerTest.testProcessingTime)",
      (p) => {
        const one = (ts: number) => at(mr.kv("k", 1), ts);
        const stream = mr.testing
          .testStream<KVN>()
          .advanceWatermarkTo(0)
          .addElements(one(1), one(3), one(7), one(5)) // processing time 0
          .advanceProcessingTime(6) // 6 > 0 + 5: early pane
          .addElements(one(8), one(4))
          .advanceWatermarkTo(11) // on-time pane
          .addElements(one(8), one(4), one(5)) // processing time 6: late timer at 31
          .advanceWatermarkTo(12)
          .addElements(one(3))
          .advanceProcessingTime(9) // 15
          .addElements(one(5))
          .advanceProcessingTime(17) // 32 > 31: late pane
          .addElements(one(3))
          .advanceWatermarkTo(125) // expiry (9 + 100): final pane
          .advanceWatermarkToInfinity();
        const sums = p
          .apply(stream)
          .apply(
            mr.windowInto(mr.windows.fixed(10), {
              trigger: t.afterEach(
                t.orFinally(t.repeatedly(t.afterProcessingTime({ delayMs: 5 })), t.afterWatermark()),
                t.repeatedly(t.afterProcessingTime({ delayMs: 25 })),
              ),
              accumulation: "accumulating",
              timestampCombiner: "earliest",
              allowedLatenessMs: 100,
            }),
          )
          .apply(mr.combinePerKey(mr.combiners.sum()));
        mr.testing
          .assertThat(describePanes(sums))
          .containsInAnyOrder([
            pane("k", 4, W10, 1, "EARLY", 0, 0, "F"),
            pane("k", 6, W10, 4, "ON_TIME", 1, 0, ""),
            pane("k", 11, W10, 9, "LATE", 2, 1, ""),
            pane("k", 12, W10, 9, "LATE", 3, 2, "L"),
          ]);
      },
    ),
    assertions: 1,
  },
  {
    // Beam AfterProcessingTime.alignedTo(period, offset): the target time (first element + delay) is rounded
    // up to the next offset + k * period (TimestampTransform.AlignTo). onTimeBehavior fireIfNonEmpty keeps the
    // focus on the processing-time panes.
    definition: mr.definePipeline("trigger: repeatedly(afterProcessingTime) aligned to a period, with and without offset", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .advanceProcessingTime(5)
        .addElements(at(mr.kv("k", 1), 1)) // pt 5: aligned to 10, or to 14 with offset 4
        .advanceProcessingTime(6) // pt 11
        .addElements(at(mr.kv("k", 2), 2)) // pt 11: aligned to 20 (offset 0)
        .advanceProcessingTime(5) // pt 16
        .addElements(at(mr.kv("k", 3), 3)) // pt 16: aligned to 24 (offset 4)
        .advanceProcessingTime(6) // pt 22
        .advanceWatermarkToInfinity();
      const events = p.apply(stream);
      const W: readonly [number, number] = [0, 1000];
      const aligned = events
        .apply(
          "Aligned",
          mr.windowInto(mr.windows.fixed(1000), {
            trigger: t.repeatedly(t.afterProcessingTime({ alignToMs: 10 })),
            onTimeBehavior: "fireIfNonEmpty",
          }),
        )
        .apply("GroupAligned", mr.groupByKey());
      mr.testing
        .assertThat(describePanes(aligned, "DescribeAligned"))
        .containsInAnyOrder([pane("k", [1], W, 999, "EARLY", 0, 0, "F"), pane("k", [2, 3], W, 999, "EARLY", 1, 0, "")]);
      const offset = events
        .apply(
          "AlignedWithOffset",
          mr.windowInto(mr.windows.fixed(1000), {
            trigger: t.repeatedly(t.afterProcessingTime({ alignToMs: 10, offsetMs: 4 })),
            onTimeBehavior: "fireIfNonEmpty",
          }),
        )
        .apply("GroupOffset", mr.groupByKey());
      mr.testing
        .assertThat(describePanes(offset, "DescribeOffset"))
        .containsInAnyOrder([pane("k", [1, 2], W, 999, "EARLY", 0, 0, "F"), pane("k", [3], W, 999, "ON_TIME", 1, 0, "L")]);
    }),
    assertions: 2,
  },
  {
    // Port of ReduceFnRunnerTest.fireEmptyOnDrainInGlobalWindowIfRequested (smaller): repeatedly(afterProcessingTime
    // +3) over the global window, discarding; at the end of the global window an empty ON_TIME pane is fired.
    definition: mr.definePipeline(
      "trigger: repeatedly(afterProcessingTime) over the global window; an empty on-time pane at the end",
      (p) => {
        const stream = mr.testing
          .testStream<KVN>()
          .addElements(at(mr.kv("k", 0), 0)) // pt 0: timer at 3
          .advanceProcessingTime(1)
          .addElements(at(mr.kv("k", 1), 1))
          .advanceProcessingTime(1)
          .addElements(at(mr.kv("k", 2), 2))
          .advanceProcessingTime(3) // pt 5: fires {0, 1, 2}
          .addElements(at(mr.kv("k", 3), 3)) // timer at 8
          .advanceProcessingTime(1)
          .addElements(at(mr.kv("k", 4), 4))
          .advanceProcessingTime(4) // pt 10: fires {3, 4}
          .advanceWatermarkToInfinity();
        const grouped = p
          .apply(stream)
          .apply(mr.windowInto(mr.windows.global(), { trigger: t.repeatedly(t.afterProcessingTime({ delayMs: 3 })) }))
          .apply(mr.groupByKey());
        mr.testing
          .assertThat(describePanes(grouped))
          .containsInAnyOrder([
            pane("k", [0, 1, 2], "global", GMAX, "EARLY", 0, 0, "F"),
            pane("k", [3, 4], "global", GMAX, "EARLY", 1, 0, ""),
            pane("k", [], "global", GMAX, "ON_TIME", 2, 0, "L"),
          ]);
      },
    ),
    assertions: 1,
  },
  {
    // Port of ReduceFnRunnerTest.fireNonEmptyOnDrainInGlobalWindow (smaller): repeatedly(afterCount(2)) in the
    // global window, discarding; the rest fires ON_TIME at the end of the global window.
    definition: mr.definePipeline("trigger: repeatedly(afterCount(2)) in the global window", (p) => {
      const grouped = p
        .apply(oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3, 4, 5]).advanceWatermarkToInfinity())
        .apply(mr.windowInto(mr.windows.global(), { trigger: t.repeatedly(t.afterCount(2)) }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1, 2], "global", GMAX, "EARLY", 0, 0, "F"),
          pane("k", [3, 4], "global", GMAX, "EARLY", 1, 0, ""),
          pane("k", [5], "global", GMAX, "ON_TIME", 2, 0, "L"),
        ]);
    }),
    assertions: 1,
  },
  {
    // AfterPane.elementCountAtLeast(2) without Repeatedly finishes after its one firing: the pane is final and
    // the window closed, so 3 is dropped (as closed, not as late: ReduceFnRunnerTest
    // .testOnElementBufferingDiscarding counts it in droppedDueToClosedWindow). Window [10, 20) never reaches
    // 2 elements: its contents come out at expiry.
    definition: mr.definePipeline("trigger: afterCount(2) not repeated fires one final pane; later data is dropped", (p) => {
      const grouped = p
        .apply(oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3, 12]).advanceWatermarkToInfinity())
        .apply(mr.windowInto(mr.windows.fixed(10), { trigger: t.afterCount(2) }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([pane("k", [1, 2], W10, 9, "EARLY", 0, 0, "FL"), pane("k", [12], [10, 20], 19, "ON_TIME", 0, 0, "FL")]);
    }),
    assertions: 1,
    check: (result) => {
      expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 0, `${DROPPED_DUE_TO_LATENESS} (a closed window's drops are not lateness)`);
      expectCount(
        counter(result, "droppedDueToClosedWindow"),
        1,
        "droppedDueToClosedWindow (Beam's counter for elements of a closed window)",
      );
    },
  },
  {
    // AfterEach.inOrder(a, b): a until it finishes, then b; finishes with the last. Counts of b start after a.
    definition: mr.definePipeline("trigger: afterEach(afterCount(2), afterCount(3)) then the window closes", (p) => {
      const grouped = p
        .apply(oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3, 4, 5, 6, 7]).advanceWatermarkToInfinity())
        .apply(mr.windowInto(mr.windows.global(), { trigger: t.afterEach(t.afterCount(2), t.afterCount(3)) }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1, 2], "global", GMAX, "EARLY", 0, 0, "F"),
          pane("k", [3, 4, 5], "global", GMAX, "EARLY", 1, 0, "L"),
        ]);
    }),
    assertions: 1,
  },
  {
    // AfterFirst (Beam's AfterFirst / AfterAny): fires when any subtrigger fires, and finishes. Key "count"
    // reaches 3 elements first; key "time" reaches its processing-time delay first. Later data: dropped.
    definition: mr.definePipeline("trigger: afterFirst(afterCount(3), afterProcessingTime(10))", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .advanceWatermarkTo(0)
        .addElements(at(mr.kv("count", 1), 1))
        .addElements(at(mr.kv("time", 1), 1))
        .addElements(at(mr.kv("count", 2), 2))
        .addElements(at(mr.kv("count", 3), 3)) // third element: "count" fires
        .advanceProcessingTime(11) // 11 > 0 + 10: "time" fires
        .addElements(at(mr.kv("count", 4), 4))
        .addElements(at(mr.kv("time", 2), 2))
        .advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10), { trigger: t.afterFirst(t.afterCount(3), t.afterProcessingTime({ delayMs: 10 })) }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([pane("count", [1, 2, 3], W10, 9, "EARLY", 0, 0, "FL"), pane("time", [1], W10, 9, "EARLY", 0, 0, "FL")]);
    }),
    assertions: 1,
  },
  {
    // AfterAll: fires once every subtrigger is ready, and finishes. "a" has 2 elements before the delay passes
    // (fires when the time comes); "b" has 1 when the time comes (fires at its second element).
    definition: mr.definePipeline("trigger: afterAll(afterCount(2), afterProcessingTime(10))", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .advanceWatermarkTo(0)
        .addElements(at(mr.kv("a", 1), 1))
        .addElements(at(mr.kv("a", 2), 2))
        .addElements(at(mr.kv("b", 1), 1))
        .advanceProcessingTime(11) // "a" fires; "b" still needs a second element
        .addElements(at(mr.kv("b", 2), 2)) // "b" fires
        .addElements(at(mr.kv("a", 3), 3)) // dropped: "a" is finished
        .advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10), { trigger: t.afterAll(t.afterCount(2), t.afterProcessingTime({ delayMs: 10 })) }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([pane("a", [1, 2], W10, 9, "EARLY", 0, 0, "FL"), pane("b", [1, 2], W10, 9, "EARLY", 0, 0, "FL")]);
    }),
    assertions: 1,
  },
  {
    // Port of ReduceFnRunnerTest.testPaneInfoFinalAndOnTime: Repeatedly(AfterPane(2)).orFinally(AfterWatermark),
    // discarding, lateness 100, emitAlways: EARLY (true,false,0) then an empty ON_TIME pane that is final.
    definition: mr.definePipeline(
      "trigger: orFinally(repeatedly(afterCount(2)), afterWatermark) (ReduceFnRunnerTest.testPaneInfoFinalAndOnTime)",
      (p) => {
        const stream = mr.testing
          .testStream<KVN>()
          .advanceWatermarkTo(0)
          .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2))
          .advanceWatermarkTo(150)
          .advanceWatermarkToInfinity();
        const grouped = p
          .apply(stream)
          .apply(
            mr.windowInto(mr.windows.fixed(10), {
              trigger: t.orFinally(t.repeatedly(t.afterCount(2)), t.afterWatermark()),
              accumulation: "discarding",
              allowedLatenessMs: 100,
              closingBehavior: "emitAlways",
            }),
          )
          .apply(mr.groupByKey());
        mr.testing
          .assertThat(describePanes(grouped))
          .containsInAnyOrder([pane("k", [1, 2], W10, 9, "EARLY", 0, 0, "F"), pane("k", [], W10, 9, "ON_TIME", 1, 0, "L")]);
      },
    ),
    assertions: 1,
  },
  {
    // Never.ever(): no firing; the window's contents come out once, at expiry (lateness 0: at the end of the window,
    // so the pane is ON_TIME and final).
    definition: mr.definePipeline("trigger: never() emits only the final pane at window expiry", (p) => {
      const stream = oneByOne(
        oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2]).advanceWatermarkTo(5),
        [3],
      ).advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10), { trigger: t.never() }))
        .apply(mr.groupByKey());
      mr.testing.assertThat(describePanes(grouped)).containsInAnyOrder([pane("k", [1, 2, 3], W10, 9, "ON_TIME", 0, 0, "FL")]);
    }),
    assertions: 1,
  },
  {
    // always(): a pane after every element (Beam's Always / Repeatedly(AfterPane(1))). onTimeBehavior
    // fireIfNonEmpty: nothing new at the end of the window, so no further pane.
    definition: mr.definePipeline("trigger: always() fires a pane per element", (p) => {
      const stream = oneByOne(mr.testing.testStream<KVN>().advanceWatermarkTo(0), [1, 2, 3]).advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10), { trigger: t.always(), onTimeBehavior: "fireIfNonEmpty" }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1], W10, 9, "EARLY", 0, 0, "F"),
          pane("k", [2], W10, 9, "EARLY", 1, 0, ""),
          pane("k", [3], W10, 9, "EARLY", 2, 0, ""),
        ]);
    }),
    assertions: 1,
  },
  {
    // Ports of ReduceFnRunnerTest.noEmptyPanesFinalIfNonEmpty and noEmptyPanesFinalAlways:
    // Repeatedly(AfterFirst(AfterPane(2), AfterWatermark)), accumulating, EARLIEST, lateness 100.
    // emitIfNonEmpty: no final pane (nothing new at expiry); emitAlways: a final LATE pane at expiry.
    definition: mr.definePipeline("trigger: closingBehavior emitIfNonEmpty vs emitAlways (ReduceFnRunnerTest.noEmptyPanesFinal*)", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .advanceWatermarkTo(0)
        .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2))
        .advanceWatermarkTo(20)
        .advanceWatermarkTo(250)
        .advanceWatermarkToInfinity();
      const events = p.apply(stream);
      const trigger = t.repeatedly(t.afterFirst(t.afterCount(2), t.afterWatermark()));
      const common = { trigger, accumulation: "accumulating", timestampCombiner: "earliest", allowedLatenessMs: 100 } as const;
      const ifNonEmpty = events
        .apply("IfNonEmpty", mr.windowInto(mr.windows.fixed(10), { ...common, closingBehavior: "emitIfNonEmpty" }))
        .apply("GroupIfNonEmpty", mr.groupByKey());
      mr.testing
        .assertThat(describePanes(ifNonEmpty, "DescribeIfNonEmpty"))
        .containsInAnyOrder([pane("k", [1, 2], W10, 1, "EARLY", 0, 0, "F"), pane("k", [1, 2], W10, 9, "ON_TIME", 1, 0, "")]);
      const always = events
        .apply("Always", mr.windowInto(mr.windows.fixed(10), { ...common, closingBehavior: "emitAlways" }))
        .apply("GroupAlways", mr.groupByKey());
      mr.testing
        .assertThat(describePanes(always, "DescribeAlways"))
        .containsInAnyOrder([
          pane("k", [1, 2], W10, 1, "EARLY", 0, 0, "F"),
          pane("k", [1, 2], W10, 9, "ON_TIME", 1, 0, ""),
          pane("k", [1, 2], W10, 9, "LATE", 2, 1, "L"),
        ]);
    }),
    assertions: 2,
  },
  {
    // Port of ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark: Repeatedly(AfterFirst(AfterPane(2),
    // AfterWatermark)), discarding, EARLIEST, lateness 100, emitAlways: EARLY [1,2] @1; empty ON_TIME @9;
    // empty final LATE @9.
    definition: mr.definePipeline(
      "trigger: pane info in all states, discarding, emitAlways (ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark)",
      (p) => {
        const stream = mr.testing
          .testStream<KVN>()
          .advanceWatermarkTo(0)
          .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2))
          .advanceWatermarkTo(50)
          .advanceWatermarkTo(150)
          .advanceWatermarkToInfinity();
        const grouped = p
          .apply(stream)
          .apply(
            mr.windowInto(mr.windows.fixed(10), {
              trigger: t.repeatedly(t.afterFirst(t.afterCount(2), t.afterWatermark())),
              accumulation: "discarding",
              timestampCombiner: "earliest",
              allowedLatenessMs: 100,
              closingBehavior: "emitAlways",
            }),
          )
          .apply(mr.groupByKey());
        mr.testing
          .assertThat(describePanes(grouped))
          .containsInAnyOrder([
            pane("k", [1, 2], W10, 1, "EARLY", 0, 0, "F"),
            pane("k", [], W10, 9, "ON_TIME", 1, 0, ""),
            pane("k", [], W10, 9, "LATE", 2, 1, "L"),
          ]);
      },
    ),
    assertions: 1,
  },
  {
    // Ports of ReduceFnRunnerTest.testEmptyOnTimeFromOrFinally (fireAlways: an empty — here, nothing new,
    // accumulating — ON_TIME pane) and testEmptyOnTimeWithOnTimeBehaviorFireIfNonEmpty (no on-time pane; with
    // emitAlways the final pane at expiry is LATE, index 1, onTimeIndex 0, final).
    definition: mr.definePipeline("trigger: onTimeBehavior fireAlways vs fireIfNonEmpty (ReduceFnRunnerTest.testEmptyOnTime*)", (p) => {
      const one = (ts: number) => at(mr.kv("k", 1), ts);
      const stream = mr.testing
        .testStream<KVN>()
        .advanceWatermarkTo(0)
        .addElements(one(1), one(3), one(7), one(5)) // processing time 0: timer at 5
        .advanceProcessingTime(6) // early pane
        .advanceWatermarkTo(11) // end of window
        .advanceWatermarkTo(110) // expiry (9 + 100)
        .advanceWatermarkToInfinity();
      const events = p.apply(stream);
      const trigger = t.afterEach(
        t.orFinally(t.repeatedly(t.afterProcessingTime({ delayMs: 5 })), t.afterWatermark()),
        t.repeatedly(t.afterProcessingTime({ delayMs: 25 })),
      );
      const common = { trigger, accumulation: "accumulating", timestampCombiner: "earliest", allowedLatenessMs: 100 } as const;
      const fireAlways = events
        .apply("FireAlways", mr.windowInto(mr.windows.fixed(10), common))
        .apply("SumFireAlways", mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(fireAlways, "DescribeFireAlways"))
        .containsInAnyOrder([pane("k", 4, W10, 1, "EARLY", 0, 0, "F"), pane("k", 4, W10, 9, "ON_TIME", 1, 0, "")]);
      const ifNonEmpty = events
        .apply(
          "FireIfNonEmpty",
          mr.windowInto(mr.windows.fixed(10), { ...common, onTimeBehavior: "fireIfNonEmpty", closingBehavior: "emitAlways" }),
        )
        .apply("SumFireIfNonEmpty", mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(ifNonEmpty, "DescribeFireIfNonEmpty"))
        .containsInAnyOrder([pane("k", 4, W10, 1, "EARLY", 0, 0, "F"), pane("k", 4, W10, 9, "LATE", 1, 0, "L")]);
    }),
    assertions: 2,
  },
];
