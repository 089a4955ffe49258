/**
 * The micro-batch runner's large GroupByKey: more shuffle data than the
 * memory budget, so map tasks spill sorted runs and reduce tasks merge
 * them. Prints the input (elements, bytes of encoded records), the budget,
 * the peak resident memory of the process (driver and executor threads)
 * and the time.
 *
 *   npm run bench:microbatch-spill -- --elements=2000000 --keys=100 --executorMemoryMb=8
 */
import { isMainThread } from "node:worker_threads";
import * as os from "node:os";
import * as mr from "millrace";

const PAYLOAD_CHARS = 100;

/** The grouped pipeline; defined in this module so executors can rebuild it. */
const bigGroup = mr.definePipeline(
  "microbatchSpill",
  (p) => {
    const n = p.options.get<number>("elements")!;
    const keys = p.options.get<number>("keys")!;
    const payload = "x".repeat(PAYLOAD_CHARS);
    p.apply(mr.generateSequence({ from: 0, to: n }))
      .apply(
        "Pair",
        mr.map((i: number) => mr.kv(i % keys, `${i}:${payload}`)),
      )
      .apply("Group", mr.groupByKey())
      .apply(
        "Count",
        mr.map((kv: mr.KV<number, string[]>, ctx) => ctx.metrics.counter("grouped").inc(kv.value.length)),
      );
  },
  {
    flags: {
      elements: { type: "integer", default: 2_000_000, description: "how many elements" },
      keys: { type: "integer", default: 100, description: "how many distinct keys" },
    },
  },
);

async function main(): Promise<void> {
  const args = ["--runner=microbatch", "--executorMemoryMb=8", ...process.argv.slice(2)];
  const options = mr.PipelineOptions.fromArgs(args, { flags: bigGroup.flags });
  const n = options.get<number>("elements")!;
  const budget = options.get<number>("executorMemoryMb")!;
  const start = performance.now();
  const result = bigGroup.create(args).run();
  await result.waitUntilFinish();
  const ms = performance.now() - start;
  const grouped = result.metrics().counters.grouped ?? 0;
  if (grouped !== n) throw new Error(`grouped ${grouped} elements of ${n}`);
  // A record: the key and the windowed value, about the payload plus its number and framing.
  const approxBytes = n * (PAYLOAD_CHARS + String(n).length + 20);
  const rssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  console.log(`micro-batch GroupByKey with spilling, ${os.availableParallelism()} cores, ${args.slice(1).join(" ")}`);
  console.log(`  input              ${n.toLocaleString("en-US")} elements, ~${Math.round(approxBytes / 1e6)} MB of shuffle records`);
  console.log(`  memory budget      ${budget} MB per task (${Math.round(approxBytes / 1e6 / budget)}x less than the data)`);
  console.log(`  peak RSS           ${Math.round(rssMb)} MB (whole process: driver and executors)`);
  console.log(`  time               ${(ms / 1000).toFixed(1)} s (${Math.round(n / (ms / 1000)).toLocaleString("en-US")} elements/s)`);
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
