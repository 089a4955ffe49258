/**
 * Session windows: per-key merging of overlapping proto-windows, separation
 * beyond the gap, merging across TestStream batches and late merging.
 *
 * Beam semantics: Sessions.withGapDuration(g) assigns [ts, ts + g) and merges
 * windows that overlap (MergeOverlappingIntervalWindows, with
 * IntervalWindow.intersects = !isDisjoint, where [a, b) and [b, c) are
 * disjoint: touching windows do not merge); merging is per key. A merged
 * window starts with fresh pane info ("The merge result window gets to start
 * fresh if it is new": ReduceFnRunner.onMerge clears the pane info of merged
 * away windows), and its trigger state is merged (AfterPane sums the counts of
 * the merged windows: AfterPaneStateMachine.onMerge). ReduceFnRunnerTest
 * .testMergeBeforeFinalizing: elements at 1 and 10 with gap 10 give one pane
 * for [1, 20).
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { at, describePanes, pane } from "./event_time_helpers";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("sessions: overlapping sessions of a key merge; keys and gaps keep them apart (GBK)", (p) => {
      const events = p.apply(
        mr.createTimestamped([
          at(mr.kv("a", 1), 1),
          at(mr.kv("a", 5), 5), // [5, 15) overlaps [1, 11): one session [1, 15)
          at(mr.kv("a", 20), 20), // starts after 15: its own session
          at(mr.kv("b", 3), 3), // another key: never merges with a's
          at(mr.kv("b", 30), 30),
          at(mr.kv("c", 1), 1),
          at(mr.kv("c", 11), 11), // [1, 11) and [11, 21) only touch: two sessions
        ]),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.sessions(10))).apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("a", [1, 5], [1, 15], 14, "ON_TIME", 0, 0, "FL"),
          pane("a", [20], [20, 30], 29, "ON_TIME", 0, 0, "FL"),
          pane("b", [3], [3, 13], 12, "ON_TIME", 0, 0, "FL"),
          pane("b", [30], [30, 40], 39, "ON_TIME", 0, 0, "FL"),
          pane("c", [1], [1, 11], 10, "ON_TIME", 0, 0, "FL"),
          pane("c", [11], [11, 21], 20, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
  {
    // A chain: each element overlaps only its neighbour, yet all end in one session.
    definition: mr.definePipeline("sessions: combinePerKey(sum) over a chain of overlapping sessions", (p) => {
      const events = p.apply(
        mr.createTimestamped([
          at(mr.kv("k", 1), 0),
          at(mr.kv("k", 2), 8),
          at(mr.kv("k", 4), 16),
          at(mr.kv("k", 8), 24),
          at(mr.kv("k", 16), 40),
        ]),
      );
      const sums = events.apply(mr.windowInto(mr.windows.sessions(10))).apply(mr.combinePerKey(mr.combiners.sum()));
      mr.testing
        .assertThat(describePanes(sums))
        .containsInAnyOrder([pane("k", 15, [0, 34], 33, "ON_TIME", 0, 0, "FL"), pane("k", 16, [40, 50], 49, "ON_TIME", 0, 0, "FL")]);
    }),
    assertions: 1,
  },
  {
    // Elements of one session arriving in separate TestStream batches (bundles) still merge; a later element
    // bridging two sessions merges all three.
    definition: mr.definePipeline("sessions: sessions merge across TestStream batches", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<mr.KV<string, number>>()
          .addElements(at(mr.kv("a", 1), 1))
          .addElements(at(mr.kv("a", 15), 15))
          .addElements(at(mr.kv("b", 40), 40))
          .addElements(at(mr.kv("a", 8), 8)) // [8, 18) bridges [1, 11) and [15, 25)
          .advanceWatermarkTo(5)
          .addElements(at(mr.kv("b", 45), 45))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events.apply(mr.windowInto(mr.windows.sessions(10))).apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("a", [1, 8, 15], [1, 25], 24, "ON_TIME", 0, 0, "FL"),
          pane("b", [40, 45], [40, 55], 54, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
  {
    // Two sessions fire on time; then an element that is late (the watermark is past both) but within the
    // allowed lateness bridges them. The merged window [1, 25) is new: its first pane is index 0, isFirst, and
    // LATE (its end is behind the watermark: PaneInfoTracker.describePane). Accumulating: the merged pane
    // holds the contents of both sessions plus the bridge. At expiry nothing new: no final pane
    // (closing behavior emitIfNonEmpty).
    definition: mr.definePipeline("sessions: a late element within the allowed lateness bridges two sessions (late merge)", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<mr.KV<string, number>>()
          .addElements(at(mr.kv("a", 1), 1))
          .addElements(at(mr.kv("a", 15), 15))
          .advanceWatermarkTo(50)
          .addElements(at(mr.kv("a", 8), 8))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events
        .apply(mr.windowInto(mr.windows.sessions(10), { allowedLatenessMs: 100, accumulation: "accumulating" }))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("a", [1], [1, 11], 10, "ON_TIME", 0, 0, "F"),
          pane("a", [15], [15, 25], 24, "ON_TIME", 0, 0, "F"),
          pane("a", [1, 8, 15], [1, 25], 24, "LATE", 0, 0, "F"),
        ]);
    }),
    assertions: 1,
    check: (result) => {
      const dropped = result.metrics().counters.droppedDueToLateness ?? 0;
      if (dropped !== 0) throw new Error(`droppedDueToLateness: expected 0, got ${dropped}`);
    },
  },
  {
    // Early firings on sessions: the element counts of merged windows add up (AfterPaneStateMachine.onMerge),
    // so a, with one element in each of three sessions that merge, reaches afterCount(3) and fires early;
    // b's two separate sessions each hold one element and only fire on time.
    definition: mr.definePipeline("sessions: early afterCount firings count across merged sessions", (p) => {
      const events = p.apply(
        mr.testing
          .testStream<mr.KV<string, number>>()
          .addElements(at(mr.kv("a", 1), 1))
          .addElements(at(mr.kv("a", 15), 15))
          .addElements(at(mr.kv("b", 1), 1))
          .addElements(at(mr.kv("b", 15), 15))
          .addElements(at(mr.kv("a", 8), 8))
          .advanceWatermarkToInfinity(),
      );
      const grouped = events
        .apply(
          mr.windowInto(mr.windows.sessions(10), {
            trigger: mr.triggers.afterWatermark({ early: mr.triggers.afterCount(3) }),
            accumulation: "accumulating",
          }),
        )
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([
          pane("a", [1, 8, 15], [1, 25], 24, "EARLY", 0, 0, "F"),
          pane("a", [1, 8, 15], [1, 25], 24, "ON_TIME", 1, 0, "L"),
          pane("b", [1], [1, 11], 10, "ON_TIME", 0, 0, "FL"),
          pane("b", [15], [15, 25], 24, "ON_TIME", 0, 0, "FL"),
        ]);
    }),
    assertions: 1,
  },
];
