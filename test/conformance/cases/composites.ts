/** Composite transforms: PTransform subclasses and mr.ptransform, nested, with several outputs. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

class CountWords extends mr.PTransform<mr.PCollection<string>, mr.PCollection<mr.KV<string, number>>> {
  constructor(private readonly minLength: number) {
    super();
  }
  expand(lines: mr.PCollection<string>): mr.PCollection<mr.KV<string, number>> {
    const min = this.minLength;
    return lines
      .flatMap((l) => l.split(/\W+/))
      .filter((w) => w.length >= min)
      .apply(mr.countPerElement());
  }
}

const splitByLength = mr.ptransform("SplitByLength", (words: mr.PCollection<string>) => {
  const [short, long] = words.apply(mr.partition(2, (w: string) => (w.length <= 3 ? 0 : 1)));
  return { short: short!, long: long! };
});

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("composite: PTransform subclass applied twice", (p) => {
      const lines = p.apply(mr.create(["the cat and the hat", "a cat"]));
      mr.testing
        .assertThat(lines.apply("All", new CountWords(1)))
        .containsInAnyOrder([mr.kv("the", 2), mr.kv("cat", 2), mr.kv("and", 1), mr.kv("hat", 1), mr.kv("a", 1)]);
      mr.testing.assertThat(lines.apply("Long", new CountWords(4))).isEmpty();
      // Unnamed: a generated name that does not collide with the others.
      mr.testing.assertThat(lines.apply(new CountWords(3)).apply(mr.keys())).containsInAnyOrder(["the", "cat", "and", "hat"]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("composite: ptransform with several outputs, nested", (p) => {
      const words = p.apply(mr.create(["a", "tree", "sky", "mountain"]));
      const nested = mr.ptransform("Outer", (ws: mr.PCollection<string>) => {
        const parts = ws.apply("Inner", splitByLength);
        return { short: parts.short.map((w) => w.toUpperCase()), long: parts.long };
      });
      const out = words.apply(nested);
      mr.testing.assertThat(out.short).containsInAnyOrder(["A", "SKY"]);
      mr.testing.assertThat(out.long).containsInAnyOrder(["tree", "mountain"]);
    }),
    assertions: 2,
  },
];
