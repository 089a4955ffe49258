/**
 * Word count: reads a text, counts each word, and prints the most frequent
 * ones (or writes all counts to files with --output).
 *
 *   npm start                                   # the bundled text, direct runner
 *   npm start -- --input='/path/to/*.txt' --output=/tmp/counts --top=5
 *   npm start -- --help                         # every flag, with defaults
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as mr from "millrace";

/** The bundled data: next to this file when run from source, or in the repo when run compiled from dist/. */
function bundledData(): string {
  const beside = path.join(__dirname, "data");
  return fs.existsSync(beside) ? beside : path.join(__dirname, "..", "..", "examples", "data");
}

/** Lines to lower-case words: the reusable part of the pipeline. */
const countWords = mr.ptransform("CountWords", (lines: mr.PCollection<string>) =>
  lines
    .apply(
      "ExtractWords",
      mr.flatMap((line: string) => line.toLowerCase().split(/[^a-z']+/)),
    )
    .apply(
      "DropEmpty",
      mr.filter((word: string) => word.replace(/'/g, "").length > 0),
    )
    .apply("Count", mr.countPerElement<string>()),
);

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), {
    flags: {
      input: {
        type: "string",
        description: "file or glob to read",
        default: path.join(bundledData(), "hamlet-act3-scene1.txt"),
      },
      output: { type: "string", description: "write all counts to files with this prefix (default: print the top words)" },
      top: { type: "integer", min: 1, default: 10, description: "how many of the most frequent words to print" },
    },
  });

  const p = mr.Pipeline.create(options);
  const counts = p.apply("Read", mr.io.readText(options.get<string>("input")!)).apply(countWords);

  const output = options.get<string>("output");
  if (output) {
    counts
      .apply(
        "Format",
        mr.map(({ key, value }: mr.KV<string, number>) => `${key}: ${value}`),
      )
      .apply("Write", mr.io.writeText(output, { suffix: ".txt" }))
      .apply(
        "Report",
        mr.map((file: string) => console.log(`wrote ${file}`)),
      );
  } else {
    const n = options.get<number>("top")!;
    counts
      .apply(
        "Top",
        mr.combineGlobally(mr.combiners.top<mr.KV<string, number>>(n, (a, b) => a.value - b.value || b.key.localeCompare(a.key))),
      )
      .apply(
        "Print",
        mr.map((top: mr.KV<string, number>[]) => top.forEach(({ key, value }) => console.log(`${String(value).padStart(4)}  ${key}`))),
      );
  }

  await p.run().waitUntilFinish();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
