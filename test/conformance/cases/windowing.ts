/**
 * Windowing on bounded input: fixed and sliding windows (boundaries, offsets),
 * re-windowing, windowed side inputs, the windowed forms of assertThat, and a
 * bounded generateSequence as a source. Also (construction time, outside the
 * pipeline cases) the refusal to group an unbounded collection in the global
 * window with the default trigger.
 *
 * Expected outputs follow Beam's documented semantics: the Beam programming
 * guide, "Windowing" (fixed, sliding, global windows; "Windowing with bounded
 * PCollections"), FixedWindows/SlidingWindows (assignWindows), and for
 * grouped outputs the default timestamp combiner END_OF_WINDOW (an output's
 * timestamp is its window's max timestamp, end - 1). On bounded input the
 * default trigger fires each window exactly once, when the watermark reaches
 * the end of time: pane (isFirst, isLast, ON_TIME, 0, 0)
 * (ReduceFnRunnerTest.testFixedWindowsEowAndGcTogether).
 */
import { expect } from "chai";
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range, sortGroups } from "./helpers";
import { at, describePanes, GMAX, pane } from "./event_time_helpers";

export const cases: ConformanceCase[] = [
  {
    // Beam: FixedWindows assigns [start, start + size) with start = ts - (ts - offset) mod size; end is exclusive,
    // so an element at 10 is in [10, 20), not [0, 10). GBK output timestamp = end - 1 (END_OF_WINDOW).
    definition: mr.definePipeline("windowing: fixed windows + GBK, per key and window; ends are exclusive", (p) => {
      const events = p.apply(
        mr.createTimestamped([
          at(mr.kv("a", 1), 0),
          at(mr.kv("a", 2), 9),
          at(mr.kv("a", 3), 10),
          at(mr.kv("b", 4), 19),
          at(mr.kv("a", 5), 25),
        ]),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.fixed(10))).apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("a", [1, 2], [0, 10], 9, "ON_TIME", 0, 0, "FL"),
          pane("a", [3], [10, 20], 19, "ON_TIME", 0, 0, "FL"),
          pane("b", [4], [10, 20], 19, "ON_TIME", 0, 0, "FL"),
          pane("a", [5], [20, 30], 29, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
  {
    // Beam: FixedWindows.of(10).withOffset(3): windows [3 + 10k, 13 + 10k); an element at 2 is in [-7, 3).
    definition: mr.definePipeline("windowing: fixed windows with an offset + combinePerKey(sum)", (p) => {
      const events = p.apply(
        mr.createTimestamped([at(mr.kv("k", 1), 2), at(mr.kv("k", 10), 3), at(mr.kv("k", 100), 12), at(mr.kv("k", 1000), 13)]),
      );
      const sums = events.apply(mr.windowInto(mr.windows.fixed(10, 3))).apply(mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(sums))
        .containsInAnyOrder([
          pane("k", 1, [-7, 3], 2, "ON_TIME", 0, 0, "FL"),
          pane("k", 110, [3, 13], 12, "ON_TIME", 0, 0, "FL"),
          pane("k", 1000, [13, 23], 22, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
  {
    // Beam: SlidingWindows.of(10).every(5): each element is in size/period = 2 windows, [s, s + 10) for every
    // start s = 5k with ts - 10 < s <= ts. With a period that does not divide the size (6 every 4, offset 1)
    // an element is in 1 or 2 windows.
    definition: mr.definePipeline("windowing: sliding windows + combinePerKey(sum): each element counted in size/period windows", (p) => {
      const events = p.apply(
        mr.createTimestamped([at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2), at(mr.kv("k", 6), 6), at(mr.kv("k", 11), 11)]),
      );
      const sums = events.apply("Sliding", mr.windowInto(mr.windows.sliding(10, 5))).apply("Sum", mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(sums, "DescribeSums"))
        .containsInAnyOrder([
          pane("k", 3, [-5, 5], 4, "ON_TIME", 0, 0, "FL"),
          pane("k", 9, [0, 10], 9, "ON_TIME", 0, 0, "FL"),
          pane("k", 17, [5, 15], 14, "ON_TIME", 0, 0, "FL"),
          pane("k", 11, [10, 20], 19, "ON_TIME", 0, 0, "FL"),
        ]);
      const odd = p.apply("Odd", mr.createTimestamped([at(mr.kv("k", 1), 0), at(mr.kv("k", 10), 5)]));
      const oddSums = odd
        .apply("SlidingOffset", mr.windowInto(mr.windows.sliding(6, 4, 1)))
        .apply("OddSum", mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(
          oddSums.map((e, ctx) => ({
            sum: e.value,
            window: [(ctx.window as mr.IntervalWindow).start, (ctx.window as mr.IntervalWindow).end],
          })),
        )
        .containsInAnyOrder([
          { sum: 1, window: [-3, 3] },
          { sum: 10, window: [1, 7] },
          { sum: 10, window: [5, 11] },
        ]);
    }),
    assertions: 2,
  },
  {
    // Beam programming guide, sliding time windows; Count.perElement counts per window.
    definition: mr.definePipeline("windowing: sliding windows + countPerElement", (p) => {
      const words = p.apply(mr.createTimestamped([at("x", 7), at("x", 12), at("y", 3)]));
      const counts = words.apply(mr.windowInto(mr.windows.sliding(10, 5))).apply(mr.countPerElement());
      mr.testing
        .assertThat(describePanes(counts))
        .containsInAnyOrder([
          pane("x", 1, [0, 10], 9, "ON_TIME", 0, 0, "FL"),
          pane("x", 2, [5, 15], 14, "ON_TIME", 0, 0, "FL"),
          pane("x", 1, [10, 20], 19, "ON_TIME", 0, 0, "FL"),
          pane("y", 1, [-5, 5], 4, "ON_TIME", 0, 0, "FL"),
          pane("y", 1, [0, 10], 9, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
  {
    // Beam: Window.into(new GlobalWindows()) re-windows; a GBK in the global window (bounded input, default
    // trigger) emits once, with timestamp GlobalWindow.maxTimestamp() (END_OF_WINDOW).
    definition: mr.definePipeline("windowing: per-window sums re-windowed into the global window", (p) => {
      const events = p.apply(
        mr.createTimestamped([at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 12), at(mr.kv("k", 3), 15), at(mr.kv("j", 7), 30)]),
      );
      const perWindow = events.apply("Fixed", mr.windowInto(mr.windows.fixed(10))).apply("PerWindow", mr.combinePerKey(mr.combiners.sum()));
      mr.testing.assertThat(perWindow.map((e, ctx) => [e.key, e.value, ctx.timestamp])).containsInAnyOrder([
        ["k", 1, 9],
        ["k", 5, 19],
        ["j", 7, 39],
      ]);
      const total = perWindow.apply("Global", mr.windowInto(mr.windows.global())).apply("Total", mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(total))
        .containsInAnyOrder([pane("k", 6, "global", GMAX, "ON_TIME", 0, 0, "FL"), pane("j", 7, "global", GMAX, "ON_TIME", 0, 0, "FL")]);
    }),
    assertions: 2,
  },
  {
    // Beam programming guide, "Side inputs and windowing": a windowed main input reads the side input's
    // window chosen by the side input's WindowFn default mapping — for FixedWindows, the side window holding
    // the main window's max timestamp (FixedWindows.getDefaultWindowMappingFn; ReduceFnRunnerTest
    // .testOnElementCombiningWithContext maps main [0,2) and [2,4) to side [0,4)).
    definition: mr.definePipeline("windowing: a windowed main input reads the matching window of a windowed side input", (p) => {
      const side = p
        .apply("Side", mr.createTimestamped([at(100, 0), at(200, 10)]))
        .apply("SideWindows", mr.windowInto(mr.windows.fixed(10)));
      const main = p
        .apply("Main", mr.createTimestamped([at(3, 3), at(7, 7), at(12, 12)]))
        .apply("MainWindows", mr.windowInto(mr.windows.fixed(5)));
      mr.testing
        .assertThat(
          main.apply(
            "ReadSingleton",
            mr.map((x: number, ctx) => [x, ctx.sideInput("s")], { sideInputs: { s: mr.views.singleton(side) } }),
          ),
        )
        .containsInAnyOrder([
          [3, 100],
          [7, 100],
          [12, 200],
        ]);
      // Same window fn on both sides: each main window sees exactly its own side window (empty when none).
      const tags = p
        .apply("Tags", mr.createTimestamped([at("t2", 2), at("t5", 5), at("t12", 12)]))
        .apply("TagWindows", mr.windowInto(mr.windows.fixed(10)));
      const items = p
        .apply("Items", mr.createTimestamped([at(1, 1), at(15, 15), at(25, 25)]))
        .apply("ItemWindows", mr.windowInto(mr.windows.fixed(10)));
      mr.testing
        .assertThat(
          items.apply(
            "ReadIterable",
            mr.map((x: number, ctx) => [x, [...ctx.sideInput("tags")].sort()], { sideInputs: { tags: mr.views.iterable(tags) } }),
          ),
        )
        .containsInAnyOrder([
          [1, ["t2", "t5"]],
          [15, ["t12"]],
          [25, []],
        ]);
    }),
    assertions: 2,
  },
  {
    // Beam: a side input in the global window is read from any main-input window
    // (GlobalWindows' default window mapping maps every window to the global window).
    definition: mr.definePipeline("windowing: a windowed main input reads a global side input", (p) => {
      const factor = p.apply("Factor", mr.create([7]));
      const main = p
        .apply("Main", mr.createTimestamped([at(1, 1), at(2, 15), at(3, 1_000_000)]))
        .apply(mr.windowInto(mr.windows.fixed(10)));
      mr.testing
        .assertThat(
          main.map((x, ctx) => [x * ctx.sideInput("f"), (ctx.window as mr.IntervalWindow).start], {
            sideInputs: { f: mr.views.singleton(factor) },
          }),
        )
        .containsInAnyOrder([
          [7, 0],
          [14, 10],
          [21, 1_000_000],
        ]);
    }),
    assertions: 1,
  },
  {
    // Beam PAssert: inWindow / inOnTimePane / inFinalPane narrow an assertion to one window's panes
    // (PAssertTest; TestStreamTest uses them). On bounded input the one pane is both on time and final.
    definition: mr.definePipeline("windowing: assertThat inWindow, inOnTimePane, inFinalPane on bounded input", (p) => {
      const events = p.apply(mr.createTimestamped([at(mr.kv("a", 1), 1), at(mr.kv("a", 2), 2), at(mr.kv("a", 3), 13)]));
      const values = events
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(mr.groupByKey())
        .apply(
          "Flatten",
          mr.flatMap((e: mr.KV<string, number[]>) => e.value),
        );
      mr.testing.assertThat(values).inWindow({ start: 0, end: 10 }).containsInAnyOrder([1, 2]);
      mr.testing.assertThat(values).inWindow({ start: 10, end: 20 }).containsInAnyOrder([3]);
      mr.testing.assertThat(values).inWindow({ start: 20, end: 30 }).isEmpty();
      mr.testing.assertThat(values).inOnTimePane({ start: 0, end: 10 }).containsInAnyOrder([1, 2]);
      mr.testing.assertThat(values).inFinalPane({ start: 10, end: 20 }).containsInAnyOrder([3]);
      mr.testing.assertThat(values).containsInAnyOrder([1, 2, 3]);
    }),
    assertions: 6,
  },
  {
    // Beam GenerateSequence.from(0).to(10) (CountingSource): a bounded source of 0..9.
    definition: mr.definePipeline("windowing: generateSequence({ from, to }) is a bounded source", (p) => {
      const nums = p.apply(mr.generateSequence({ from: 0, to: 10 }));
      mr.testing.assertThat(nums).containsInAnyOrder(range(10));
      // Bounded, so a GroupByKey in the global window with the default trigger is fine.
      mr.testing
        .assertThat(sortGroups(nums.apply(mr.withKeys((x: number) => x % 2)).apply(mr.groupByKey())))
        .containsInAnyOrder([mr.kv(0, [0, 2, 4, 6, 8]), mr.kv(1, [1, 3, 5, 7, 9])]);
      mr.testing.assertThat(nums.apply("Sum", mr.combineGlobally(mr.combiners.sum()))).equals(45);
      mr.testing.assertThat(p.apply("Empty", mr.generateSequence({ from: 5, to: 5 }))).isEmpty();
    }),
    assertions: 4,
  },
];

// Construction-time checks: they throw while building, so they are plain tests, not pipeline cases.
// (Guarded: workers load this module outside mocha.)
if (typeof describe === "function") {
  describe("conformance: event time (construction time)", () => {
    const refused = /unbounded[\s\S]*global window[\s\S]*default trigger/i;

    it("a GroupByKey of an unbounded TestStream in the global window with the default trigger is refused, with a clear message", () => {
      // Beam: GroupByKey.validate — "GroupByKey cannot be applied to non-bounded PCollection in the GlobalWindow
      // without a trigger. Use a Window.into or Window.triggering transform prior to GroupByKey."
      const p = mr.Pipeline.create(["--runner=direct"]);
      const s = p.apply(mr.testing.testStream<mr.KV<string, number>>().addElements(mr.kv("a", 1)).advanceWatermarkToInfinity());
      expect(() => s.apply("Group", mr.groupByKey())).to.throw(refused);
      expect(() => s.apply("Sum", mr.combinePerKey(mr.combiners.sum()))).to.throw(refused);
      const seq = p.apply(mr.generateSequence({ from: 0 })).apply(mr.withKeys((x: number) => x % 2));
      expect(() => seq.apply("GroupSeq", mr.groupByKey())).to.throw(refused);
    });

    it("the same unbounded input is accepted once windowed, or with a trigger in the global window", () => {
      const p = mr.Pipeline.create(["--runner=direct"]);
      const s = p.apply(mr.testing.testStream<mr.KV<string, number>>().addElements(mr.kv("a", 1)).advanceWatermarkToInfinity());
      expect(() => s.apply("Fixed", mr.windowInto(mr.windows.fixed(1000))).apply("GroupFixed", mr.groupByKey())).to.not.throw();
      expect(() =>
        s
          .apply("Triggered", mr.windowInto(mr.windows.global(), { trigger: mr.triggers.repeatedly(mr.triggers.afterCount(1)) }))
          .apply("GroupTriggered", mr.groupByKey()),
      ).to.not.throw();
    });
  });
}
