/** Larger inputs: many bundles through grouping, combining, side inputs and flatten. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range } from "./helpers";

const N = 50_000;
const KEYS = 100;

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("large: 50k elements through groupByKey and combines", (p) => {
      const nums = p.apply(mr.create(range(N)));
      const keyed = nums.map((i) => mr.kv(`k${i % KEYS}`, i));

      // Expected per key k: the elements i ≡ k (mod KEYS).
      const perKey = N / KEYS;
      const expectedSum = (k: number): number => perKey * k + (KEYS * perKey * (perKey - 1)) / 2;

      const grouped = keyed.apply(mr.groupByKey()).map((e) => ({
        key: e.key,
        n: e.value.length,
        sum: e.value.reduce((a, b) => a + b, 0),
        distinct: new Set(e.value).size,
      }));
      mr.testing
        .assertThat(grouped)
        .containsInAnyOrder(range(KEYS).map((k) => ({ key: `k${k}`, n: perKey, sum: expectedSum(k), distinct: perKey })));

      mr.testing
        .assertThat(keyed.apply("SumPerKey", mr.combinePerKey(mr.combiners.sum())))
        .containsInAnyOrder(range(KEYS).map((k) => mr.kv(`k${k}`, expectedSum(k))));
      mr.testing
        .assertThat(keyed.apply("MeanPerKey", mr.combinePerKey(mr.combiners.mean())))
        .containsInAnyOrder(range(KEYS).map((k) => mr.kv(`k${k}`, expectedSum(k) / perKey)));
      mr.testing
        .assertThat(keyed.apply("Top2PerKey", mr.combinePerKey(mr.combiners.top<number>(2))))
        .containsInAnyOrder(range(KEYS).map((k) => mr.kv(`k${k}`, [N - KEYS + k, N - 2 * KEYS + k])));

      mr.testing.assertThat(nums.apply("Total", mr.combineGlobally(mr.combiners.sum()))).equals((N * (N - 1)) / 2);
      mr.testing.assertThat(nums.apply(mr.countGlobally())).equals(N);
      mr.testing
        .assertThat(
          nums
            .map((i) => i % 1000)
            .apply(mr.distinct())
            .apply("CountDistinct", mr.countGlobally()),
        )
        .equals(1000);
      mr.testing
        .assertThat(nums.map((i) => i % 3).apply(mr.countPerElement()))
        .containsInAnyOrder([mr.kv(0, 16_667), mr.kv(1, 16_667), mr.kv(2, 16_666)]);

      // A large side input and a flatten of large inputs.
      const evens = nums.filter((i) => i % 2 === 0);
      const odds = nums.apply(
        "Odds",
        mr.filter((i: number) => i % 2 === 1),
      );
      mr.testing.assertThat(p.apply(mr.flatten([evens, odds])).apply("CountAll", mr.countGlobally())).equals(N);
      const probe = p.apply("Probe", mr.create([0, 1, N - 1, N]));
      mr.testing
        .assertThat(
          probe.map(
            (x, ctx) => {
              const all = ctx.sideInput("evens");
              return [x, all.length, all.includes(x)];
            },
            { sideInputs: { evens: mr.views.iterable(evens) } },
          ),
        )
        .containsInAnyOrder([
          [0, N / 2, true],
          [1, N / 2, false],
          [N - 1, N / 2, false],
          [N, N / 2, false],
        ]);
    }),
    assertions: 10,
  },
];
