/**
 * Pipelines the harness's end-to-end tests run on Prism. They are built
 * from this module (mr.definePipeline), so the job client bundles and stages
 * it as it would a user's, and a harness that rebuilds code can load it.
 * Each writes its result to text files under the `--out` prefix.
 */
import * as mr from "../../../index";

const flags = { out: { type: "string", description: "prefix of the output files" } } as const;

function outOf(p: mr.Pipeline): string {
  const out = p.options.get<string>("out");
  if (!out) throw new Error("prism_pipelines: pass --out=<prefix>");
  return out;
}

/** Word count with file output. */
export const wordCount = mr.definePipeline(
  "fnWordCount",
  (p) => {
    p.apply("Lines", mr.create(["the cat", "the dog", "a cat"]))
      .apply(
        "Split",
        mr.flatMap((l: string) => l.split(" ")),
      )
      .apply(
        "PairWithOne",
        mr.map((w: string) => mr.kv(w, 1)),
      )
      .apply("Group", mr.groupByKey())
      .apply(
        "Format",
        mr.map((kv: mr.KV<string, Iterable<number>>) => `${kv.key}: ${[...kv.value].length}`),
      )
      .apply("Write", mr.io.writeText(outOf(p)));
  },
  { flags },
);
