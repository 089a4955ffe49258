/**
 * Pipelines whose sources are splittable DoFns, for the harness's runs on
 * real engines (Prism, Flink, Spark): the engine expands each SDF into
 * Beam's phases and the harness runs them. Each appends its results, one
 * line per element, to the file `--out` names (the harness runs on this
 * machine); `--input` names a file to read where one is read.
 */
import * as fs from "node:fs";
import * as mr from "../../../index";

const flags = {
  out: { type: "string", description: "the file results are appended to" },
  input: { type: "string", description: "a file (or pattern) to read" },
} as const;

/** Appends each element as a line of `--out`. */
function record(p: mr.Pipeline): mr.PTransform<mr.PCollection<unknown>, mr.PCollection<unknown>> {
  const out = p.options.get<string>("out");
  if (!out) throw new Error("sdf_pipelines: pass --out=<file>");
  return mr.map((x: unknown) => {
    fs.appendFileSync(out, `${String(x)}\n`);
    return x;
  });
}

/** The numbers [0, 250) of a bounded generateSequence, each tagged "n=". */
export const boundedSequence = mr.definePipeline(
  "sdfBoundedSequence",
  (p) => {
    p.apply("Numbers", mr.generateSequence({ from: 0, to: 250 }))
      .apply(
        "Tag",
        mr.map((n: number) => `n=${n}`),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** The lines of `--input` (readText: a splittable DoFn over each file's byte ranges), upper-cased. */
export const readLines = mr.definePipeline(
  "sdfReadLines",
  (p) => {
    const input = p.options.get<string>("input");
    if (!input) throw new Error("sdf_pipelines: pass --input=<file>");
    p.apply("Read", mr.io.readText(input))
      .apply(
        "Upper",
        mr.map((l: string) => l.toUpperCase()),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/**
 * An unbounded generateSequence (20 numbers every 100 ms: the SDF
 * checkpoints itself between periods), counted in fixed 1 s windows of
 * processing time; runs until cancelled.
 */
export const unboundedCounts = mr.definePipeline(
  "sdfUnboundedCounts",
  (p) => {
    p.apply("Ticks", mr.generateSequence({ from: 0, periodMs: 100, elementsPerPeriod: 20 }))
      .apply("Seconds", mr.windowInto(mr.windows.fixed(1_000)))
      .apply(
        "One",
        mr.map((n: number) => mr.kv("ticks", n)),
      )
      .apply("Count", mr.combinePerKey(mr.combiners.count()))
      .apply(
        "Format",
        mr.map(({ value }: mr.KV<string, number>, ctx) => `window ${(ctx.window as mr.IntervalWindow).start}: ${value}`),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** The count and sum of the numbers [0, 1,000,000): long enough that an engine may split the restriction while it runs. */
export const largeSequenceSum = mr.definePipeline(
  "sdfLargeSequenceSum",
  (p) => {
    const numbers = p.apply("Numbers", mr.generateSequence({ from: 0, to: 1_000_000 }));
    const count = numbers.apply("Count", mr.combineGlobally(mr.combiners.count()));
    const sum = numbers.apply("Sum", mr.combineGlobally(mr.combiners.sum()));
    count
      .apply(
        "FormatCount",
        mr.map((n: number) => `count=${n}`),
      )
      .apply("RecordCount", record(p));
    sum
      .apply(
        "FormatSum",
        mr.map((n: number) => `sum=${n}`),
      )
      .apply("RecordSum", record(p));
  },
  { flags },
);

/** Watches `--input` (a glob) continuously, reads each new file's lines once, upper-cased; runs until cancelled. */
export const watchedLines = mr.definePipeline(
  "sdfWatchedLines",
  (p) => {
    const input = p.options.get<string>("input");
    if (!input) throw new Error("sdf_pipelines: pass --input=<glob>");
    p.apply("Watch", mr.io.matchFiles(input, { continuously: { pollIntervalMs: 50 } }))
      .apply("Matches", mr.io.readMatches())
      .apply("Lines", mr.io.readTextFiles())
      .apply(
        "Upper",
        mr.map((l: string) => l.toUpperCase()),
      )
      .apply("Record", record(p));
  },
  { flags },
);

/** Reads `--topic` of the broker at `--bootstrap` without end (the unbounded Kafka read), recording each value; runs until cancelled. */
export const kafkaValuesUntilCancelled = mr.definePipeline(
  "sdfKafkaValuesUntilCancelled",
  (p) => {
    const bootstrapServers = p.options.get<string>("bootstrap");
    const topic = p.options.get<string>("topic");
    if (!bootstrapServers || !topic) throw new Error("sdf_pipelines: pass --bootstrap=<host:port> and --topic=<name>");
    p.apply("Read", mr.io.kafka.read({ bootstrapServers, topics: [topic] }))
      .apply(
        "Upper",
        mr.map((v: string) => v.toUpperCase()),
      )
      .apply("Record", record(p));
  },
  {
    flags: {
      ...flags,
      bootstrap: { type: "string", description: "the Kafka bootstrap address" },
      topic: { type: "string", description: "the topic read" },
    },
  },
);
