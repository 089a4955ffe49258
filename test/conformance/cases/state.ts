/**
 * State: per key and window cells of a stateful DoFn (value, bag, combining,
 * map, set, orderedList), their lifetime (garbage collection at window
 * expiry, late elements dropped and counted) and the one-at-a-time
 * guarantee per key. Also (construction time, outside the pipeline cases)
 * the refusal of a stateful DoFn on an input with an explicit non-KV coder.
 *
 * Beam sources: the programming guide, "State and Timers" (state is per key
 * and window; a stateful DoFn needs keyed input), the blog posts "Stateful
 * processing with Apache Beam" and "Timely (and stateful) processing"
 * (running count, dedup, buffering until a timer), ParDoTest.StateTests
 * (testValueStateSimple, testBagState, testCombiningState, testMapState,
 * testSetState, testOrderedListStateBounded / testOrderedListStateRangeFetch
 * / testOrderedListStateRangeDelete, testValueStateSameId... ) and
 * StatefulDoFnRunner (elements of expired windows are dropped and counted;
 * timers of expired windows do not fire; state is cleared at
 * window.maxTimestamp + allowedLateness, StatefulDoFnRunnerTest.testGarbageCollect).
 *
 * Elements of one key may reach a stateful DoFn in any order (bundles are
 * taken in a seeded random order), so expectations never depend on the order
 * of elements inside one TestStream batch or Create, only on their multiset.
 */
import { expect } from "chai";
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { compareValues } from "./helpers";
import { at, counter, DROPPED_DUE_TO_LATENESS, expectCount, maxTs, win } from "./event_time_helpers";

type KVS = mr.KV<string, string>;
type KVN = mr.KV<string, number>;

/** A CombineFn keeping { count, min, max } of numbers, to check combining state with a user CombineFn. */
interface Stats {
  count: number;
  min: number;
  max: number;
}
const statsFn: mr.CombineFn<number, Stats, Stats> = {
  createAccumulator: () => ({ count: 0, min: Infinity, max: -Infinity }),
  addInput: (a, x) => ({ count: a.count + 1, min: Math.min(a.min, x), max: Math.max(a.max, x) }),
  mergeAccumulators: (accs) => {
    const r = { count: 0, min: Infinity, max: -Infinity };
    for (const a of accs) {
      r.count += a.count;
      r.min = Math.min(r.min, a.min);
      r.max = Math.max(r.max, a.max);
    }
    return r;
  },
  extractOutput: (a) => (a.count === 0 ? { count: 0, min: 0, max: 0 } : { ...a }),
};

export const cases: ConformanceCase[] = [
  {
    // Beam ParDoTest.testValueStateSimple / the "Stateful processing" blog's per-key index: a value state
    // read, incremented and written per element. Each key sees 1..n (in whatever order its elements came).
    definition: mr.definePipeline("state: per-key running count with value state", (p) => {
      const counts = p
        .apply(mr.create<KVS>([mr.kv("a", "x"), mr.kv("b", "x"), mr.kv("a", "y"), mr.kv("c", "x"), mr.kv("a", "z"), mr.kv("b", "y")]))
        .apply(
          mr.parDo({
            state: { count: mr.state.value<number>() },
            process(kv: KVS, ctx) {
              const n = (ctx.state.count.read() ?? 0) + 1;
              ctx.state.count.write(n);
              ctx.output(mr.kv(kv.key, n));
            },
          }),
        );
      mr.testing
        .assertThat(counts)
        .containsInAnyOrder([mr.kv("a", 1), mr.kv("a", 2), mr.kv("a", 3), mr.kv("b", 1), mr.kv("b", 2), mr.kv("c", 1)]);
      // clear() resets to undefined: a count that restarts after every 2 elements.
      const restarting = p
        .apply("Restart", mr.create<KVS>([mr.kv("k", "1"), mr.kv("k", "2"), mr.kv("k", "3"), mr.kv("k", "4"), mr.kv("k", "5")]))
        .apply(
          "Pairs",
          mr.parDo({
            state: { count: mr.state.value<number>() },
            process(kv: KVS, ctx) {
              const n = (ctx.state.count.read() ?? 0) + 1;
              if (n === 2) ctx.state.count.clear();
              else ctx.state.count.write(n);
              ctx.output(mr.kv(kv.key, n));
            },
          }),
        );
      mr.testing.assertThat(restarting).containsInAnyOrder([mr.kv("k", 1), mr.kv("k", 2), mr.kv("k", 1), mr.kv("k", 2), mr.kv("k", 1)]);
    }),
    assertions: 2,
  },
  {
    // Beam ParDoTest.testSetState and the dedup pattern (Deduplicate is built on state): the first occurrence
    // of each id per key is emitted. Members compare by value: { id: 1, src: "x" } and { src: "x", id: 1 }
    // are the same member.
    definition: mr.definePipeline("state: deduplication with set state", (p) => {
      type Ev = { id: number; src: string };
      const events: mr.KV<string, Ev>[] = [
        mr.kv("u1", { id: 1, src: "x" }),
        mr.kv("u1", { src: "x", id: 1 }),
        mr.kv("u1", { id: 2, src: "x" }),
        mr.kv("u2", { id: 1, src: "x" }),
        mr.kv("u1", { id: 1, src: "x" }),
        mr.kv("u2", { id: 1, src: "y" }),
        mr.kv("u2", { src: "y", id: 1 }),
      ];
      const firsts = p.apply(mr.create(events)).apply(
        "Dedup",
        mr.parDo({
          state: { seen: mr.state.set<Ev>() },
          process(kv: mr.KV<string, Ev>, ctx) {
            if (ctx.state.seen.has(kv.value)) return;
            ctx.state.seen.add(kv.value);
            ctx.output(mr.kv(kv.key, `${kv.value.src}${kv.value.id}`));
          },
        }),
      );
      mr.testing.assertThat(firsts).containsInAnyOrder([mr.kv("u1", "x1"), mr.kv("u1", "x2"), mr.kv("u2", "x1"), mr.kv("u2", "y1")]);
      // The set's contents, read at the end of the window: read() / isEmpty() / remove().
      const members = p.apply("Members", mr.create(events)).apply(
        "Collect",
        mr.parDo({
          state: { seen: mr.state.set<Ev>() },
          timers: { end: mr.timers.eventTime() },
          process(kv: mr.KV<string, Ev>, ctx) {
            ctx.state.seen.add(kv.value);
            ctx.timers.end.set(maxTs(ctx.window));
          },
          onTimer: {
            end(ctx) {
              const set = ctx.state.seen;
              const before = (set.read() as Ev[]).map((e) => `${e.src}${e.id}`).sort();
              set.remove({ src: "x", id: 1 });
              const after = (set.read() as Ev[]).map((e) => `${e.src}${e.id}`).sort();
              set.clear();
              ctx.output(mr.kv(ctx.key as string, { before, after, emptyAfterClear: set.isEmpty() }));
            },
          },
        }),
      );
      mr.testing
        .assertThat(members)
        .containsInAnyOrder([
          mr.kv("u1", { before: ["x1", "x2"], after: ["x2"], emptyAfterClear: true }),
          mr.kv("u2", { before: ["x1", "y1"], after: ["y1"], emptyAfterClear: true }),
        ]);
    }),
    assertions: 2,
  },
  {
    // Beam ParDoTest.testOrderedListStateBounded / RangeFetch / RangeDelete: values come back sorted by
    // timestamp whatever the order they were added in; readRange(from, to) is [from, to); clearRange removes
    // [from, to). The events arrive out of order in separate TestStream batches; a timer at the end of the
    // window reads the list.
    definition: mr.definePipeline("state: ordered list state sorts out-of-order events; readRange and clearRange", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("k", "e7"), 7))
        .addElements(at(mr.kv("k", "e2"), 2))
        .addElements(at(mr.kv("k", "e9"), 9), at(mr.kv("j", "j1"), 1))
        .addElements(at(mr.kv("k", "e4"), 4))
        .addElements(at(mr.kv("k", "e0"), 0), at(mr.kv("j", "j3"), 3))
        .advanceWatermarkToInfinity();
      const out = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(
          mr.parDo({
            state: { events: mr.state.orderedList<string>() },
            timers: { flush: mr.timers.eventTime() },
            process(kv: KVS, ctx) {
              ctx.state.events.add({ value: kv.value, timestamp: ctx.timestamp });
              ctx.timers.flush.set(maxTs(ctx.window));
            },
            onTimer: {
              flush(ctx) {
                const list = ctx.state.events;
                const values = (es: mr.TimestampedElement<string>[]) => es.map((e) => `${e.value}@${e.timestamp}`);
                const all = values(list.read());
                const range = values(list.readRange(2, 7)); // 2 included, 7 excluded
                list.clearRange(0, 4);
                const afterClear = values(list.read());
                ctx.output(mr.kv(ctx.key as string, { all, range, afterClear, empty: list.isEmpty() }));
              },
            },
          }),
        );
      mr.testing.assertThat(out).containsInAnyOrder([
        mr.kv("k", {
          all: ["e0@0", "e2@2", "e4@4", "e7@7", "e9@9"],
          range: ["e2@2", "e4@4"],
          afterClear: ["e4@4", "e7@7", "e9@9"],
          empty: false,
        }),
        mr.kv("j", { all: ["j1@1", "j3@3"], range: ["j3@3"], afterClear: [], empty: true }),
      ]);
    }),
    assertions: 1,
  },
  {
    // Beam ParDoTest.testCombiningState: a CombiningState with a user CombineFn accumulates the inputs;
    // read() is extractOutput of the accumulator (of an empty accumulator before any add). Read at the end
    // of each fixed window: per key and window.
    definition: mr.definePipeline("state: combining state with a custom CombineFn", (p) => {
      const out = p
        .apply(
          mr.createTimestamped([
            at(mr.kv("a", 5), 1),
            at(mr.kv("a", -2), 3),
            at(mr.kv("a", 11), 8),
            at(mr.kv("b", 4), 2),
            at(mr.kv("a", 100), 12),
          ]),
        )
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(
          mr.parDo({
            state: { stats: mr.state.combining(statsFn), untouched: mr.state.combining(statsFn) },
            timers: { end: mr.timers.eventTime() },
            process(kv: KVN, ctx) {
              ctx.state.stats.add(kv.value);
              ctx.timers.end.set(maxTs(ctx.window));
            },
            onTimer: {
              end(ctx) {
                const s = ctx.state;
                ctx.output(
                  mr.kv(ctx.key as string, {
                    window: win(ctx.window),
                    stats: s.stats.read(),
                    untouched: s.untouched.read(),
                    untouchedEmpty: s.untouched.isEmpty(),
                    empty: s.stats.isEmpty(),
                  }),
                );
                s.stats.clear();
                ctx.output(mr.kv(ctx.key as string, { cleared: s.stats.read(), empty: s.stats.isEmpty() }));
              },
            },
          }),
        );
      const cleared = { cleared: { count: 0, min: 0, max: 0 }, empty: true };
      mr.testing.assertThat(out).containsInAnyOrder([
        mr.kv("a", {
          window: [0, 10],
          stats: { count: 3, min: -2, max: 11 },
          untouched: { count: 0, min: 0, max: 0 },
          untouchedEmpty: true,
          empty: false,
        }),
        mr.kv("a", cleared),
        mr.kv("b", {
          window: [0, 10],
          stats: { count: 1, min: 4, max: 4 },
          untouched: { count: 0, min: 0, max: 0 },
          untouchedEmpty: true,
          empty: false,
        }),
        mr.kv("b", cleared),
        mr.kv("a", {
          window: [10, 20],
          stats: { count: 1, min: 100, max: 100 },
          untouched: { count: 0, min: 0, max: 0 },
          untouchedEmpty: true,
          empty: false,
        }),
        mr.kv("a", cleared),
      ]);
    }),
    assertions: 1,
  },
  {
    // Beam ParDoTest.testMapState: per key, a map from page to visit count; map keys compare by value (an
    // object key with its properties in another order is the same key). get / put / remove / keys /
    // entries / isEmpty / clear.
    definition: mr.definePipeline("state: map state (keys compared by value)", (p) => {
      type Visit = { page: { path: string; lang: string } };
      const visits: mr.KV<string, Visit>[] = [
        mr.kv("u1", { page: { path: "/a", lang: "en" } }),
        mr.kv("u1", { page: { lang: "en", path: "/a" } }),
        mr.kv("u1", { page: { path: "/b", lang: "en" } }),
        mr.kv("u1", { page: { path: "/tmp", lang: "en" } }),
        mr.kv("u2", { page: { path: "/a", lang: "fr" } }),
      ];
      const out = p.apply(mr.create(visits)).apply(
        mr.parDo({
          state: { perPage: mr.state.map<{ path: string; lang: string }, number>() },
          timers: { end: mr.timers.eventTime() },
          process(kv: mr.KV<string, Visit>, ctx) {
            const m = ctx.state.perPage;
            m.put(kv.value.page, (m.get(kv.value.page) ?? 0) + 1);
            ctx.timers.end.set(maxTs(ctx.window));
          },
          onTimer: {
            end(ctx) {
              const m = ctx.state.perPage;
              m.remove({ lang: "en", path: "/tmp" });
              const show = (k: { path: string; lang: string }) => `${k.lang}${k.path}`;
              const entries = (m.entries() as [{ path: string; lang: string }, number][]).map(([k, v]) => `${show(k)}=${v}`).sort();
              const keys = (m.keys() as { path: string; lang: string }[]).map(show).sort();
              const missing = m.get({ path: "/zzz", lang: "en" }) ?? null;
              const wasEmpty = m.isEmpty();
              m.clear();
              ctx.output(mr.kv(ctx.key as string, { entries, keys, missing, wasEmpty, emptyAfterClear: m.isEmpty() }));
            },
          },
        }),
      );
      mr.testing
        .assertThat(out)
        .containsInAnyOrder([
          mr.kv("u1", { entries: ["en/a=2", "en/b=1"], keys: ["en/a", "en/b"], missing: null, wasEmpty: false, emptyAfterClear: true }),
          mr.kv("u2", { entries: ["fr/a=1"], keys: ["fr/a"], missing: null, wasEmpty: false, emptyAfterClear: true }),
        ]);
    }),
    assertions: 1,
  },
  {
    // Bag state (ParDoTest.testBagState): add / read / isEmpty / clear; read gives every value added.
    definition: mr.definePipeline("state: bag state collects per key and window", (p) => {
      const out = p
        .apply(mr.createTimestamped([at(mr.kv("a", 1), 1), at(mr.kv("a", 2), 2), at(mr.kv("b", 3), 3), at(mr.kv("a", 4), 14)]))
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(
          mr.parDo({
            state: { bag: mr.state.bag<number>() },
            timers: { end: mr.timers.eventTime() },
            process(kv: KVN, ctx) {
              ctx.state.bag.add(kv.value);
              ctx.timers.end.set(maxTs(ctx.window));
            },
            onTimer: {
              end(ctx) {
                const values = (ctx.state.bag.read() as number[]).sort(compareValues);
                const wasEmpty = ctx.state.bag.isEmpty();
                ctx.state.bag.clear();
                ctx.output(
                  mr.kv(ctx.key as string, { window: win(ctx.window), values, wasEmpty, emptyAfterClear: ctx.state.bag.isEmpty() }),
                );
              },
            },
          }),
        );
      mr.testing
        .assertThat(out)
        .containsInAnyOrder([
          mr.kv("a", { window: [0, 10], values: [1, 2], wasEmpty: false, emptyAfterClear: true }),
          mr.kv("b", { window: [0, 10], values: [3], wasEmpty: false, emptyAfterClear: true }),
          mr.kv("a", { window: [10, 20], values: [4], wasEmpty: false, emptyAfterClear: true }),
        ]);
    }),
    assertions: 1,
  },
  {
    // Garbage collection (StatefulDoFnRunner; StatefulDoFnRunnerTest.testGarbageCollect / testLateDropping):
    // state is per key AND window, so the same key starts afresh in the next window; once a window expires
    // (max timestamp + allowed lateness before the input watermark) its state is dropped, a processing-time
    // timer set in it never fires (StatefulDoFnRunner.onTimer skips timers of expired windows), and an
    // element of it that arrives later is dropped and counted.
    definition: mr.definePipeline("state: garbage collection at window expiry; late elements dropped and counted", (p) => {
      const stream = mr.testing
        .testStream<KVS>()
        .addElements(at(mr.kv("k", "a"), 1))
        .addElements(at(mr.kv("k", "b"), 2))
        .advanceWatermarkTo(9) // [0, 10) not yet expired (lateness 0: expires once the watermark passes 9)
        .addElements(at(mr.kv("k", "c"), 9))
        .advanceWatermarkTo(12) // [0, 10) expired: its state and its pending processing-time timer are dropped
        .addElements(at(mr.kv("k", "d"), 13))
        .addElements(at(mr.kv("k", "late"), 5)) // expired window: dropped, counted
        .advanceProcessingTime(10_000) // would fire the timers set at processing time 0 + 1000
        .addElements(at(mr.kv("k", "e"), 14))
        .advanceWatermarkToInfinity();
      const out: mr.PCollection<string> = p
        .apply(stream)
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(
          mr.parDo({
            state: { count: mr.state.value<number>(), seen: mr.state.bag<string>() },
            timers: { idle: mr.timers.processingTime() },
            process(kv: KVS, ctx) {
              const n = (ctx.state.count.read() ?? 0) + 1;
              ctx.state.count.write(n);
              ctx.state.seen.add(kv.value);
              const w = win(ctx.window);
              ctx.output(`${kv.value}: #${n} in ${JSON.stringify(w)}, seen ${(ctx.state.seen.read() as string[]).sort().join("")}`);
              // Set only in [0, 10), before the watermark moves past it.
              if (w !== "global" && w[0] === 0 && n === 1) ctx.timers.idle.offset(1_000);
            },
            onTimer: {
              idle(ctx) {
                ctx.output(`idle timer fired in ${JSON.stringify(win(ctx.window))}`);
              },
            },
          }),
        );
      // "c" sees a and b (any order of a and b: both were before it); d and e start again in [10, 20).
      mr.testing.assertThat(out).satisfies((outputs) => {
        const sorted = [...outputs].sort();
        const firstTwo = sorted.filter((s) => s.startsWith("a:") || s.startsWith("b:"));
        const ok =
          outputs.length === 5 &&
          firstTwo.length === 2 &&
          firstTwo.some((s) => / #1 in \[0,10\], seen (a|b)$/.test(s)) &&
          firstTwo.some((s) => / #2 in \[0,10\], seen ab$/.test(s)) &&
          sorted.includes("c: #3 in [0,10], seen abc") &&
          sorted.includes("d: #1 in [10,20], seen d") &&
          sorted.includes("e: #2 in [10,20], seen de");
        if (!ok) throw new Error(`unexpected outputs: ${JSON.stringify(sorted)}`);
      });
    }),
    assertions: 1,
    check: (result) =>
      expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 1, `${DROPPED_DUE_TO_LATENESS} (the element of the expired window)`),
  },
  {
    // The guarantee behind state (programming guide, "State and Timers": processing of a key and window is
    // serial; Beam runners invoke a stateful DoFn for one key at a time): every process and onTimer call of a
    // key logs itself in state and checks that no other call of the same key is in progress. The
    // TestStream makes the order deterministic: each element sets a timer just after it, which fires when
    // the watermark moves before the next element comes.
    definition: mr.definePipeline("state: process and onTimer calls of a key never interleave", (p) => {
      let stream = mr.testing.testStream<KVN>();
      for (const t of [1, 11, 21])
        stream = stream.addElements(at(mr.kv("a", t), t), at(mr.kv("b", t + 1), t + 1)).advanceWatermarkTo(t + 5);
      const out = p
        .apply(stream.advanceWatermarkToInfinity())
        .apply(mr.windowInto(mr.windows.fixed(100)))
        .apply(
          mr.parDo({
            state: { log: mr.state.bag<string>(), seq: mr.state.value<number>(), open: mr.state.value<number>() },
            timers: { tick: mr.timers.eventTime(), report: mr.timers.eventTime() },
            process(kv: KVN, ctx) {
              const seq = enter(ctx, `process ${kv.value}`);
              ctx.timers.tick.set(kv.value + 2);
              ctx.timers.report.set(maxTs(ctx.window));
              ctx.output(mr.kv(kv.key, [`out ${kv.value}`]));
              leave(ctx, seq);
            },
            onTimer: {
              tick(ctx) {
                const seq = enter(ctx, `tick ${ctx.timestamp}`);
                ctx.output(mr.kv(ctx.key as string, [`out tick ${ctx.timestamp}`]));
                leave(ctx, seq);
              },
              report(ctx) {
                const seq = enter(ctx, "report");
                ctx.output(mr.kv(ctx.key as string, ctx.state.log.read() as string[]));
                leave(ctx, seq);
              },
            },
          }),
        )
        .apply(mr.filter((e: mr.KV<string, string[]>) => !e.value[0]!.startsWith("out ")));
      mr.testing
        .assertThat(out)
        .containsInAnyOrder([
          mr.kv("a", ["process 1", "tick 3", "process 11", "tick 13", "process 21", "tick 23", "report"]),
          mr.kv("b", ["process 2", "tick 4", "process 12", "tick 14", "process 22", "tick 24", "report"]),
        ]);
    }),
    assertions: 1,
  },
];

/** Logs a call in the key's state and marks it open; fails when another call of the key is open. */
function enter(ctx: mr.ProcessContext<mr.KV<string, string[]>>, what: string): number {
  const open = ctx.state.open.read();
  if (open !== undefined) throw new Error(`'${what}' of key ${String(ctx.key)} started while call #${open} was still running`);
  const seq = (ctx.state.seq.read() ?? 0) + 1;
  ctx.state.seq.write(seq);
  ctx.state.open.write(seq);
  ctx.state.log.add(what);
  return seq;
}

/** Closes the call opened by {@link enter}. */
function leave(ctx: mr.ProcessContext<mr.KV<string, string[]>>, seq: number): void {
  if (ctx.state.open.read() !== seq)
    throw new Error(`call #${seq} of key ${String(ctx.key)} was interleaved with call #${String(ctx.state.open.read())}`);
  ctx.state.open.clear();
}

// Construction-time checks: they throw while building, so they are plain tests, not pipeline cases.
// (Guarded: workers load this module outside mocha.)
if (typeof describe === "function") {
  describe("conformance: state (construction time)", () => {
    it("a stateful DoFn on a collection with an explicit non-KV coder is refused when applied", () => {
      // Beam: ParDo.validateStateApplicable — "ParDo requires its input to use KvCoder in order to use state and timers".
      const p = mr.Pipeline.create(["--runner=direct"]);
      const nums = p.apply(mr.create([1, 2, 3])).setCoder(mr.coders.varint());
      expect(() =>
        nums.apply(
          "Count",
          mr.parDo({
            state: { count: mr.state.value<number>() },
            process(_x: number, ctx) {
              ctx.state.count.write(1);
            },
          }),
        ),
      ).to.throw(/state and timers are per key[\s\S]*KV/);
      // Timers alone need keys too.
      expect(() =>
        nums.apply(
          "Tick",
          mr.parDo({
            timers: { t: mr.timers.eventTime() },
            onTimer: { t() {} },
            process() {},
          }),
        ),
      ).to.throw(/KV/);
    });

    it("the same DoFn on KV elements (an explicit KV coder, or the default coder) is accepted", () => {
      const p = mr.Pipeline.create(["--runner=direct"]);
      const fn = () =>
        mr.parDo({
          state: { count: mr.state.value<number>() },
          process(_x: KVN, ctx) {
            ctx.state.count.write(1);
          },
        });
      const explicit = p.apply("Explicit", mr.create([mr.kv("a", 1)])).setCoder(mr.coders.kv(mr.coders.stringUtf8(), mr.coders.varint()));
      expect(() => explicit.apply("A", fn())).to.not.throw();
      expect(() => p.apply("Default", mr.create([mr.kv("a", 1)])).apply("B", fn())).to.not.throw();
    });

    it("a timer without its onTimer callback, or a bad state declaration, is refused", () => {
      const p = mr.Pipeline.create(["--runner=direct"]);
      const pc = p.apply(mr.create([mr.kv("a", 1)]));
      expect(() => pc.apply("NoCallback", mr.parDo({ timers: { t: mr.timers.eventTime() }, process() {} }))).to.throw(
        /timer 't' has no callback/,
      );
      expect(() => pc.apply("BadState", mr.parDo({ state: { s: { kind: "nope" } as unknown as mr.StateSpec }, process() {} }))).to.throw(
        /not a state declaration/,
      );
    });
  });
}
