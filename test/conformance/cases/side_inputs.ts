/** Side inputs: singleton, iterable, map, multimap; several at once; diamonds. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range } from "./helpers";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("side input: singleton", (p) => {
      const nums = p.apply(mr.create([1, 2, 3, 4]));
      const total = p.apply("Total", mr.create([10]));
      mr.testing
        .assertThat(nums.map((n, ctx) => n / ctx.sideInput("total"), { sideInputs: { total: mr.views.singleton(total) } }))
        .containsInAnyOrder([0.1, 0.2, 0.3, 0.4]);
      // An object singleton arrives whole.
      const cfg = p.apply("Config", mr.create([{ sep: "-", times: 2 }]));
      mr.testing
        .assertThat(
          nums.apply(
            "Repeat",
            mr.map(
              (n: number, ctx) => {
                const c = ctx.sideInput("cfg");
                return Array(c.times).fill(String(n)).join(c.sep);
              },
              { sideInputs: { cfg: mr.views.singleton(cfg) } },
            ),
          ),
        )
        .containsInAnyOrder(["1-1", "2-2", "3-3", "4-4"]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("side input: singleton default for an empty collection", (p) => {
      const nums = p.apply(mr.create([1, 2]));
      const empty = p.apply("Empty", mr.create<number>([]));
      mr.testing
        .assertThat(nums.map((n, ctx) => n + ctx.sideInput("d"), { sideInputs: { d: mr.views.singleton(empty, { default: 100 }) } }))
        .containsInAnyOrder([101, 102]);
      // A default that is itself an object.
      mr.testing
        .assertThat(
          nums.apply(
            "ObjDefault",
            mr.map((n: number, ctx) => ({ n, d: ctx.sideInput("d") as unknown }), {
              sideInputs: { d: mr.views.singleton(empty, { default: { unset: true } as unknown as number }) },
            }),
          ),
        )
        .containsInAnyOrder([
          { n: 1, d: { unset: true } },
          { n: 2, d: { unset: true } },
        ]);
      // The default is not used when there is a value.
      const one = p.apply("One", mr.create([5]));
      mr.testing
        .assertThat(
          nums.apply(
            "NotDefault",
            mr.map((n: number, ctx) => n + ctx.sideInput("d"), { sideInputs: { d: mr.views.singleton(one, { default: 100 }) } }),
          ),
        )
        .containsInAnyOrder([6, 7]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("side input: singleton with several elements fails", (p) => {
      const nums = p.apply(mr.create([1]));
      const two = p.apply("Two", mr.create([7, 8]));
      nums.apply(
        "UsesSingleton",
        mr.map((n: number, ctx) => n + ctx.sideInput("s"), { sideInputs: { s: mr.views.singleton(two) } }),
      );
    }),
    assertions: 0,
    expectFailure: /UsesSingleton[\s\S]*singleton[\s\S]*(2 elements|more than one|several)/i,
  },
  {
    definition: mr.definePipeline("side input: singleton of an empty collection without default fails", (p) => {
      const nums = p.apply(mr.create([1]));
      const empty = p.apply("Empty", mr.create<number>([]));
      nums.apply(
        "UsesSingleton",
        mr.map((n: number, ctx) => n + ctx.sideInput("s"), { sideInputs: { s: mr.views.singleton(empty) } }),
      );
    }),
    assertions: 0,
    expectFailure: /UsesSingleton[\s\S]*singleton[\s\S]*empty/i,
  },
  {
    definition: mr.definePipeline("side input: iterable", (p) => {
      const nums = p.apply(mr.create([1, 2, 3]));
      const allowed = p.apply("Allowed", mr.create([2, 3, 4]));
      mr.testing
        .assertThat(nums.filter((n, ctx) => ctx.sideInput("allowed").includes(n), { sideInputs: { allowed: mr.views.iterable(allowed) } }))
        .containsInAnyOrder([2, 3]);
      const empty = p.apply("Empty", mr.create<number>([]));
      mr.testing
        .assertThat(
          nums.apply(
            "Sizes",
            mr.map((n: number, ctx) => [n, Array.from(ctx.sideInput("e")).length], { sideInputs: { e: mr.views.iterable(empty) } }),
          ),
        )
        .containsInAnyOrder([
          [1, 0],
          [2, 0],
          [3, 0],
        ]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("side input: map and multimap", (p) => {
      const orders = p.apply(mr.create([mr.kv("o1", "ada"), mr.kv("o2", "bob"), mr.kv("o3", "zed")]));
      const names = p.apply("Names", mr.create([mr.kv("ada", "Ada Lovelace"), mr.kv("bob", "Bob Kahn")]));
      const tags = p.apply("Tags", mr.create([mr.kv("ada", "math"), mr.kv("ada", "poetry"), mr.kv("bob", "net")]));
      const joined = orders.map(
        (o, ctx) => {
          const nameOf = ctx.sideInput("names");
          const tagsOf = ctx.sideInput("tags");
          if (!(nameOf instanceof Map) || !(tagsOf instanceof Map)) throw new Error("map and multimap views must be Maps");
          return { order: o.key, name: nameOf.get(o.value) ?? null, tags: [...(tagsOf.get(o.value) ?? [])].sort() };
        },
        { sideInputs: { names: mr.views.map(names), tags: mr.views.multimap(tags) } },
      );
      mr.testing.assertThat(joined).containsInAnyOrder([
        { order: "o1", name: "Ada Lovelace", tags: ["math", "poetry"] },
        { order: "o2", name: "Bob Kahn", tags: ["net"] },
        { order: "o3", name: null, tags: [] },
      ]);
      mr.testing
        .assertThat(
          orders.apply(
            "Sizes",
            mr.map((_o: mr.KV<string, string>, ctx) => [ctx.sideInput("m").size, ctx.sideInput("mm").size], {
              sideInputs: { m: mr.views.map(names), mm: mr.views.multimap(tags) },
            }),
          ),
        )
        .containsInAnyOrder([
          [2, 2],
          [2, 2],
          [2, 2],
        ]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("side input: map with a duplicate key fails", (p) => {
      const nums = p.apply(mr.create([1]));
      const dup = p.apply("Dup", mr.create([mr.kv("k", 1), mr.kv("k", 2)]));
      nums.apply(
        "UsesMap",
        mr.map((_n: number, ctx) => ctx.sideInput("m").get("k"), { sideInputs: { m: mr.views.map(dup) } }),
      );
    }),
    assertions: 0,
    expectFailure: /UsesMap[\s\S]*(several values|more than one|duplicate)[\s\S]*\bk\b/i,
  },
  {
    definition: mr.definePipeline("side input: several on one ParDo, with tagged outputs", (p) => {
      const nums = p.apply(mr.create(range(6)));
      const threshold = p.apply("Threshold", mr.create([3]));
      const labels = p.apply("Labels", mr.create([mr.kv("lo", "small"), mr.kv("hi", "large")]));
      const extra = p.apply("Extra", mr.create(["!", "?"]));
      const out = nums.apply(
        "Classify",
        mr.parDo(
          {
            process(n: number, ctx) {
              const t = ctx.sideInput("threshold");
              const label = ctx.sideInput("labels");
              const suffix = [...ctx.sideInput("extra")].sort().join("");
              if (n < t) ctx.output(`${n}:${label.get("lo")}${suffix}`);
              else ctx.outputTo("hi", `${n}:${label.get("hi")}${suffix}`);
            },
          },
          {
            sideInputs: { threshold: mr.views.singleton(threshold), labels: mr.views.map(labels), extra: mr.views.iterable(extra) },
            outputs: ["hi"],
          },
        ),
      );
      mr.testing.assertThat(out.main).containsInAnyOrder(["0:small!?", "1:small!?", "2:small!?"]);
      mr.testing.assertThat(out.hi).containsInAnyOrder(["3:large!?", "4:large!?", "5:large!?"]);
    }),
    assertions: 2,
  },
  {
    // The smallest diamond: no shuffle anywhere, the side input is a filter of the main input's source.
    definition: mr.definePipeline("side input: a filter of the same source (minimal diamond)", (p) => {
      const nums = p.apply(mr.create([1, 2, 3]));
      const big = nums.filter((n) => n > 1);
      mr.testing
        .assertThat(
          nums.apply(
            "Sizes",
            mr.map((n: number, ctx) => [n, ctx.sideInput("big").length], { sideInputs: { big: mr.views.iterable(big) } }),
          ),
        )
        .containsInAnyOrder([
          [1, 2],
          [2, 2],
          [3, 2],
        ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("side input: computed from the same source (diamond)", (p) => {
      const nums = p.apply(mr.create([2, 4, 6, 8]));
      const total = nums.apply(mr.combineGlobally(mr.combiners.sum()));
      const max = nums.apply("Max", mr.combineGlobally(mr.combiners.max<number>()));
      const shares = nums.map((n, ctx) => ({ n, share: n / ctx.sideInput("total"), ofMax: n / ctx.sideInput("max")! }), {
        sideInputs: { total: mr.views.singleton(total), max: mr.views.singleton(max) },
      });
      mr.testing.assertThat(shares).containsInAnyOrder([
        { n: 2, share: 0.1, ofMax: 0.25 },
        { n: 4, share: 0.2, ofMax: 0.5 },
        { n: 6, share: 0.3, ofMax: 0.75 },
        { n: 8, share: 0.4, ofMax: 1 },
      ]);
      // The side input of a side input's consumer: a chain of diamonds.
      const above = nums.apply(
        "AboveMean",
        mr.filter((n: number, ctx) => n > ctx.sideInput("mean"), {
          sideInputs: { mean: mr.views.singleton(nums.apply("Mean", mr.combineGlobally(mr.combiners.mean()))) },
        }),
      );
      mr.testing
        .assertThat(
          nums.apply(
            "CountAbove",
            mr.map((n: number, ctx) => [n, ctx.sideInput("above").length], { sideInputs: { above: mr.views.iterable(above) } }),
          ),
        )
        .containsInAnyOrder([
          [2, 2],
          [4, 2],
          [6, 2],
          [8, 2],
        ]);
    }),
    assertions: 2,
  },
  {
    // Side elements keep arriving while the job runs: the [10, 20) total is computed after the
    // [0, 10) one was read, and must still be seen (it used to be missed by a view index built once).
    definition: mr.definePipeline("side input: windowed singletons from the same TestStream, read window by window", (p) => {
      const events = p
        .apply(
          mr.testing
            .testStream<number>()
            .addElements({ value: 1, timestamp: 1 }, { value: 2, timestamp: 2 })
            .addElements({ value: 3, timestamp: 12 })
            .advanceWatermarkTo(10)
            .addElements({ value: 4, timestamp: 13 })
            .advanceWatermarkToInfinity(),
        )
        .apply(mr.windowInto(mr.windows.fixed(10)));
      const totals = mr.views.singleton(events.apply("Total", mr.combineGlobally(mr.combiners.sum())));
      const offset = mr.views.singleton(p.apply("Offset", mr.create([100])));
      const out = events.apply(
        "WithTotal",
        mr.map((x: number, ctx) => `${x}/${ctx.sideInput("total")}+${ctx.sideInput("offset")}`, { sideInputs: { total: totals, offset } }),
      );
      mr.testing.assertThat(out).containsInAnyOrder(["1/3+100", "2/3+100", "3/7+100", "4/7+100"]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("side input: an undeclared name fails", (p) => {
      p.apply(mr.create([1])).apply(
        "ReadsMissing",
        mr.map((n: number, ctx) => n + (ctx as mr.TransformContext).sideInput<number>("missing")),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      if (!/missing/.test(err.message)) throw new Error("message should name the side input 'missing'");
      if (!/ReadsMissing/.test(err.message)) throw new Error("message should name the transform");
    },
  },
];
