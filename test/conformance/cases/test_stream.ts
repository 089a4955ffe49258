/**
 * TestStream with the default trigger: on-time panes once the watermark
 * passes the end of a window, late panes within the allowed lateness, data
 * dropped (and counted) past it; ports of Beam's TestStreamTest.
 *
 * Beam semantics: the default trigger (DefaultTriggerStateMachine) fires when
 * the watermark is past the window's max timestamp (end - 1), i.e. once the
 * watermark is >= end, and then immediately for every late element;
 * an element is dropped when its window's max timestamp + allowed lateness is
 * before the input watermark (LateDataDroppingDoFnRunner /
 * LateDataUtils). Pane info (PaneInfoTracker): index counts every pane of the
 * window; the pane at the watermark is ON_TIME, later ones LATE; isLast on the
 * pane at window expiry (emitted only when non-empty under the default
 * closing behavior, ReduceFnRunnerTest.noEmptyPanesFinalIfNonEmpty). A pane
 * fired when both the end of window and the expiry have passed is
 * (isFirst, isLast, ON_TIME) (ReduceFnRunnerTest.testFixedWindowsEowAndGcTogether).
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { sortGroups } from "./helpers";
import { at, counter, describePanes, DROPPED_DUE_TO_LATENESS, expectCount, MINUTE, pane } from "./event_time_helpers";

type KVN = mr.KV<string, number>;

export const cases: ConformanceCase[] = [
  {
    // An element at 9 after the watermark reached 9 is still on time for [0, 10): the window is complete only
    // when the watermark passes its max timestamp 9. Allowed lateness 0: the on-time pane is also the last.
    definition: mr.definePipeline("test stream: default trigger fires the on-time pane only once the watermark passes the window", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<KVN>()
          .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 5), 5))
          .advanceWatermarkTo(9)
          .addElements(at(mr.kv("k", 9), 9))
          .advanceWatermarkTo(10)
          .addElements(at(mr.kv("k", 12), 12))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.fixed(10))).apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("k", [1, 5, 9], [0, 10], 9, "ON_TIME", 0, 0, "FL"),
          pane("k", [12], [10, 20], 19, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 0, DROPPED_DUE_TO_LATENESS),
  },
  {
    // Late elements within the allowed lateness: the default trigger fires a LATE pane for each (discarding:
    // each holds only the new element). No new data at expiry: no final pane, so inFinalPane is empty.
    // (ReduceFnRunnerTest.testOnlyOneOnTimePane: ON_TIME (true,false,0,0) then LATE (false,false,1,1).)
    definition: mr.definePipeline("test stream: default trigger, late elements within the allowed lateness give LATE panes", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<KVN>()
          .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2))
          .advanceWatermarkTo(15)
          .addElements(at(mr.kv("k", 3), 3))
          .addElements(at(mr.kv("k", 4), 4))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.fixed(10), { allowedLatenessMs: 20 })).apply(mr.groupByKey());
      const described = describePanes(grouped);
      mr.testing
        .assertThat(described)
        .containsInAnyOrder([
          pane("k", [1, 2], [0, 10], 9, "ON_TIME", 0, 0, "F"),
          pane("k", [3], [0, 10], 9, "LATE", 1, 1, ""),
          pane("k", [4], [0, 10], 9, "LATE", 2, 2, ""),
        ]);
      const w = { start: 0, end: 10 };
      mr.testing
        .assertThat(sortGroups(grouped))
        .inOnTimePane(w)
        .containsInAnyOrder([mr.kv("k", [1, 2])]);
      mr.testing.assertThat(grouped).inFinalPane(w).isEmpty();
    }),
    assertions: 3,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 0, DROPPED_DUE_TO_LATENESS),
  },
  {
    // Lateness 5: at watermark 20, [0, 10) (expiry 9 + 5 = 14) is expired, so 2 and 3 are dropped and counted;
    // [10, 20) (expiry 24) still accepts 15, whose first pane is LATE (the watermark is past its end).
    definition: mr.definePipeline("test stream: default trigger, data past the allowed lateness is dropped and counted", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<KVN>()
          .addElements(at(mr.kv("k", 1), 1))
          .advanceWatermarkTo(20)
          .addElements(at(mr.kv("k", 2), 2), at(mr.kv("k", 3), 3))
          .addElements(at(mr.kv("k", 15), 15))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.fixed(10), { allowedLatenessMs: 5 })).apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([pane("k", [1], [0, 10], 9, "ON_TIME", 0, 0, "FL"), pane("k", [15], [10, 20], 19, "LATE", 0, 0, "F")]);
    }),
    assertions: 1,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 2, DROPPED_DUE_TO_LATENESS),
  },
  {
    // Port of TestStreamTest.testFirstElementLate.
    definition: mr.definePipeline(
      "test stream: the first element late beyond the allowed lateness is dropped (TestStreamTest.testFirstElementLate)",
      (p) => {
        const events = p.apply(
          mr.testing
            .testStream<string>()
            .advanceWatermarkTo(0)
            .addElements(at("late", -1_000_000))
            .addElements(at("onTime", 100))
            .advanceWatermarkToInfinity(),
        );
        const values = events
          .apply(mr.windowInto(mr.windows.fixed(1000), { allowedLatenessMs: 5000 }))
          .apply(mr.withKeys(() => 1))
          .apply(mr.groupByKey())
          .apply(
            "Values",
            mr.flatMap((e: mr.KV<number, string[]>) => e.value),
          );
        mr.testing.assertThat(values).inWindow({ start: -1_000_000, end: -999_000 }).isEmpty();
        mr.testing.assertThat(values).inWindow({ start: 0, end: 1000 }).containsInAnyOrder(["onTime"]);
      },
    ),
    assertions: 2,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 1, DROPPED_DUE_TO_LATENESS),
  },
  {
    // Port of TestStreamTest.testDiscardingMode: early afterCount(2), late never(), discarding, lateness 5 s.
    // The late elements wait for the final pane at expiry. Plus the full pane sequence.
    definition: mr.definePipeline("test stream: discarding mode with early and late firings (TestStreamTest.testDiscardingMode)", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<string>()
          .advanceWatermarkTo(0)
          .addElements(at("firstPane", 100), at("alsoFirstPane", 200))
          .addElements(at("onTimePane", 500))
          .advanceWatermarkTo(1000)
          .addElements(at("finalLatePane", 750), at("alsoFinalLatePane", 250))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events
        .apply(
          mr.windowInto(mr.windows.fixed(1000), {
            trigger: mr.triggers.afterWatermark({ early: mr.triggers.afterCount(2), late: mr.triggers.never() }),
            accumulation: "discarding",
            allowedLatenessMs: 5000,
          }),
        )
        .apply(mr.withKeys(() => 1))
        .apply(mr.groupByKey());
      const values = grouped.apply(
        "Values",
        mr.flatMap((e: mr.KV<number, string[]>) => e.value),
      );
      const w = { start: 0, end: 1000 };
      mr.testing
        .assertThat(values)
        .inWindow(w)
        .containsInAnyOrder(["firstPane", "alsoFirstPane", "onTimePane", "finalLatePane", "alsoFinalLatePane"]);
      mr.testing.assertThat(values).inOnTimePane(w).containsInAnyOrder(["onTimePane"]);
      mr.testing.assertThat(values).inFinalPane(w).containsInAnyOrder(["finalLatePane", "alsoFinalLatePane"]);
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane(1, ["alsoFirstPane", "firstPane"], [0, 1000], 999, "EARLY", 0, 0, "F"),
          pane(1, ["onTimePane"], [0, 1000], 999, "ON_TIME", 1, 0, ""),
          pane(1, ["alsoFinalLatePane", "finalLatePane"], [0, 1000], 999, "LATE", 2, 1, "L"),
        ]);
    }),
    assertions: 4,
  },
  {
    // Port of TestStreamTest.testLateDataAccumulating: accumulating, lateness 5 min, emitAlways; late data
    // within the lateness fires late panes; the final pane (at expiry, emitted always) holds everything;
    // the droppably late -1, -2, -3 never appear. inOnTimePane and inFinalPane differ here.
    definition: mr.definePipeline("test stream: late data, accumulating (TestStreamTest.testLateDataAccumulating)", (p) => {
      const source = p.apply(
        mr.testing
          .testStream<number>()
          .addElements(at(1, 0), at(2, 0), at(3, 0))
          .advanceWatermarkTo(6 * MINUTE)
          .addElements(at(4, 0), at(5, 0)) // late, within the allowed lateness
          .advanceWatermarkTo(20 * MINUTE)
          .addElements(at(-1, 0), at(-2, 0), at(-3, 0)) // droppably late
          .advanceWatermarkToInfinity(),
      );
      const windowed = source.apply(
        mr.windowInto(mr.windows.fixed(5 * MINUTE), {
          trigger: mr.triggers.afterWatermark({
            early: mr.triggers.afterProcessingTime({ delayMs: 2 * MINUTE }),
            late: mr.triggers.afterCount(1),
          }),
          accumulation: "accumulating",
          allowedLatenessMs: 5 * MINUTE,
          closingBehavior: "emitAlways",
        }),
      );
      const triggered = windowed
        .apply(mr.withKeys(() => 1))
        .apply(mr.groupByKey())
        .apply(
          "Values",
          mr.flatMap((e: mr.KV<number, number[]>) => e.value),
        );
      const count = windowed.apply("Count", mr.combineGlobally(mr.combiners.count()));
      const sum = windowed.apply("Sum", mr.combineGlobally(mr.combiners.sum()));
      const w = { start: 0, end: 5 * MINUTE };
      mr.testing.assertThat(triggered).inFinalPane(w).containsInAnyOrder([1, 2, 3, 4, 5]);
      mr.testing.assertThat(triggered).inOnTimePane(w).containsInAnyOrder([1, 2, 3]);
      mr.testing
        .assertThat(count)
        .inWindow(w)
        .satisfies((xs) => {
          if (xs.length === 0) throw new Error("no count panes");
          for (const c of xs) if (c < 3 || c > 5) throw new Error(`count ${c} not in [3, 5]`);
        });
      mr.testing
        .assertThat(sum)
        .inWindow(w)
        .satisfies((xs) => {
          if (xs.length === 0) throw new Error("no sum panes");
          for (const s of xs) if (s < 6 || s > 15) throw new Error(`sum ${s} not in [6, 15]`);
        });
    }),
    assertions: 4,
  },
  {
    // Beam's TestStream contract: an event is applied only once the pipeline has quiesced (the Java
    // DirectRunner's QuiescenceDriver). Here the advance to 20 must reach every subtask of the count before any
    // late element does: spread over many keys, each late element takes another keyed subtask, so a runner that
    // plays the script back to back lets some of them overtake the watermark on the way to the count.
    definition: mr.definePipeline("test stream: an event waits until the previous one is processed everywhere (quiescence)", (p) => {
      const onTime = Array.from({ length: 16 }, (_, i) => at(`on${i}`, 1 + (i % 9)));
      const late = Array.from({ length: 32 }, (_, i) => at(`late${i}`, 1 + (i % 9)));
      const counts = p
        .apply(
          mr.testing
            .testStream<string>()
            .addElements(...onTime)
            .advanceWatermarkTo(20) // [0, 10) closes everywhere downstream
            .addElements(...late) // late for [0, 10), allowed lateness 0: all dropped
            .advanceWatermarkToInfinity(),
        )
        .apply(mr.deduplicate())
        .apply(mr.windowInto(mr.windows.fixed(10)))
        // A GroupByKey, not a lifted combine: each late element is dropped (and counted) on its own.
        .apply(mr.withKeys(() => "all"))
        .apply(mr.groupByKey())
        .apply(
          "Count",
          mr.map((kv: mr.KV<string, string[]>) => kv.value.length),
        );
      mr.testing.assertThat(counts).containsInAnyOrder([onTime.length]);
    }),
    assertions: 1,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 32, DROPPED_DUE_TO_LATENESS),
  },
  {
    // Beam TestStream.Builder.addElements(T...): an element without a timestamp gets the current watermark
    // (the minimum timestamp before any advance).
    definition: mr.definePipeline("test stream: elements without a timestamp get the current watermark", (p) => {
      const events = p.apply(
        mr.testing.testStream<string>().addElements("first").advanceWatermarkTo(25).addElements("second").advanceWatermarkToInfinity(),
      );
      mr.testing.assertThat(events.map((v, ctx) => [v, ctx.timestamp])).containsInAnyOrder([
        ["first", mr.MIN_TIMESTAMP],
        ["second", 25],
      ]);
    }),
    assertions: 1,
  },
];
