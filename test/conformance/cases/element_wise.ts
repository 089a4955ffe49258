/** map, flatMap, filter, withKeys, keys, values, kvSwap, withTimestamps. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("map: one output per element", (p) => {
      const pc = p.apply(mr.create([1, 2, 3]));
      mr.testing.assertThat(pc.map((x) => x * 10)).containsInAnyOrder([10, 20, 30]);
      mr.testing
        .assertThat(
          pc.apply(
            "ToObjects",
            mr.map((x: number) => ({ x, sq: x * x })),
          ),
        )
        .containsInAnyOrder([
          { x: 1, sq: 1 },
          { x: 2, sq: 4 },
          { x: 3, sq: 9 },
        ]);
      // undefined and null are outputs too.
      mr.testing.assertThat(pc.map((x) => (x === 2 ? null : undefined))).containsInAnyOrder([undefined, null, undefined]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("map: chained unnamed maps get distinct names", (p) => {
      const pc = p.apply(mr.create(["a"]));
      const out = pc
        .map((s) => s + "b")
        .map((s) => s + "c")
        .map((s) => s + "d");
      // The same unnamed transform applied twice to one input.
      const again = pc.map((s) => s + "!");
      const again2 = pc.map((s) => s + "?");
      mr.testing.assertThat(out).equals("abcd");
      mr.testing.assertThat(p.apply(mr.flatten([again, again2]))).containsInAnyOrder(["a!", "a?"]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("map: ctx access", (p) => {
      const pc = p.apply(
        mr.createTimestamped([
          { value: 1, timestamp: 10 },
          { value: 2, timestamp: 20 },
        ]),
      );
      mr.testing
        .assertThat(
          pc.map((x, ctx) => ({
            x,
            ts: ctx.timestamp,
            global: mr.isGlobalWindow(ctx.window),
            pane: { isFirst: ctx.pane.isFirst, isLast: ctx.pane.isLast, timing: ctx.pane.timing },
          })),
        )
        .containsInAnyOrder([
          { x: 1, ts: 10, global: true, pane: { isFirst: true, isLast: true, timing: "UNKNOWN" } },
          { x: 2, ts: 20, global: true, pane: { isFirst: true, isLast: true, timing: "UNKNOWN" } },
        ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("flatMap: zero or more outputs", (p) => {
      const lines = p.apply(mr.create(["to be", "", "or not to be"]));
      mr.testing
        .assertThat(lines.flatMap((l) => l.split(" ").filter((w) => w !== "")))
        .containsInAnyOrder(["to", "be", "or", "not", "to", "be"]);
      // Any iterable: a generator, a Set.
      mr.testing
        .assertThat(
          lines.apply(
            "Generator",
            mr.flatMap(function* (l: string) {
              for (let i = 0; i < l.length; i += 3) yield l.slice(i, i + 3);
            }),
          ),
        )
        .containsInAnyOrder(["to ", "be", "or ", "not", " to", " be"]);
      mr.testing
        .assertThat(
          lines.apply(
            "Set",
            mr.flatMap((l: string) => new Set(l.replace(/ /g, ""))),
          ),
        )
        .containsInAnyOrder(["t", "o", "b", "e", "o", "r", "n", "t", "b", "e"]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("flatMap: ctx access", (p) => {
      const pc = p.apply(mr.createTimestamped([{ value: 2, timestamp: 5 }]));
      mr.testing.assertThat(pc.flatMap((n, ctx) => Array.from({ length: n }, (_, i) => [i, ctx.timestamp]))).containsInAnyOrder([
        [0, 5],
        [1, 5],
      ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("filter: keeps matching elements", (p) => {
      const pc = p.apply(mr.create([1, 2, 3, 4, 5, 6]));
      mr.testing.assertThat(pc.filter((x) => x % 2 === 0)).containsInAnyOrder([2, 4, 6]);
      mr.testing
        .assertThat(
          pc.apply(
            "None",
            mr.filter(() => false),
          ),
        )
        .isEmpty();
      const ts = p.apply(
        mr.createTimestamped([
          { value: "old", timestamp: 1 },
          { value: "new", timestamp: 100 },
        ]),
      );
      mr.testing.assertThat(ts.filter((_, ctx) => ctx.timestamp > 50)).containsInAnyOrder(["new"]);
      // The filtered elements keep their timestamps.
      mr.testing
        .assertThat(
          ts
            .apply(
              "KeepAll",
              mr.filter(() => true),
            )
            .map((v, ctx) => mr.kv(v, ctx.timestamp)),
        )
        .containsInAnyOrder([mr.kv("old", 1), mr.kv("new", 100)]);
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("withKeys, keys, values, kvSwap", (p) => {
      const words = p.apply(mr.create(["apple", "kiwi", "fig"]));
      const keyed = words.apply(mr.withKeys((w: string) => w.length));
      mr.testing.assertThat(keyed).containsInAnyOrder([mr.kv(5, "apple"), mr.kv(4, "kiwi"), mr.kv(3, "fig")]);
      mr.testing.assertThat(keyed.apply(mr.keys())).containsInAnyOrder([3, 4, 5]);
      mr.testing.assertThat(keyed.apply(mr.values())).containsInAnyOrder(["fig", "kiwi", "apple"]);
      mr.testing.assertThat(keyed.apply(mr.kvSwap())).containsInAnyOrder([mr.kv("apple", 5), mr.kv("kiwi", 4), mr.kv("fig", 3)]);
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("withTimestamps: sets event times", (p) => {
      const pc = p.apply(
        mr.create([
          { id: "a", t: 1000 },
          { id: "b", t: 5 },
        ]),
      );
      const stamped = pc.apply(mr.withTimestamps((e: { id: string; t: number }) => e.t));
      mr.testing.assertThat(stamped).containsInAnyOrder([
        { id: "a", t: 1000 },
        { id: "b", t: 5 },
      ]);
      mr.testing.assertThat(stamped.map((e, ctx) => mr.kv(e.id, ctx.timestamp))).containsInAnyOrder([mr.kv("a", 1000), mr.kv("b", 5)]);
      // Moving forward from an existing timestamp is fine, and so is keeping it.
      const later = stamped
        .apply(
          "Later",
          mr.withTimestamps((e: { id: string; t: number }) => e.t + 1),
        )
        .map((_e, ctx) => ctx.timestamp);
      mr.testing.assertThat(later).containsInAnyOrder([1001, 6]);
      const same = stamped
        .apply(
          "Same",
          mr.withTimestamps((e: { id: string; t: number }) => e.t),
        )
        .map((_e, ctx) => ctx.timestamp);
      mr.testing.assertThat(same).containsInAnyOrder([1000, 5]);
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("withTimestamps: moving backwards fails", (p) => {
      p.apply(mr.createTimestamped([{ value: "x", timestamp: 1000 }])).apply(
        "Backwards",
        mr.withTimestamps(() => 999),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      if (!/Backwards/.test(err.message)) throw new Error("message should name the transform 'Backwards'");
      if (!/999/.test(err.message) || !/1000/.test(err.message)) throw new Error("message should show both timestamps");
      if (!/earlier|backwards/i.test(err.message)) throw new Error("message should say the timestamp moved backwards");
      if (err.transform !== "Backwards") throw new Error(`err.transform should be 'Backwards', got ${String(err.transform)}`);
    },
  },
];
