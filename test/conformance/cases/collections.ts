/** flatten, partition, reshuffle. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range } from "./helpers";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("flatten: three inputs", (p) => {
      const a = p.apply("A", mr.create([1, 2]));
      const b = p.apply("B", mr.create([3]));
      const c = p.apply("C", mr.create([4, 5, 1]));
      mr.testing.assertThat(p.apply(mr.flatten([a, b, c]))).containsInAnyOrder([1, 1, 2, 3, 4, 5]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("flatten: applied to a collection", (p) => {
      const a = p.apply("A", mr.create(["a"]));
      const b = p.apply("B", mr.create(["b", "bb"]));
      mr.testing.assertThat(a.apply(mr.flatten([b]))).containsInAnyOrder(["a", "b", "bb"]);
      // With nothing to merge it is the collection itself.
      mr.testing.assertThat(b.apply("Alone", mr.flatten<string>([]))).containsInAnyOrder(["b", "bb"]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("flatten: empty inputs, timestamps kept, then grouped", (p) => {
      const a = p.apply("A", mr.createTimestamped([{ value: mr.kv("k", 1), timestamp: 5 }]));
      const b = p.apply("B", mr.create<mr.KV<string, number>>([]));
      const c = p.apply(
        "C",
        mr.createTimestamped([
          { value: mr.kv("k", 2), timestamp: 7 },
          { value: mr.kv("j", 3), timestamp: 9 },
        ]),
      );
      const all = p.apply(mr.flatten([a, b, c]));
      mr.testing.assertThat(all.map((e, ctx) => [e.value, ctx.timestamp])).containsInAnyOrder([
        [1, 5],
        [2, 7],
        [3, 9],
      ]);
      mr.testing.assertThat(all.apply(mr.combinePerKey(mr.combiners.sum()))).containsInAnyOrder([mr.kv("k", 3), mr.kv("j", 3)]);
      mr.testing.assertThat(p.apply("AllEmpty", mr.flatten([b, b.map((x) => x)]))).isEmpty();
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("flatten: the same collection twice", (p) => {
      const a = p.apply(mr.create(["x", "y"]));
      mr.testing.assertThat(p.apply(mr.flatten([a, a]))).containsInAnyOrder(["x", "x", "y", "y"]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("partition: by index", (p) => {
      const nums = p.apply(mr.create(range(10)));
      const parts = nums.apply(mr.partition(3, (x: number, n: number) => x % n));
      if (parts.length !== 3) throw new Error(`partition(3) gave ${parts.length} collections`);
      mr.testing.assertThat(parts[0]!).containsInAnyOrder([0, 3, 6, 9]);
      mr.testing.assertThat(parts[1]!).containsInAnyOrder([1, 4, 7]);
      mr.testing.assertThat(parts[2]!).containsInAnyOrder([2, 5, 8]);
      // A partition can be empty; partitions are ordinary collections.
      const [small, none] = nums.apply(
        "Small",
        mr.partition(2, () => 0),
      );
      mr.testing.assertThat(none!).isEmpty();
      mr.testing.assertThat(small!.apply(mr.countGlobally())).equals(10);
    }),
    assertions: 5,
  },
  {
    definition: mr.definePipeline("partition: an out-of-range index fails", (p) => {
      p.apply(mr.create([1, 2, 3])).apply(
        "BadPartition",
        mr.partition(2, (x: number) => (x === 3 ? 2 : 0)),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      if (!/BadPartition/.test(err.message)) throw new Error("message should name the transform");
      if (!/\b2\b/.test(err.message)) throw new Error("message should show the bad index 2");
      if (err.element === undefined || !/3/.test(err.element))
        throw new Error(`err.element should show the element 3, got ${String(err.element)}`);
    },
  },
  {
    definition: mr.definePipeline("reshuffle: keeps elements and timestamps", (p) => {
      const pc = p.apply(
        mr.createTimestamped([
          { value: { id: 1 }, timestamp: 100 },
          { value: { id: 2 }, timestamp: 200 },
          { value: { id: 2 }, timestamp: 200 },
          { value: { id: 3 }, timestamp: -100 },
        ]),
      );
      const out = pc.apply(mr.reshuffle());
      mr.testing.assertThat(out).containsInAnyOrder([{ id: 1 }, { id: 2 }, { id: 2 }, { id: 3 }]);
      mr.testing.assertThat(out.map((e, ctx) => [e.id, ctx.timestamp])).containsInAnyOrder([
        [1, 100],
        [2, 200],
        [2, 200],
        [3, -100],
      ]);
      mr.testing.assertThat(out.map((_, ctx) => mr.isGlobalWindow(ctx.window))).containsInAnyOrder([true, true, true, true]);
      mr.testing.assertThat(p.apply("Empty", mr.create<number>([])).apply("ReshuffleEmpty", mr.reshuffle())).isEmpty();
    }),
    assertions: 4,
  },
];
