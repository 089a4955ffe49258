/** combinePerKey, combineGlobally, the standard combiners, counting and distinct. */
import { expect } from "chai";
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { compareValues, expectSame } from "./helpers";

const SALES = [mr.kv("apples", 3), mr.kv("pears", 10), mr.kv("apples", 7), mr.kv("apples", -2), mr.kv("figs", 4), mr.kv("pears", 1)];

/** A custom CombineFn with a non-trivial accumulator: mean and spread. */
const statsFn: mr.CombineFn<number, { n: number; sum: number; lo: number; hi: number }, { n: number; mean: number; spread: number }> = {
  createAccumulator: () => ({ n: 0, sum: 0, lo: Infinity, hi: -Infinity }),
  addInput: (acc, x) => ({ n: acc.n + 1, sum: acc.sum + x, lo: Math.min(acc.lo, x), hi: Math.max(acc.hi, x) }),
  mergeAccumulators: (accs) =>
    accs.reduce((m, a) => ({ n: m.n + a.n, sum: m.sum + a.sum, lo: Math.min(m.lo, a.lo), hi: Math.max(m.hi, a.hi) }), {
      n: 0,
      sum: 0,
      lo: Infinity,
      hi: -Infinity,
    }),
  extractOutput: (acc) => ({ n: acc.n, mean: acc.n === 0 ? 0 : acc.sum / acc.n, spread: acc.n === 0 ? 0 : acc.hi - acc.lo }),
};

export const cases: ConformanceCase[] = [
  {
    // Regression: a lifted combine in a stage that reads a shuffle's output
    // buffers partial accumulators across bundles; until they are flushed
    // they must hold the watermark, or downstream fires their windows early
    // and drops them as late (found by Nexmark q5 on the direct runner).
    definition: mr.definePipeline("combinePerKey: lifted after a shuffle, over many windows", (p) => {
      const items = Array.from({ length: 200 }, (_, i) => ({ value: i % 7, timestamp: i * 100 }));
      const counts = p
        .apply(mr.createTimestamped(items))
        .apply(mr.reshuffle())
        .apply(mr.windowInto(mr.windows.fixed(1000)))
        .apply(mr.countPerElement());
      const perWindow = counts
        .apply(
          "Totals",
          mr.map((kv: mr.KV<number, number>) => kv.value),
        )
        .apply(mr.combineGlobally(mr.combiners.sum()));
      // 20 windows of 1 s, 10 elements each.
      mr.testing.assertThat(perWindow).containsInAnyOrder(Array.from({ length: 20 }, () => 10));
    }),
    assertions: 1,
    check: (result) => expect(result.metrics().counters.droppedDueToLateness ?? 0, "nothing is late in a bounded pipeline").to.equal(0),
  },
  {
    definition: mr.definePipeline("combinePerKey: sum, count, min, max, mean", (p) => {
      const sales = p.apply(mr.create(SALES));
      mr.testing
        .assertThat(sales.apply("Sum", mr.combinePerKey(mr.combiners.sum())))
        .containsInAnyOrder([mr.kv("apples", 8), mr.kv("pears", 11), mr.kv("figs", 4)]);
      mr.testing
        .assertThat(sales.apply("Count", mr.combinePerKey(mr.combiners.count())))
        .containsInAnyOrder([mr.kv("apples", 3), mr.kv("pears", 2), mr.kv("figs", 1)]);
      mr.testing
        .assertThat(sales.apply("Min", mr.combinePerKey(mr.combiners.min<number>())))
        .containsInAnyOrder([mr.kv("apples", -2), mr.kv("pears", 1), mr.kv("figs", 4)]);
      mr.testing
        .assertThat(sales.apply("Max", mr.combinePerKey(mr.combiners.max<number>())))
        .containsInAnyOrder([mr.kv("apples", 7), mr.kv("pears", 10), mr.kv("figs", 4)]);
      mr.testing
        .assertThat(sales.apply("Mean", mr.combinePerKey(mr.combiners.mean())))
        .containsInAnyOrder([mr.kv("apples", 8 / 3), mr.kv("pears", 5.5), mr.kv("figs", 4)]);
    }),
    assertions: 5,
  },
  {
    definition: mr.definePipeline("combinePerKey: min and max of strings, with a comparator", (p) => {
      const words = p.apply(mr.create([mr.kv(1, "pear"), mr.kv(1, "apple"), mr.kv(1, "fig"), mr.kv(2, "kiwi")]));
      mr.testing
        .assertThat(words.apply("Min", mr.combinePerKey(mr.combiners.min<string>())))
        .containsInAnyOrder([mr.kv(1, "apple"), mr.kv(2, "kiwi")]);
      mr.testing
        .assertThat(words.apply("Max", mr.combinePerKey(mr.combiners.max<string>())))
        .containsInAnyOrder([mr.kv(1, "pear"), mr.kv(2, "kiwi")]);
      mr.testing
        .assertThat(words.apply("Shortest", mr.combinePerKey(mr.combiners.min<string>((a, b) => a.length - b.length))))
        .containsInAnyOrder([mr.kv(1, "fig"), mr.kv(2, "kiwi")]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("combinePerKey: top and toList", (p) => {
      const scores = p.apply(mr.create([5, 1, 9, 3, 7, 9, 2].map((s) => mr.kv("k", s)).concat([mr.kv("one", 42)])));
      mr.testing
        .assertThat(scores.apply("Top3", mr.combinePerKey(mr.combiners.top<number>(3))))
        .containsInAnyOrder([mr.kv("k", [9, 9, 7]), mr.kv("one", [42])]);
      mr.testing
        .assertThat(scores.apply("Bottom2", mr.combinePerKey(mr.combiners.top<number>(2, (a, b) => b - a))))
        .containsInAnyOrder([mr.kv("k", [1, 2]), mr.kv("one", [42])]);
      mr.testing
        .assertThat(
          scores
            .apply("ToList", mr.combinePerKey(mr.combiners.toList<number>()))
            .map((e) => mr.kv(e.key, [...e.value].sort(compareValues))),
        )
        .containsInAnyOrder([mr.kv("k", [1, 2, 3, 5, 7, 9, 9]), mr.kv("one", [42])]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("combinePerKey: custom CombineFn", (p) => {
      const sales = p.apply(mr.create(SALES));
      mr.testing
        .assertThat(sales.apply(mr.combinePerKey(statsFn)))
        .containsInAnyOrder([
          mr.kv("apples", { n: 3, mean: 8 / 3, spread: 9 }),
          mr.kv("pears", { n: 2, mean: 5.5, spread: 9 }),
          mr.kv("figs", { n: 1, mean: 4, spread: 0 }),
        ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("combinePerKey: plain function of all values", (p) => {
      const sales = p.apply(mr.create(SALES));
      mr.testing
        .assertThat(sales.apply(mr.combinePerKey((amounts: number[]) => [...amounts].sort((a, b) => a - b).join("<"))))
        .containsInAnyOrder([mr.kv("apples", "-2<3<7"), mr.kv("pears", "1<10"), mr.kv("figs", "4")]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("combinePerKey: object keys combine by value", (p) => {
      const pairs = p.apply(
        mr.create<mr.KV<unknown, number>>([mr.kv({ x: 1, y: 2 }, 1), mr.kv({ y: 2, x: 1 }, 10), mr.kv([1, 2], 100), mr.kv([1, 2], 1000)]),
      );
      mr.testing
        .assertThat(pairs.apply(mr.combinePerKey(mr.combiners.sum())))
        .containsInAnyOrder([mr.kv<unknown, number>({ x: 1, y: 2 }, 11), mr.kv<unknown, number>([1, 2], 1100)]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("combineGlobally: combiners and functions", (p) => {
      const nums = p.apply(mr.create([4, 8, 15, 16, 23, 42]));
      mr.testing.assertThat(nums.apply("Sum", mr.combineGlobally(mr.combiners.sum()))).equals(108);
      mr.testing.assertThat(nums.apply("Count", mr.combineGlobally(mr.combiners.count()))).equals(6);
      mr.testing.assertThat(nums.apply("Max", mr.combineGlobally(mr.combiners.max<number>()))).equals(42);
      mr.testing.assertThat(nums.apply("Min", mr.combineGlobally(mr.combiners.min<number>()))).equals(4);
      mr.testing.assertThat(nums.apply("Mean", mr.combineGlobally(mr.combiners.mean()))).equals(18);
      mr.testing.assertThat(nums.apply("Top", mr.combineGlobally(mr.combiners.top<number>(2)))).equals([[42, 23]]);
      mr.testing.assertThat(nums.apply("Stats", mr.combineGlobally(statsFn))).equals({ n: 6, mean: 18, spread: 38 });
      mr.testing
        .assertThat(
          nums.apply(
            "Fn",
            mr.combineGlobally((xs: number[]) => xs.filter((x) => x % 2 === 0).length),
          ),
        )
        .equals(4);
    }),
    assertions: 8,
  },
  {
    definition: mr.definePipeline("combineGlobally: empty input gives the empty result", (p) => {
      const none = p.apply(mr.create<number>([]));
      mr.testing.assertThat(none.apply("Sum", mr.combineGlobally(mr.combiners.sum()))).equals(0);
      mr.testing.assertThat(none.apply("Count", mr.combineGlobally(mr.combiners.count()))).equals(0);
      mr.testing.assertThat(none.apply("ToList", mr.combineGlobally(mr.combiners.toList<number>()))).equals([[]]);
      mr.testing.assertThat(none.apply("Top", mr.combineGlobally(mr.combiners.top<number>(3)))).equals([[]]);
      mr.testing.assertThat(none.apply("Stats", mr.combineGlobally(statsFn))).equals({ n: 0, mean: 0, spread: 0 });
      mr.testing
        .assertThat(
          none.apply(
            "Fn",
            mr.combineGlobally((xs: number[]) => `n=${xs.length}`),
          ),
        )
        .equals("n=0");
      mr.testing.assertThat(none.apply("Mean", mr.combineGlobally(mr.combiners.mean()))).satisfies((xs) => {
        expectSame(xs.length, 1, "number of outputs");
        if (!Number.isNaN(xs[0])) throw new Error(`mean of nothing should be NaN, got ${xs[0]}`);
      });
    }),
    assertions: 7,
  },
  {
    definition: mr.definePipeline("combinePerKey: empty input gives nothing", (p) => {
      mr.testing.assertThat(p.apply(mr.create<mr.KV<string, number>>([])).apply(mr.combinePerKey(mr.combiners.sum()))).isEmpty();
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("countPerElement, countPerKey, countGlobally", (p) => {
      const words = p.apply(mr.create(["a", "b", "a", "c", "a", "b"]));
      mr.testing.assertThat(words.apply(mr.countPerElement())).containsInAnyOrder([mr.kv("a", 3), mr.kv("b", 2), mr.kv("c", 1)]);
      mr.testing.assertThat(words.apply(mr.countGlobally())).equals(6);
      const pairs = p.apply("Pairs", mr.create([mr.kv("x", 1), mr.kv("x", 1), mr.kv("y", 2)]));
      mr.testing.assertThat(pairs.apply(mr.countPerKey())).containsInAnyOrder([mr.kv("x", 2), mr.kv("y", 1)]);
      // Elements of any shape are counted by value.
      const objs = p.apply("Objects", mr.create([{ a: 1, b: [2] }, { b: [2], a: 1 }, { a: 2 }]));
      mr.testing.assertThat(objs.apply(mr.countPerElement())).containsInAnyOrder([mr.kv({ a: 1, b: [2] }, 2), mr.kv({ a: 2 }, 1)]);
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("counting: empty inputs", (p) => {
      const none = p.apply(mr.create<string>([]));
      mr.testing.assertThat(none.apply(mr.countGlobally())).equals(0);
      mr.testing.assertThat(none.apply(mr.countPerElement())).isEmpty();
      mr.testing.assertThat(p.apply("NoPairs", mr.create<mr.KV<string, number>>([])).apply(mr.countPerKey())).isEmpty();
      mr.testing.assertThat(none.apply(mr.distinct())).isEmpty();
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("distinct: by value", (p) => {
      const xs = p.apply(mr.create<unknown>([1, "1", 1, { a: 1, b: 2 }, { b: 2, a: 1 }, [1, 2], [1, 2], [2, 1], null, null, 1n]));
      mr.testing.assertThat(xs.apply(mr.distinct())).containsInAnyOrder([1, "1", { a: 1, b: 2 }, [1, 2], [2, 1], null, 1n]);
    }),
    assertions: 1,
  },
];
