/**
 * Event timestamps: createTimestamped, withTimestamps (and its allowed skew),
 * outputWithTimestamp, and the timestamp combiners of grouped outputs.
 *
 * Beam semantics: Create.of gives elements BoundedWindow.TIMESTAMP_MIN_VALUE;
 * Create.timestamped / WithTimestamps set event time; a DoFn may not output
 * with a timestamp earlier than its input's minus getAllowedTimestampSkew()
 * (DoFnRunner's checkTimestamp: "Cannot output with timestamp ... Output
 * timestamps must be no earlier than the timestamp of the current input
 * minus the allowed skew"; WithTimestampsTest.withTimestampsBackwardsInTime
 * ShouldThrow / withTimestampsBackwardsInTimeAndWithAllowedTimestampSkew
 * ShouldSucceed). Outputting with a timestamp does not re-window: windows are
 * assigned by the next Window.into (programming guide, "Adding timestamps to
 * a PCollection's elements"). TimestampCombiner: END_OF_WINDOW gives the
 * window's max timestamp, EARLIEST / LATEST the min / max of the pane's input
 * timestamps (TimestampCombiner javadoc; ReduceFnRunnerTest uses EARLIEST).
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { at, describePanes, pane } from "./event_time_helpers";

function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

const KEYED = [at(mr.kv("k", 2), 2), at(mr.kv("k", 5), 5), at(mr.kv("k", 7), 7), at(mr.kv("k", 12), 12)];

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("timestamps: createTimestamped sets event time; create gives the minimum timestamp", (p) => {
      const stamped = p.apply(mr.createTimestamped([at("a", 5), at("b", -3), at("c", 1_700_000_000_000)]));
      mr.testing.assertThat(stamped.map((v, ctx) => [v, ctx.timestamp])).containsInAnyOrder([
        ["a", 5],
        ["b", -3],
        ["c", 1_700_000_000_000],
      ]);
      const plain = p.apply("Plain", mr.create(["x"]));
      mr.testing
        .assertThat(
          plain.apply(
            "PlainTimestamps",
            mr.map((v: string, ctx) => [v, ctx.timestamp, mr.isGlobalWindow(ctx.window)]),
          ),
        )
        .containsInAnyOrder([["x", mr.MIN_TIMESTAMP, true]]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("timestamps: withTimestamps then fixed windows", (p) => {
      const events = p.apply(
        mr.create([
          { id: "a", at: 3 },
          { id: "b", at: 10 },
          { id: "c", at: 27 },
        ]),
      );
      const windowed = events.apply(mr.withTimestamps((e: { id: string; at: number }) => e.at)).apply(mr.windowInto(mr.windows.fixed(10)));
      mr.testing.assertThat(windowed.map((e, ctx) => [e.id, ctx.timestamp, (ctx.window as mr.IntervalWindow).start])).containsInAnyOrder([
        ["a", 3, 0],
        ["b", 10, 10],
        ["c", 27, 20],
      ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline(
      "timestamps: outputWithTimestamp moves forward; the next windowInto assigns by the new timestamp",
      (p) => {
        const events = p.apply(mr.createTimestamped([at(1, 3), at(2, 8)]));
        const shifted = events.apply(
          "Later",
          mr.parDo<number, number>({
            process(x: number, ctx: mr.ProcessContext<number>) {
              ctx.outputWithTimestamp(x, ctx.timestamp + 15);
            },
          }),
        );
        // Still in the input's (global) window until re-windowed.
        mr.testing
          .assertThat(
            shifted.apply(
              "Before",
              mr.map((x: number, ctx) => [x, ctx.timestamp, mr.isGlobalWindow(ctx.window)]),
            ),
          )
          .containsInAnyOrder([
            [1, 18, true],
            [2, 23, true],
          ]);
        const windowed = shifted.apply(mr.windowInto(mr.windows.fixed(10)));
        mr.testing
          .assertThat(
            windowed.apply(
              "After",
              mr.map((x: number, ctx) => [x, ctx.timestamp, (ctx.window as mr.IntervalWindow).start]),
            ),
          )
          .containsInAnyOrder([
            [1, 18, 10],
            [2, 23, 20],
          ]);
      },
    ),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("timestamps: withTimestamps moving a timestamp backwards fails", (p) => {
      p.apply(mr.createTimestamped([at(1, 100)])).apply(
        "Backwards",
        mr.withTimestamps(() => 50),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(/Backwards/.test(err.message), "the message should name the transform");
      must(/50/.test(err.message) && /100/.test(err.message), "the message should give both timestamps");
      must(/earlier|backwards|skew/i.test(err.message), "the message should say the timestamp moved backwards");
    },
  },
  {
    definition: mr.definePipeline("timestamps: outputWithTimestamp backwards in a DoFn fails", (p) => {
      p.apply(mr.createTimestamped([at("x", 1_000)])).apply(
        "EmitsEarlier",
        mr.parDo<string, string>({
          process(x: string, ctx: mr.ProcessContext<string>) {
            ctx.outputWithTimestamp(x, ctx.timestamp - 1);
          },
        }),
      );
    }),
    assertions: 0,
    expectFailure: /EmitsEarlier[\s\S]*(earlier|backwards)/i,
  },
  {
    definition: mr.definePipeline("timestamps: withTimestamps may move backwards within allowedSkewMs", (p) => {
      const events = p.apply(mr.createTimestamped([at(1, 100), at(2, 200)]));
      const moved = events.apply(mr.withTimestamps((x: number) => (x === 1 ? 95 : 190), { allowedSkewMs: 10 }));
      mr.testing.assertThat(moved.map((x, ctx) => [x, ctx.timestamp])).containsInAnyOrder([
        [1, 95],
        [2, 190],
      ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("timestamps: withTimestamps beyond allowedSkewMs fails", (p) => {
      p.apply(mr.createTimestamped([at(1, 100)])).apply(
        "TooFarBack",
        mr.withTimestamps(() => 80, { allowedSkewMs: 10 }),
      );
    }),
    assertions: 0,
    expectFailure: /TooFarBack[\s\S]*(earlier|backwards|skew)/i,
  },
  {
    definition: mr.definePipeline("timestamps: timestamp combiners on GroupByKey outputs (endOfWindow, earliest, latest)", (p) => {
      const events = p.apply(mr.createTimestamped(KEYED));
      for (const [name, combiner, first, second] of [
        ["EndOfWindow", "endOfWindow", 9, 19],
        ["Earliest", "earliest", 2, 12],
        ["Latest", "latest", 7, 12],
      ] as const) {
        const grouped = events
          .apply(`Window${name}`, mr.windowInto(mr.windows.fixed(10), { timestampCombiner: combiner }))
          .apply(`Group${name}`, mr.groupByKey());
        mr.testing
          .assertThat(describePanes(grouped, `Describe${name}`))
          .containsInAnyOrder([
            pane("k", [2, 5, 7], [0, 10], first, "ON_TIME", 0, 0, "FL"),
            pane("k", [12], [10, 20], second, "ON_TIME", 0, 0, "FL"),
          ]);
      }
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("timestamps: timestamp combiners on combinePerKey outputs (endOfWindow, earliest, latest)", (p) => {
      const events = p.apply(mr.createTimestamped(KEYED));
      for (const [name, combiner, first, second] of [
        ["EndOfWindow", "endOfWindow", 9, 19],
        ["Earliest", "earliest", 2, 12],
        ["Latest", "latest", 7, 12],
      ] as const) {
        const sums = events
          .apply(`Window${name}`, mr.windowInto(mr.windows.fixed(10), { timestampCombiner: combiner }))
          .apply(`Sum${name}`, mr.combinePerKey(mr.combiners.sum()));
        mr.testing
          .assertThat(describePanes(sums, `Describe${name}`))
          .containsInAnyOrder([
            pane("k", 14, [0, 10], first, "ON_TIME", 0, 0, "FL"),
            pane("k", 12, [10, 20], second, "ON_TIME", 0, 0, "FL"),
          ]);
      }
    }),
    assertions: 3,
  },
];
