/**
 * End-to-end latency of the micro-batch runner on unbounded input: a paced
 * sequence (default 1,000 elements/s) through a keyed running count (state
 * in the versioned state store) to `io.writeText`'s batch files, with
 * micro-batches every `--batchIntervalMs` (default 200). An element's
 * latency is from when the source made it available (its due time under
 * the pace) to when the file holding it became visible (the file's ctime:
 * the rename that publishes it once its batch is committed). Prints p50, p99
 * and max over all elements, and the batches' processing time and
 * scheduling delay.
 *
 *   npm run bench:microbatch-latency -- --seconds=10 --batchIntervalMs=200
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const PERIOD_MS = 10;

/** The measured pipeline; defined in this module so executors can rebuild it. */
const latencyPipeline = mr.definePipeline(
  "microbatchLatency",
  (p) => {
    const perPeriod = Math.max(1, Math.round((p.options.get<number>("rate")! * PERIOD_MS) / 1000));
    p.apply(mr.generateSequence({ from: 0, periodMs: PERIOD_MS, elementsPerPeriod: perPeriod }))
      .apply(mr.withKeys((x: number) => x % 100))
      .apply(
        "RunningCount",
        mr.parDo({
          state: { count: mr.state.value<number>() },
          process({ value }: mr.KV<number, number>, ctx) {
            const count = (ctx.state.count.read() ?? 0) + 1;
            ctx.state.count.write(count);
            ctx.output(`${value} ${ctx.timestamp} ${count}`);
          },
        }),
      )
      .apply(mr.io.writeText(path.join(p.options.get<string>("out")!, "latency"), { suffix: ".txt" }));
  },
  {
    flags: {
      rate: { type: "integer", default: 1000, description: "elements per second" },
      seconds: { type: "number", default: 10, description: "how long to run" },
      out: { type: "string", default: "", description: "output directory (default: a temporary one)" },
    },
  },
);

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-latency-"));
  const options = mr.PipelineOptions.fromArgs(["--runner=microbatch", "--batchIntervalMs=200", ...args, `--out=${out}`], {
    flags: latencyPipeline.flags,
  });
  const seconds = options.get<number>("seconds")!;
  const rate = options.get<number>("rate")!;
  const interval = options.get<number>("batchIntervalMs")!;
  try {
    const result = latencyPipeline.create(["--runner=microbatch", "--batchIntervalMs=200", ...args, `--out=${out}`]).run();
    // Warm-up excluded: the first batches load code on the executors.
    setTimeout(() => result.cancel(), seconds * 1000);
    await result.waitUntilFinish();
    const perPeriod = Math.max(1, Math.round((rate * PERIOD_MS) / 1000));
    const latencies: number[] = [];
    let start: number | undefined;
    const files = fs
      .readdirSync(out)
      .filter((n) => n.startsWith("latency-") && n.endsWith(".txt"))
      .sort();
    const rows: { x: number; visible: number }[] = [];
    for (const name of files) {
      const visible = fs.statSync(path.join(out, name)).ctimeMs;
      for (const line of fs.readFileSync(path.join(out, name), "utf8").split("\n")) {
        if (line === "") continue;
        const [x, ts] = line.split(" ").map(Number) as [number, number];
        // Element 0 is stamped with the time pacing started: every due time follows from it.
        if (x === 0) start = ts;
        rows.push({ x, visible });
      }
    }
    if (start === undefined) throw new Error("no output");
    const warmUpMs = 2000;
    for (const { x, visible } of rows) {
      const due = start + Math.floor(x / perPeriod) * PERIOD_MS;
      if (due - start >= warmUpMs) latencies.push(visible - due);
    }
    latencies.sort((a, b) => a - b);
    const m = result.metrics();
    const proc = m.distributions["microbatch.batch.processingMs"]!;
    const delay = m.distributions["microbatch.batch.schedulingDelayMs"]!;
    const fmt = (v: number): string => `${v.toFixed(0)} ms`;
    console.log(
      `micro-batch end-to-end latency: --batchIntervalMs=${interval}, ${rate.toLocaleString("en-US")} elements/s, ${seconds} s (first ${warmUpMs / 1000} s not counted), ${os.availableParallelism()} cores`,
    );
    console.log(
      `  elements measured   ${latencies.length.toLocaleString("en-US")} (of ${rows.length.toLocaleString("en-US")} written, none twice: ${new Set(rows.map((r) => r.x)).size === rows.length})`,
    );
    console.log(
      `  latency             p50 ${fmt(percentile(latencies, 0.5))}, p99 ${fmt(percentile(latencies, 0.99))}, max ${fmt(latencies.at(-1)!)}`,
    );
    console.log(
      `  batches             ${proc.count}, processing ${fmt(proc.sum / proc.count)} avg (max ${fmt(proc.max)}), scheduling delay ${fmt(delay.sum / delay.count)} avg (max ${fmt(delay.max)})`,
    );
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
