/** groupByKey and coGroupByKey: grouping by value, key kinds, timestamps and panes of the output. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { sortGroups } from "./helpers";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("groupByKey: string keys", (p) => {
      const pairs = p.apply(mr.create([mr.kv("a", 1), mr.kv("b", 2), mr.kv("a", 3), mr.kv("c", 4), mr.kv("a", 5), mr.kv("b", 6)]));
      const grouped = pairs.apply(mr.groupByKey());
      mr.testing.assertThat(sortGroups(grouped)).containsInAnyOrder([mr.kv("a", [1, 3, 5]), mr.kv("b", [2, 6]), mr.kv("c", [4])]);
      // One output per key.
      mr.testing.assertThat(grouped.apply(mr.keys())).containsInAnyOrder(["a", "b", "c"]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("groupByKey: empty input", (p) => {
      mr.testing.assertThat(p.apply(mr.create<mr.KV<string, number>>([])).apply(mr.groupByKey())).isEmpty();
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("groupByKey: object keys group by value, not property order", (p) => {
      const pairs = p.apply(
        mr.create([
          mr.kv({ a: 1, b: 2 }, "x"),
          mr.kv({ b: 2, a: 1 }, "y"),
          mr.kv({ a: 1, b: 3 }, "z"),
          mr.kv({ a: 1, b: 2, c: { d: [1, 2], e: "f" } }, "p"),
          mr.kv({ c: { e: "f", d: [1, 2] }, b: 2, a: 1 }, "q"),
          mr.kv({}, "empty"),
        ]),
      );
      const grouped = sortGroups(pairs.apply(mr.groupByKey()));
      mr.testing.assertThat(grouped.map((e) => e.value)).containsInAnyOrder([["x", "y"], ["z"], ["p", "q"], ["empty"]]);
      mr.testing
        .assertThat(grouped)
        .containsInAnyOrder([
          mr.kv({ a: 1, b: 2 }, ["x", "y"]),
          mr.kv({ a: 1, b: 3 }, ["z"]),
          mr.kv({ a: 1, b: 2, c: { d: [1, 2], e: "f" } }, ["p", "q"]),
          mr.kv({}, ["empty"]),
        ]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("groupByKey: array keys", (p) => {
      const pairs = p.apply(
        mr.create([mr.kv([1, 2], "a"), mr.kv([1, 2], "b"), mr.kv([2, 1], "c"), mr.kv([1, [2]], "d"), mr.kv([], "e"), mr.kv([], "f")]),
      );
      mr.testing
        .assertThat(sortGroups(pairs.apply(mr.groupByKey())))
        .containsInAnyOrder([mr.kv([1, 2], ["a", "b"]), mr.kv([2, 1], ["c"]), mr.kv([1, [2]], ["d"]), mr.kv([], ["e", "f"])]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("groupByKey: number and string keys stay separate", (p) => {
      const pairs = p.apply(
        mr.create<mr.KV<unknown, string>>([
          mr.kv(1, "num"),
          mr.kv("1", "str"),
          mr.kv(1, "num2"),
          mr.kv(true, "bool"),
          mr.kv("true", "strbool"),
          mr.kv(null, "null"),
          mr.kv("null", "strnull"),
          mr.kv(1n, "bigint"),
          mr.kv(1.5, "float"),
          mr.kv(1.5, "float2"),
        ]),
      );
      const grouped = sortGroups(pairs.apply(mr.groupByKey()));
      mr.testing
        .assertThat(grouped)
        .containsInAnyOrder([
          mr.kv<unknown, string[]>(1, ["num", "num2"]),
          mr.kv<unknown, string[]>("1", ["str"]),
          mr.kv<unknown, string[]>(true, ["bool"]),
          mr.kv<unknown, string[]>("true", ["strbool"]),
          mr.kv<unknown, string[]>(null, ["null"]),
          mr.kv<unknown, string[]>("null", ["strnull"]),
          mr.kv<unknown, string[]>(1n, ["bigint"]),
          mr.kv<unknown, string[]>(1.5, ["float", "float2"]),
        ]);
      // The key's type survives grouping.
      mr.testing
        .assertThat(grouped.map((e) => `${typeof e.key}:${String(e.key)}`))
        .containsInAnyOrder([
          "number:1",
          "string:1",
          "boolean:true",
          "string:true",
          "object:null",
          "string:null",
          "bigint:1",
          "number:1.5",
        ]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("groupByKey: values of any shape", (p) => {
      const pairs = p.apply(mr.create([mr.kv("k", { v: [1] }), mr.kv("k", null), mr.kv("k", new Uint8Array([7])), mr.kv("j", [[]])]));
      mr.testing.assertThat(pairs.apply(mr.groupByKey())).satisfies((groups) => {
        if (groups.length !== 2) throw new Error(`expected 2 groups, got ${groups.length}`);
        const k = groups.find((g) => g.key === "k");
        const j = groups.find((g) => g.key === "j");
        if (!k || k.value.length !== 3) throw new Error("key 'k' should have 3 values");
        if (!k.value.some((v) => v instanceof Uint8Array && v[0] === 7)) throw new Error("the Uint8Array value is lost");
        if (!k.value.some((v) => v === null)) throw new Error("the null value is lost");
        if (!k.value.some((v) => JSON.stringify(v) === '{"v":[1]}')) throw new Error("the object value is lost");
        if (!j || JSON.stringify(j.value) !== "[[[]]]") throw new Error("key 'j' should have [[]]");
      });
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("groupByKey: output timestamp and pane in the global window", (p) => {
      const pairs = p.apply(
        mr.createTimestamped([
          { value: mr.kv("a", 1), timestamp: 10 },
          { value: mr.kv("a", 2), timestamp: 20 },
        ]),
      );
      // Beam's default timestamp combiner is END_OF_WINDOW: the global window's max timestamp.
      mr.testing
        .assertThat(
          pairs.apply(mr.groupByKey()).map((e, ctx) => ({
            key: e.key,
            n: e.value.length,
            ts: ctx.timestamp,
            global: mr.isGlobalWindow(ctx.window),
            pane: { isFirst: ctx.pane.isFirst, isLast: ctx.pane.isLast, timing: ctx.pane.timing, index: ctx.pane.index },
          })),
        )
        .equals({
          key: "a",
          n: 2,
          ts: mr.GLOBAL_WINDOW_MAX_TIMESTAMP,
          global: true,
          pane: { isFirst: true, isLast: true, timing: "ON_TIME", index: 0 },
        });
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("groupByKey: twice in a row", (p) => {
      const pairs = p.apply(mr.create([mr.kv("a", 1), mr.kv("b", 2), mr.kv("a", 3)]));
      const regrouped = pairs
        .apply("First", mr.groupByKey())
        .map((e) => mr.kv(e.value.length, e.key))
        .apply("Second", mr.groupByKey());
      mr.testing.assertThat(sortGroups(regrouped)).containsInAnyOrder([mr.kv(2, ["a"]), mr.kv(1, ["b"])]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("coGroupByKey: joins, including keys in one side only", (p) => {
      const emails = p.apply("Emails", mr.create([mr.kv("amy", "amy@x.org"), mr.kv("carl", "carl@x.org"), mr.kv("amy", "amy@y.org")]));
      const phones = p.apply("Phones", mr.create([mr.kv("amy", "111"), mr.kv("bob", "222")]));
      const joined = p.apply(mr.coGroupByKey({ emails, phones }));
      mr.testing
        .assertThat(joined.map((e) => mr.kv(e.key, { emails: [...e.value.emails].sort(), phones: [...e.value.phones].sort() })))
        .containsInAnyOrder([
          mr.kv("amy", { emails: ["amy@x.org", "amy@y.org"], phones: ["111"] }),
          mr.kv("bob", { emails: [], phones: ["222"] }),
          mr.kv("carl", { emails: ["carl@x.org"], phones: [] }),
        ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("coGroupByKey: three inputs, one empty", (p) => {
      const a = p.apply("A", mr.create([mr.kv(1, "a1"), mr.kv(2, "a2")]));
      const b = p.apply("B", mr.create([mr.kv(2, true)]));
      const c = p.apply("C", mr.create<mr.KV<number, number>>([]));
      const joined = p.apply(mr.coGroupByKey({ a, b, c }));
      mr.testing.assertThat(joined).containsInAnyOrder([mr.kv(1, { a: ["a1"], b: [], c: [] }), mr.kv(2, { a: ["a2"], b: [true], c: [] })]);
    }),
    assertions: 1,
  },
];
