/**
 * Timers: event-time timers (fire when the input watermark passes them),
 * processing-time timers driven by TestStream processing time, output
 * timestamps (default and explicit), watermark holds, looping timers,
 * groupIntoBatches (built on state and timers), and the failure of a timer
 * set past its window's expiry.
 *
 * Beam sources: the programming guide, "State and Timers" (event-time and
 * processing-time timers; "timer output timestamps"; timers hold the output
 * watermark), the blog post "Timely (and stateful) processing with Apache
 * Beam" (buffer + flush at window end, processing-time timeouts), ParDoTest
 * .TimerTests (testEventTimeTimerBounded, testEventTimeTimerAlignBounded,
 * testProcessingTimeTimerTestStream-like cases, testOutputTimestamp /
 * testOutputTimestampDefault, testEventTimeTimerSetWithinAllowedLateness /
 * testOutOfBoundsEventTimeTimer: "Attempted to set event time timer ... after
 * the expiration of window", testLoopingTimer / the "looping timer" pattern),
 * SimpleDoFnRunner.TimerInternalsTimer (an event-time timer's output
 * timestamp defaults to its firing time, a processing-time timer's to the
 * timestamp of the element that set it), InMemoryTimerInternals (an
 * event-time timer fires once the watermark is strictly after it) and
 * GroupIntoBatchesTest (testInGlobalWindowBatchSizeCount,
 * testWithShardedKeyInGlobalWindow-like flush at window end,
 * testBufferingTimerInFixedWindow / maxBufferingDuration).
 *
 * The cases never advance processing time to exactly a timer's time.
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { compareValues } from "./helpers";
import { at, counter, describePanes, DROPPED_DUE_TO_LATENESS, expectCount, maxTs, pane, win, type Win } from "./event_time_helpers";

type KVS = mr.KV<string, string>;
type KVN = mr.KV<string, number>;

/** An output with where and when it was emitted. */
interface Placed {
  readonly value: unknown;
  readonly window: Win;
  readonly ts: number;
}

/** Maps each element to its value, window and timestamp. */
function placed<T>(pc: mr.PCollection<T>, name = "Placed"): mr.PCollection<Placed> {
  return pc.apply(
    name,
    mr.map(function place(v: T, ctx: mr.TransformContext): Placed {
      return { value: v, window: win(ctx.window), ts: ctx.timestamp };
    }),
  );
}

function placedAt(value: unknown, window: Win, ts: number): Placed {
  return { value, window, ts };
}

/**
 * A session-like timeout: each element of a key adds its value to the key's
 * activity and (re)sets a timer 5 s ahead (in processing time, or past the
 * element's timestamp in event time); when it fires, the activity is emitted
 * sorted and cleared.
 */
function timeoutAfterActivity(domain: "processingTime" | "eventTime") {
  return mr.parDo({
    state: { activity: mr.state.bag<string>() },
    timers: { timeout: domain === "processingTime" ? mr.timers.processingTime() : mr.timers.eventTime() },
    process(kv: KVS, ctx) {
      ctx.state.activity.add(kv.value);
      if (domain === "processingTime") ctx.timers.timeout.offset(5_000);
      else ctx.timers.timeout.set(ctx.timestamp + 5_000);
    },
    onTimer: {
      timeout(ctx) {
        ctx.output(mr.kv(ctx.key as string, (ctx.state.activity.read() as string[]).sort()));
        ctx.state.activity.clear();
      },
    },
  });
}

export const cases: ConformanceCase[] = [
  {
    // The "Timely processing" blog's buffer-and-flush (and ParDoTest.testEventTimeTimerBounded): values are
    // buffered in a bag; an event-time timer at the window's max timestamp flushes them. The flush fires
    // once the watermark passes the end of the window; its output is in that window with the timer's
    // timestamp (end - 1, the default output timestamp of an event-time timer).
    definition: mr.definePipeline("timers: buffer flushed by an event-time timer at the end of each fixed window", (p) => {
      const flushed = p
        .apply(
          mr.createTimestamped([
            at(mr.kv("a", 1), 1),
            at(mr.kv("a", 7), 7),
            at(mr.kv("b", 3), 3),
            at(mr.kv("a", 10), 10),
            at(mr.kv("a", 19), 19),
            at(mr.kv("b", 25), 25),
          ]),
        )
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(
          mr.parDo({
            state: { buffer: mr.state.bag<number>() },
            timers: { flush: mr.timers.eventTime() },
            process(kv: KVN, ctx) {
              ctx.state.buffer.add(kv.value);
              ctx.timers.flush.set(maxTs(ctx.window));
            },
            onTimer: {
              flush(ctx) {
                ctx.output(mr.kv(ctx.key as string, (ctx.state.buffer.read() as number[]).sort(compareValues)));
                ctx.state.buffer.clear();
              },
            },
          }),
        );
      mr.testing
        .assertThat(placed(flushed))
        .containsInAnyOrder([
          placedAt(mr.kv("a", [1, 7]), [0, 10], 9),
          placedAt(mr.kv("b", [3]), [0, 10], 9),
          placedAt(mr.kv("a", [10, 19]), [10, 20], 19),
          placedAt(mr.kv("b", [25]), [20, 30], 29),
        ]);
    }),
    assertions: 1,
  },
  {
    // A session-like timeout (the "Timely processing" blog's processing-time timer; ParDoTest processing-time
    // timers with TestStream): each element of a user (re)sets a processing-time timer 5 s ahead; when it
    // fires, the buffered activity is emitted. TestStream processing time starts at 0. The output timestamp
    // of a processing-time timer defaults to the timestamp of the element that last set it.
    definition: mr.definePipeline("timers: session-like timeout with a processing-time timer (TestStream processing time)", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("u1", "login"), 100), at(mr.kv("u2", "login"), 150)) // pt 0: timers at 5000
        .advanceProcessingTime(3_000)
        .addElements(at(mr.kv("u1", "click"), 3_100)) // pt 3000: u1's timer moves to 8000
        .advanceProcessingTime(3_000) // pt 6000: u2 times out
        .advanceProcessingTime(3_000) // pt 9000: u1 times out
        .addElements(at(mr.kv("u1", "back"), 9_100)) // pt 9000: timer at 14000
        .advanceProcessingTime(6_000) // pt 15000: u1 times out again
        .advanceWatermarkToInfinity();
      const sessions = p.apply(stream).apply(timeoutAfterActivity("processingTime"));
      mr.testing
        .assertThat(placed(sessions))
        .containsInAnyOrder([
          placedAt(mr.kv("u2", ["login"]), "global", 150),
          placedAt(mr.kv("u1", ["click", "login"]), "global", 3_100),
          placedAt(mr.kv("u1", ["back"]), "global", 9_100),
        ]);
    }),
    assertions: 1,
  },
  {
    // The event-time twin of the session-like timeout, reading the TestStream directly: a stateful DoFn keyed
    // by the TestStream's own KV elements (their key coded with millrace's coder), so an engine must take the
    // key out of the bytes the TestStream carries. Each element (re)sets an event-time timer 5 s ahead;
    // when the watermark passes it, the buffered activity is emitted at the timer's time.
    definition: mr.definePipeline("timers: event-time timeout keyed by a TestStream's KV elements", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("u1", "login"), 100), at(mr.kv("u2", "login"), 150))
        .advanceWatermarkTo(3_000)
        .addElements(at(mr.kv("u1", "click"), 3_100))
        .advanceWatermarkTo(9_000) // u2's timer (5150) and u1's (8100) fire
        .addElements(at(mr.kv("u1", "back"), 9_100))
        .advanceWatermarkToInfinity();
      const sessions = p.apply(stream).apply(timeoutAfterActivity("eventTime"));
      mr.testing
        .assertThat(placed(sessions))
        .containsInAnyOrder([
          placedAt(mr.kv("u2", ["login"]), "global", 5_150),
          placedAt(mr.kv("u1", ["click", "login"]), "global", 8_100),
          placedAt(mr.kv("u1", ["back"]), "global", 14_100),
        ]);
    }),
    assertions: 1,
  },
  {
    // A looping timer (Beam's "looping timers" pattern; ParDoTest.testEventTimeTimerLoop-like): the timer
    // sets itself again from onTimer, 10 ms later, until it has fired 3 times. Timers set while firing are
    // fired too once due. Outputs carry each firing's time (default output timestamp).
    definition: mr.definePipeline("timers: a looping event-time timer re-arms itself until a condition", (p) => {
      const ticks = p.apply(mr.createTimestamped([at(mr.kv("a", 0), 0), at(mr.kv("b", 0), 5)])).apply(
        mr.parDo({
          state: { fired: mr.state.value<number>() },
          timers: { loop: mr.timers.eventTime() },
          process(_kv: KVN, ctx) {
            ctx.timers.loop.set(ctx.timestamp + 10);
          },
          onTimer: {
            loop(ctx) {
              const n = (ctx.state.fired.read() ?? 0) + 1;
              ctx.state.fired.write(n);
              ctx.output(mr.kv(ctx.key as string, n));
              if (n < 3) ctx.timers.loop.set(ctx.timestamp + 10);
            },
          },
        }),
      );
      mr.testing
        .assertThat(placed(ticks))
        .containsInAnyOrder([
          placedAt(mr.kv("a", 1), "global", 10),
          placedAt(mr.kv("a", 2), "global", 20),
          placedAt(mr.kv("a", 3), "global", 30),
          placedAt(mr.kv("b", 1), "global", 15),
          placedAt(mr.kv("b", 2), "global", 25),
          placedAt(mr.kv("b", 3), "global", 35),
        ]);
      // Setting a timer again replaces it: only the last time set fires (ParDoTest.testEventTimeTimerMultipleKeys-like reset).
      const reset = p.apply("Reset", mr.createTimestamped([at(mr.kv("k", 0), 0)])).apply(
        "SetThrice",
        mr.parDo({
          timers: { t: mr.timers.eventTime(), cancelled: mr.timers.eventTime() },
          process(_kv: KVN, ctx) {
            ctx.timers.t.set(50);
            ctx.timers.t.set(70);
            ctx.timers.t.set(60);
            ctx.timers.cancelled.set(40);
            ctx.timers.cancelled.clear();
          },
          onTimer: {
            t(ctx) {
              ctx.output(`t fired at ${ctx.timestamp}`);
            },
            cancelled(ctx) {
              ctx.output(`cancelled fired at ${ctx.timestamp}`);
            },
          },
        }),
      );
      mr.testing.assertThat(reset).containsInAnyOrder(["t fired at 60"]);
    }),
    assertions: 2,
  },
  {
    // Timer output timestamps (SimpleDoFnRunner.TimerInternalsTimer; ParDoTest.testOutputTimestamp /
    // testOutputTimestampDefault): an event-time timer's outputs default to its firing time, or to the
    // explicit outputTimestamp (here earlier than the firing time); a processing-time timer's outputs
    // default to the timestamp of the element that set it. All stay in the element's window.
    definition: mr.definePipeline("timers: output timestamps, default and explicit", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .addElements(at(mr.kv("k", 0), 10)) // pt 0
        .advanceProcessingTime(2_000) // the processing-time timers (at 1000) fire
        .advanceWatermarkToInfinity();
      const out = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(100)))
        .apply(
          mr.parDo({
            timers: {
              eventDefault: mr.timers.eventTime(),
              eventExplicit: mr.timers.eventTime(),
              procDefault: mr.timers.processingTime(),
              procExplicit: mr.timers.processingTime(),
            },
            process(_kv: KVN, ctx) {
              ctx.timers.eventDefault.set(50);
              ctx.timers.eventExplicit.set(60, 20);
              ctx.timers.procDefault.offset(1_000);
              ctx.timers.procExplicit.set(1_000, 30);
            },
            onTimer: {
              eventDefault: (ctx) => ctx.output("eventDefault"),
              eventExplicit: (ctx) => ctx.output("eventExplicit"),
              procDefault: (ctx) => ctx.output("procDefault"),
              procExplicit: (ctx) => ctx.output("procExplicit"),
            },
          }),
        );
      mr.testing
        .assertThat(placed(out))
        .containsInAnyOrder([
          placedAt("eventDefault", [0, 100], 50),
          placedAt("eventExplicit", [0, 100], 20),
          placedAt("procDefault", [0, 100], 10),
          placedAt("procExplicit", [0, 100], 30),
        ]);
    }),
    assertions: 1,
  },
  {
    // Timers hold the output watermark (programming guide, "Timer output timestamps"; WatermarkManager holds):
    // a processing-time timer set for the element at 1 holds the stateful DoFn's output watermark at 1, so
    // when the input watermark moves to 50 the downstream GroupByKey's window [0, 10) stays open; the
    // timer's output (timestamp 1) then arrives on time and is in the ON_TIME pane with the element passed
    // through. Lateness 100 keeps the stateful DoFn's window alive until the timer fires. Without the hold
    // the ON_TIME pane would hold only "element" and "timer" would come in a LATE pane. No new data at
    // expiry: no final pane (ReduceFnRunnerTest.noEmptyPanesFinalIfNonEmpty).
    definition: mr.definePipeline("timers: a pending timer holds the watermark; its output is on time downstream", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("k", "element"), 1)) // pt 0: timer at 1000, output timestamp 1
        .advanceWatermarkTo(50)
        .advanceProcessingTime(2_000)
        .advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10), { allowedLatenessMs: 100 }))
        .apply(
          mr.parDo({
            timers: { later: mr.timers.processingTime() },
            process(kv: KVS, ctx) {
              ctx.output(kv);
              ctx.timers.later.offset(1_000);
            },
            onTimer: {
              later(ctx) {
                ctx.output(mr.kv(ctx.key as string, "timer"));
              },
            },
          }),
        )
        .apply(mr.groupByKey());
      mr.testing.assertThat(describePanes(grouped)).containsInAnyOrder([pane("k", ["element", "timer"], [0, 10], 9, "ON_TIME", 0, 0, "F")]);
    }),
    assertions: 1,
  },
  {
    // The same with event time: an event-time timer at 60 whose outputs carry an earlier explicit output
    // timestamp (3) holds the stateful DoFn's output watermark at 3 while the input watermark is at 50.
    // Downstream, re-windowed into fixed(10), the GroupByKey's window [0, 10) must stay open until the timer
    // fires (at watermark 100): its output is then in the ON_TIME pane with the element. Without the hold the
    // pane would fire at 50 without it, and the timer's output (lateness 0) would be dropped as late.
    definition: mr.definePipeline("timers: an event-time timer with an earlier output timestamp holds the watermark", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("k", "element"), 2))
        .advanceWatermarkTo(50) // the timer (at 60) is pending: the output watermark stays at 3
        .advanceWatermarkTo(100) // the timer fires
        .advanceWatermarkToInfinity();
      const grouped = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(100)))
        .apply(
          mr.parDo({
            timers: { later: mr.timers.eventTime() },
            process(kv: KVS, ctx) {
              ctx.output(kv);
              ctx.timers.later.set(60, 3);
            },
            onTimer: {
              later(ctx) {
                ctx.output(mr.kv(ctx.key as string, `timer@${ctx.timestamp}`));
              },
            },
          }),
        )
        .apply("Rewindow", mr.windowInto(mr.windows.fixed(10)))
        .apply(mr.groupByKey());
      mr.testing
        .assertThat(describePanes(grouped))
        .containsInAnyOrder([pane("k", ["element", "timer@3"], [0, 10], 9, "ON_TIME", 0, 0, "FL")]);
    }),
    assertions: 1,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 0, DROPPED_DUE_TO_LATENESS),
  },
  {
    // GroupIntoBatches (GroupIntoBatchesTest.testInGlobalWindowBatchSizeCount and the window-end flush): per key
    // and window, full batches of `size` as soon as they fill; the remainder when the window ends, with the
    // window's max timestamp. Which elements share a batch depends on arrival order, so the case checks the
    // batch sizes per key and window, the remainders' timestamps, and that every value is in exactly one batch.
    definition: mr.definePipeline("timers: groupIntoBatches emits full batches and flushes the remainder at the end of the window", (p) => {
      const items: { value: KVN; timestamp: number }[] = [];
      for (let i = 0; i < 5; i++) items.push(at(mr.kv("a", i), i)); // [0, 10): 2 + 2 + 1
      for (let i = 10; i < 12; i++) items.push(at(mr.kv("a", i), i)); // [10, 20): 2
      for (let i = 20; i < 23; i++) items.push(at(mr.kv("b", i), i)); // [20, 30): 2 + 1
      const batches = p
        .apply(mr.createTimestamped(items))
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(mr.groupIntoBatches<string, number>(2));
      const shapes = batches.apply(
        "Shape",
        mr.map(function shape(b: mr.KV<string, number[]>, ctx: mr.TransformContext) {
          const w = win(ctx.window);
          const inWindow = w !== "global" && ctx.timestamp >= w[0] && ctx.timestamp < w[1];
          // A full batch carries the timestamp of its last element; a remainder the window's max timestamp.
          return {
            key: b.key,
            window: w,
            size: b.value.length,
            ts: b.value.length < 2 ? ctx.timestamp : inWindow ? "in window" : ctx.timestamp,
          };
        }),
      );
      mr.testing.assertThat(shapes).containsInAnyOrder([
        { key: "a", window: [0, 10], size: 2, ts: "in window" },
        { key: "a", window: [0, 10], size: 2, ts: "in window" },
        { key: "a", window: [0, 10], size: 1, ts: 9 },
        { key: "a", window: [10, 20], size: 2, ts: "in window" },
        { key: "b", window: [20, 30], size: 2, ts: "in window" },
        { key: "b", window: [20, 30], size: 1, ts: 29 },
      ]);
      const values = batches.apply(
        "Values",
        mr.flatMap((b: mr.KV<string, number[]>) => b.value.map((v) => mr.kv(b.key, v))),
      );
      mr.testing.assertThat(values).containsInAnyOrder(items.map((i) => i.value));
    }),
    assertions: 2,
  },
  {
    // GroupIntoBatches with maxBufferingDuration (GroupIntoBatchesTest.testBufferingTimerInFixedWindow-like):
    // a partial batch is emitted once its first element has waited maxBufferingMs of processing time; what
    // is left at the end of the window is flushed then. Batches of up to 10; processing time from TestStream.
    definition: mr.definePipeline("timers: groupIntoBatches with maxBufferingMs flushes partial batches on processing time", (p) => {
      const stream = mr.testing
        .testStream<KVN>()
        .addElements(at(mr.kv("k", 1), 1), at(mr.kv("k", 2), 2)) // pt 0: buffering timer at 1000
        .advanceProcessingTime(1_500) // flush [1, 2]
        .addElements(at(mr.kv("k", 3), 3)) // pt 1500: timer at 2500
        .advanceProcessingTime(500) // pt 2000: nothing due
        .addElements(at(mr.kv("k", 4), 4))
        .advanceProcessingTime(600) // pt 2600: flush [3, 4]
        .addElements(at(mr.kv("k", 5), 5), at(mr.kv("j", 6), 6)) // pt 2600: timers at 3600
        .advanceWatermarkTo(100) // the end of [0, 100): flush [5] and [6]
        .advanceProcessingTime(5_000) // nothing left to flush
        .advanceWatermarkToInfinity();
      const batches = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(100)))
        .apply(mr.groupIntoBatches<string, number>(10, { maxBufferingMs: 1_000 }));
      const sorted = batches.apply(
        "Sort",
        mr.map((b: mr.KV<string, number[]>) => mr.kv(b.key, [...b.value].sort(compareValues))),
      );
      mr.testing.assertThat(placed(sorted)).satisfies((outs) => {
        const got = outs.map((o) => JSON.stringify([o.value, o.window])).sort();
        const want = [
          [mr.kv("k", [1, 2]), [0, 100]],
          [mr.kv("k", [3, 4]), [0, 100]],
          [mr.kv("k", [5]), [0, 100]],
          [mr.kv("j", [6]), [0, 100]],
        ]
          .map((x) => JSON.stringify(x))
          .sort();
        if (JSON.stringify(got) !== JSON.stringify(want))
          throw new Error(`batches: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        // The window-end flushes carry the window's max timestamp.
        for (const o of outs) {
          const b = o.value as mr.KV<string, number[]>;
          if (b.value.length === 1 && o.ts !== 99)
            throw new Error(`the window-end batch ${JSON.stringify(b)} has timestamp ${o.ts}, expected 99`);
        }
      });
    }),
    assertions: 1,
  },
  {
    // ParDoTest.testOutOfBoundsEventTimeTimer (Beam: "Attempted to set event time timer for ... but that is
    // after the expiration of window ..."): an event-time timer past the window's max timestamp + allowed
    // lateness can never fire in its window, so setting it fails the run with a message that says so.
    definition: mr.definePipeline("timers: an event-time timer set after the window expiry fails the run", (p) => {
      p.apply(mr.createTimestamped([at(mr.kv("k", 1), 1)]))
        .apply(mr.windowInto(mr.windows.fixed(10), { allowedLatenessMs: 5 }))
        .apply(
          "TooLate",
          mr.parDo({
            timers: { t: mr.timers.eventTime() },
            process(_kv: KVN, ctx) {
              ctx.timers.t.set(14); // within max timestamp 9 + lateness 5: allowed
              ctx.timers.t.set(15); // after the expiry (14): refused
            },
            onTimer: { t() {} },
          }),
        );
    }),
    assertions: 0,
    expectFailure: /TooLate[\s\S]*event-time timer 't'[\s\S]*15[\s\S]*expir/,
  },
];
