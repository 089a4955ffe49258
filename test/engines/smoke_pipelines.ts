/**
 * The smoke set an engine (Flink, Spark) must run: each pipeline writes its
 * result to `--output` so the test compares it with the direct runner's.
 * They are built from this module, so the job client bundles and stages it
 * as a user's.
 */
import * as mr from "../../index";

const OUTPUT = { output: { type: "string" as const, description: "prefix of the files written" } };
const output = (p: mr.Pipeline) => p.options.get<string>("output")!;

const LINES = ["the quick brown fox", "jumps over the lazy dog", "the dog sleeps", "a fox is quick and the dog is lazy"];

/** Word count with file output. */
export const wordCount = mr.definePipeline(
  "wordCount",
  (p) => {
    p.apply("Lines", mr.create(LINES))
      .apply(
        "Words",
        mr.flatMap((line: string) => line.split(" ")),
      )
      .apply("Count", mr.countPerElement<string>())
      .apply(
        "Format",
        mr.map(({ key, value }: mr.KV<string, number>) => `${key}: ${value}`),
      )
      .apply("Write", mr.io.writeText(output(p), { numShards: 1 }));
  },
  { flags: OUTPUT },
);

/** Fixed one-minute windows and a combine per key, formatted with each window's start. */
export const windowedSums = mr.definePipeline(
  "windowedSums",
  (p) => {
    const events = Array.from({ length: 60 }, (_, i) => ({ value: mr.kv(`k${i % 3}`, i), timestamp: i * 7_000 }));
    p.apply("Events", mr.createTimestamped(events))
      .apply("Minutes", mr.windowInto(mr.windows.fixed(60_000)))
      .apply("Sum", mr.combinePerKey(mr.combiners.sum()))
      .apply(
        "Format",
        mr.map(({ key, value }: mr.KV<string, number>, ctx) => `${(ctx.window as mr.IntervalWindow).start} ${key} ${value}`),
      )
      .apply("Global", mr.windowInto(mr.windows.global()))
      .apply("Write", mr.io.writeText(output(p), { numShards: 1 }));
  },
  { flags: OUTPUT },
);

/** A singleton side input (the total) read by every element of the main input. */
export const sideInputShares = mr.definePipeline(
  "sideInputShares",
  (p) => {
    const numbers = p.apply("Numbers", mr.create([1, 2, 3, 4, 10]));
    const total = mr.views.singleton(numbers.apply("Total", mr.combineGlobally(mr.combiners.sum())));
    numbers
      .apply(
        "Share",
        mr.map((n: number, ctx) => `${n}/${ctx.sideInput("total") as number}`, { sideInputs: { total } }),
      )
      .apply("Write", mr.io.writeText(output(p), { numShards: 1 }));
  },
  { flags: OUTPUT },
);

/** A stateful DoFn: a running count per key in value state, so each element's output depends on those before it. */
export const statefulRunningCount = mr.definePipeline(
  "statefulRunningCount",
  (p) => {
    const keyed = ["a", "b", "a", "c", "a", "b"].map((k, i) => mr.kv(k, i));
    p.apply("Keyed", mr.create(keyed))
      .apply(
        "RunningCount",
        mr.parDo({
          state: { seen: mr.state.value<number>() },
          process({ key }: mr.KV<string, number>, ctx) {
            const seen = (ctx.state.seen.read() ?? 0) + 1;
            ctx.state.seen.write(seen);
            ctx.output(`${key} #${seen}`);
          },
        }),
      )
      .apply("Write", mr.io.writeText(output(p), { numShards: 1 }));
  },
  { flags: OUTPUT },
);

/** A DoFn that throws on one element: the job must fail, naming the transform and the element. */
export const failingDoFn = mr.definePipeline("failingDoFn", (p) => {
  p.apply("Numbers", mr.create([1, 2, 3, 4])).apply(
    "ExplodeOnThree",
    mr.map((n: number) => {
      if (n === 3) throw new Error(`three is not allowed (got ${n})`);
      return n;
    }),
  );
});

/** A job that outlasts any test that waits for it (10 minutes of work, 2 s per element) unless it is cancelled. */
export const untilCancelled = mr.definePipeline("untilCancelled", (p) => {
  p.apply("Numbers", mr.create(Array.from({ length: 300 }, (_, i) => i))).apply(
    "Slow",
    mr.map((n: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
      return n;
    }),
  );
});
