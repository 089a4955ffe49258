/**
 * What the direct runner's checks (immutability and encodability) cost when
 * one bundle emits many elements: an `impulse` whose single element a
 * `flatMap` turns into `--elements` records (1,000,000 by default), each
 * keyed and summed per key, so the whole output of the run is one bundle.
 * Two shapes:
 *
 * - `fused`: the records flow through a keyed `map` into a lifted combine in
 *   the same stage, so with checks off nothing holds them;
 * - `grouped`: the records go to a `groupByKey`, so with checks off the
 *   runner holds them all anyway (the bundle's outputs wait for its end).
 *
 * Each run is its own process (peak RSS is per process), checks on and off
 * interleaved (on, off, on, off...); the figures printed are the median CPU
 * time of the pipeline run and the median peak RSS of each configuration,
 * the on/off ratios, and the load average at each run.
 *
 *   npm run bench:direct-checks [-- --elements=1000000 --runs=3 --shape=fused,grouped]
 *   (or, after a build: node dist/bench/direct_checks.js)
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as mr from "millrace";

const SHAPES = ["fused", "grouped"] as const;
type Shape = (typeof SHAPES)[number];
const CHECKS = { on: [] as string[], off: ["--enforceImmutability=false", "--enforceEncodability=false"] };
type Checks = keyof typeof CHECKS;

interface Args {
  elements: number;
  runs: number;
  shapes: Shape[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { elements: 1_000_000, runs: 3, shapes: [...SHAPES] };
  for (const a of argv) {
    const shapes = /^--shape=([\w,]+)$/.exec(a);
    if (shapes) {
      args.shapes = shapes[1]!.split(",").map((s) => {
        if (!(SHAPES as readonly string[]).includes(s)) throw new Error(`--shape: unknown shape ${s}; known: ${SHAPES.join(", ")}`);
        return s as Shape;
      });
      continue;
    }
    const m = /^--(elements|runs)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; accepted: --elements=N --runs=N --shape=${SHAPES.join(",")}`);
    args[m[1] as "elements" | "runs"] = Number(m[2]);
  }
  return args;
}

/** A record as user code would emit it: a plain object with a nested array. */
interface Reading {
  sensor: string;
  value: number;
  tags: string[];
}

const KEYS = 1000;

/** One bundle of `elements` records, summed per sensor; the distinct sensors counted in a metric. */
function buildPipeline(shape: Shape, elements: number, checks: Checks): mr.Pipeline {
  const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(["--runner=direct", "--seed=1", ...CHECKS[checks]]));
  const readings = p.apply(mr.impulse()).apply(
    mr.flatMap(function* (): Generator<Reading> {
      for (let i = 0; i < elements; i++) yield { sensor: `s${i % KEYS}`, value: i % 7, tags: ["a", "b"] };
    }),
  );
  const keyed =
    shape === "fused"
      ? readings.apply(mr.map((r: Reading) => mr.kv(r.sensor, r.value)))
      : readings
          .apply(mr.map((r: Reading) => mr.kv(r.sensor, r)))
          .apply(mr.groupByKey<string, Reading>())
          .apply(
            mr.map((g: mr.KV<string, Reading[]>) =>
              mr.kv(
                g.key,
                g.value.reduce((s, r) => s + r.value, 0),
              ),
            ),
          );
  keyed.apply(mr.combinePerKey(mr.combiners.sum())).apply(mr.map((_: mr.KV<string, number>, ctx) => ctx.metrics.counter("distinct").inc()));
  return p;
}

interface Figures {
  cpuMs: number;
  maxRssMiB: number;
  load: number;
}

/** In a child process: one run, its figures as JSON on stdout. */
async function child(shape: Shape, elements: number, checks: Checks): Promise<void> {
  const p = buildPipeline(shape, elements, checks);
  const cpuStart = process.cpuUsage();
  const result = p.run();
  const state = await result.waitUntilFinish();
  const used = process.cpuUsage(cpuStart);
  const distinct = result.metrics().counters.distinct ?? 0;
  if (state !== "DONE" || distinct !== KEYS) throw new Error(`run ended ${state} with ${distinct} keys, expected DONE with ${KEYS}`);
  const figures: Figures = {
    cpuMs: (used.user + used.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    load: os.loadavg()[0]!,
  };
  process.stdout.write(JSON.stringify(figures));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runChild(shape: Shape, elements: number, checks: Checks): Figures {
  const out = execFileSync(process.execPath, [__filename, "--child", shape, String(elements), checks], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out) as Figures;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `direct runner checks, one bundle of ${args.elements.toLocaleString("en-US")} records (${KEYS} keys), ` +
      `${args.runs} runs per configuration, on/off interleaved, each in its own process, ${os.availableParallelism()} cores`,
  );
  for (const shape of args.shapes) {
    const figures: Record<Checks, Figures[]> = { on: [], off: [] };
    for (let run = 0; run < args.runs; run++) {
      for (const checks of ["on", "off"] as const) {
        const f = runChild(shape, args.elements, checks);
        figures[checks].push(f);
        console.log(
          `  ${shape} checks ${checks.padEnd(3)} run ${run + 1}: CPU ${f.cpuMs.toFixed(0)} ms, peak RSS ${f.maxRssMiB.toFixed(0)} MiB (load ${f.load.toFixed(1)})`,
        );
      }
    }
    const cpu = (c: Checks): number => median(figures[c].map((f) => f.cpuMs));
    const rss = (c: Checks): number => median(figures[c].map((f) => f.maxRssMiB));
    console.log(
      `${shape}: checks on ${cpu("on").toFixed(0)} ms CPU, ${rss("on").toFixed(0)} MiB peak; ` +
        `off ${cpu("off").toFixed(0)} ms CPU, ${rss("off").toFixed(0)} MiB peak; ` +
        `on/off CPU ${(cpu("on") / cpu("off")).toFixed(2)}x, peak RSS +${(rss("on") - rss("off")).toFixed(0)} MiB (medians)`,
    );
  }
}

if (process.argv[2] === "--child") {
  child(process.argv[3] as Shape, Number(process.argv[4]), process.argv[5] as Checks).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main();
}
