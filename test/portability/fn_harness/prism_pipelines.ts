/**
 * Pipelines the harness's end-to-end tests run on Prism. They are built
 * from this module (mr.definePipeline), so the job client bundles and stages
 * it as it would a user's. Each appends its results, one line per element,
 * to the file `--out` names (the harness runs on this machine).
 */
import * as fs from "node:fs";
import * as mr from "../../../index";

const flags = { out: { type: "string", description: "the file results are appended to" } } as const;

/** Appends each element as a line of `--out`. */
function record(
  p: mr.Pipeline,
  format: (x: never) => string = (x) => String(x),
): mr.PTransform<mr.PCollection<unknown>, mr.PCollection<unknown>> {
  const out = p.options.get<string>("out");
  if (!out) throw new Error("prism_pipelines: pass --out=<file>");
  return mr.map((x: unknown) => {
    fs.appendFileSync(out, format(x as never) + "\n");
    return x;
  });
}

/** Word count: split, pair, GroupByKey, count. */
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
      .apply("Record", record(p));
  },
  { flags },
);

/** Fixed windows of 10 s, summed per key and window after a GroupByKey. */
export const windowedSums = mr.definePipeline(
  "fnWindowedSums",
  (p) => {
    p.apply(
      "Events",
      mr.createTimestamped([
        { value: mr.kv("a", 1), timestamp: 1_000 },
        { value: mr.kv("a", 2), timestamp: 2_000 },
        { value: mr.kv("a", 5), timestamp: 12_000 },
        { value: mr.kv("b", 7), timestamp: 3_000 },
      ]),
    )
      .apply("Window", mr.windowInto(mr.windows.fixed(10_000)))
      .apply("Group", mr.groupByKey())
      .apply(
        "Sum",
        mr.map((kv: mr.KV<string, Iterable<number>>, ctx) => {
          let s = 0;
          for (const v of kv.value) s += v;
          return `${kv.key}@${(ctx.window as mr.IntervalWindow).start}: ${s}`;
        }),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** A singleton side input read by every main-input element. */
export const sideInput = mr.definePipeline(
  "fnSideInput",
  (p) => {
    const factor = p.apply("Factor", mr.create([10]));
    p.apply("Nums", mr.create([1, 2, 3]))
      .apply(
        "Scale",
        mr.map((n: number, ctx) => n * (ctx.sideInput("factor") as number), { sideInputs: { factor: mr.views.singleton(factor) } }),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** A stateful DoFn: a running count per key in value state, flushed by an event-time timer at the end of the window. */
export const statefulCounts = mr.definePipeline(
  "fnStatefulCounts",
  (p) => {
    p.apply("Events", mr.create([mr.kv("a", 1), mr.kv("b", 1), mr.kv("a", 1), mr.kv("a", 1)]))
      .apply(
        "Count",
        mr.parDo({
          state: { count: mr.state.value<number>() },
          timers: { flush: mr.timers.eventTime() },
          process(e: mr.KV<string, number>, ctx) {
            ctx.state.count.write((ctx.state.count.read() ?? 0) + e.value);
            ctx.timers.flush.set(0);
          },
          onTimer: {
            flush(ctx) {
              ctx.output(`${String(ctx.key)}=${ctx.state.count.read()}`);
            },
          },
        }),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** A DoFn that fails on one element. */
export const failing = mr.definePipeline(
  "fnFailing",
  (p) => {
    p.apply("Nums", mr.create([1, 2, 3]))
      .apply(
        "Explode",
        mr.map((n: number) => {
          if (n === 2) throw new Error("two is not allowed");
          return n;
        }),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** Combines Prism lifts (per key, globally, counting) and the text file sink, its results as files of `--out`'s folder. */
export const combinesToFiles = mr.definePipeline(
  "fnCombinesToFiles",
  (p) => {
    const out = p.options.get<string>("out");
    if (!out) throw new Error("prism_pipelines: pass --out=<file>");
    const words = p.apply("Words", mr.create(["a", "b", "a", "c", "a", "b"]));
    const counts = words.apply("Count", mr.countPerElement());
    const sums = words
      .apply(
        "Pair",
        mr.map((w: string) => mr.kv(w, w.charCodeAt(0) - 96)),
      )
      .apply("SumPerKey", mr.combinePerKey(mr.combiners.sum()));
    const total = sums
      .apply(
        "Values",
        mr.map((kv: mr.KV<string, number>) => kv.value),
      )
      .apply("Total", mr.combineGlobally(mr.combiners.sum()));
    counts
      .apply(
        "FormatCounts",
        mr.map((kv: mr.KV<string, number>) => `count ${kv.key}=${kv.value}`),
      )
      .apply("WriteCounts", mr.io.writeText(`${out}.counts`));
    sums
      .apply(
        "FormatSums",
        mr.map((kv: mr.KV<string, number>) => `sum ${kv.key}=${kv.value}`),
      )
      .apply("WriteSums", mr.io.writeText(`${out}.sums`));
    total
      .apply(
        "FormatTotal",
        mr.map((t: number) => `total=${t}`),
      )
      .apply("WriteTotal", mr.io.writeText(`${out}.total`));
  },
  { flags },
);
