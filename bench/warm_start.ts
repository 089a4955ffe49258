/**
 * First job against warm jobs: each runner configuration runs in a fresh
 * process (so its first job pays for starting worker threads, loading and
 * rebuilding the pipeline there, and cold code), then runs the same
 * pipeline again `--jobs - 1` times in that process (warm task managers and
 * executors, rebuilt pipelines reused). For each configuration it prints
 * the first job's time and CPU, the median warm job's, their ratio, and the
 * process's peak RSS after the first job and after the last.
 *
 * Workloads: the word count of `bench/wordcount.ts` (`--words` words from
 * `create`, a 10,000-word vocabulary) and the tumbling window count of
 * `bench/workloads/windowed_counts.ts` (1M events, 10k keys, 1-s windows).
 * Configurations run interleaved, one fresh process each per round; the load
 * average is printed with each figure (CPU time is the figure to trust on a
 * busy machine).
 *
 *   npm run bench:warm-start [-- --words=1000000 --events=1000000 --jobs=5 --rounds=1 --only=stream2,microbatch --workloads=wordcount,tumbling]
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";
import { runWindowedCounts } from "./workloads/windowed_counts";
import { measureJob } from "./workloads/measured_run";
import { makeWords } from "./support/word_lists";

const CONFIGS = {
  direct: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
  microbatch: ["--runner=microbatch", "--executors=1"],
  microbatch2: ["--runner=microbatch", "--executors=2"],
  stream1: ["--runner=stream", "--parallelism=1"],
  stream2: ["--runner=stream", "--parallelism=2"],
} as const;
type ConfigName = keyof typeof CONFIGS;
const WORKLOADS = ["wordcount", "tumbling"] as const;
type Workload = (typeof WORKLOADS)[number];

/** The word count, defined in this module so that worker threads rebuild it from here. */
const wordCount = mr.definePipeline(
  "warmStartWordCount",
  (p) => {
    p.apply(mr.create(makeWords(p.options.get<number>("words")!, 10_000)))
      .apply(mr.countPerElement())
      .apply(mr.map((_: mr.KV<string, number>, ctx) => ctx.metrics.counter("distinct").inc()));
  },
  { flags: { words: { type: "integer", default: 1_000_000, min: 1, description: "words to count" } } },
);

/** One job's figures, as a child prints them. */
interface JobFigures {
  jobMs: number;
  cpuMs: number;
  peakRssMiB: number;
  /** The result, to check every job of every configuration agrees. */
  result: string;
}

async function runJob(workload: Workload, size: number, runnerFlags: readonly string[]): Promise<JobFigures> {
  if (workload === "tumbling") {
    const r = await runWindowedCounts(["--workload=tumbling", `--events=${size}`, ...runnerFlags]);
    return { jobMs: r.jobMs, cpuMs: r.cpuMs, peakRssMiB: r.peakRssMiB, result: `${r.results}/${r.digest}` };
  }
  const { jobMs, cpuMs, peakRssMiB, counters } = await measureJob(wordCount.create([...runnerFlags, `--words=${size}`]));
  return { jobMs, cpuMs, peakRssMiB, result: String(counters.distinct ?? 0) };
}

/** In a fresh process: runs `jobs` jobs and prints one JSON line of figures per job. */
async function child(argv: readonly string[]): Promise<void> {
  const workload = value(argv, "workload") as Workload;
  const size = Number(value(argv, "size"));
  const jobs = Number(value(argv, "jobs"));
  const runnerFlags = argv.filter((a) => !/^--(child|workload|size|jobs)(=|$)/.test(a));
  for (let i = 0; i < jobs; i++) console.log(`JOB ${JSON.stringify(await runJob(workload, size, runnerFlags))}`);
}

function value(argv: readonly string[], name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Args {
  words: number;
  events: number;
  jobs: number;
  rounds: number;
  only: ConfigName[];
  workloads: Workload[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    words: 1_000_000,
    events: 1_000_000,
    jobs: 5,
    rounds: 1,
    only: Object.keys(CONFIGS) as ConfigName[],
    workloads: [...WORKLOADS],
  };
  for (const a of argv) {
    const list = /^--(only|workloads)=([\w,]+)$/.exec(a);
    if (list) {
      const known: readonly string[] = list[1] === "only" ? Object.keys(CONFIGS) : WORKLOADS;
      const names = list[2]!.split(",");
      for (const n of names) if (!known.includes(n)) throw new Error(`--${list[1]}: unknown ${n}; known: ${known.join(", ")}`);
      if (list[1] === "only") args.only = names as ConfigName[];
      else args.workloads = names as Workload[];
      continue;
    }
    const m = /^--(words|events|jobs|rounds)=(\d+)$/.exec(a);
    if (!m || Number(m[2]) < 1)
      throw new Error(
        `unknown argument ${a}; accepted: --words=N --events=N --jobs=N (>= 2) --rounds=N --only=${Object.keys(CONFIGS).join(",")} --workloads=${WORKLOADS.join(",")}`,
      );
    args[m[1] as "words" | "events" | "jobs" | "rounds"] = Number(m[2]);
  }
  if (args.jobs < 2) throw new Error("--jobs: at least 2 (a first job and a warm one)");
  return args;
}

/** Runs one configuration's jobs in a fresh process and returns their figures. */
function runFresh(workload: Workload, size: number, jobs: number, config: ConfigName): JobFigures[] {
  const out = execFileSync(
    process.execPath,
    [__filename, "--child", `--workload=${workload}`, `--size=${size}`, `--jobs=${jobs}`, ...CONFIGS[config]],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 << 20 },
  );
  const figures = out
    .split("\n")
    .filter((l) => l.startsWith("JOB "))
    .map((l) => JSON.parse(l.slice(4)) as JobFigures);
  if (figures.length !== jobs) throw new Error(`${workload} on ${CONFIGS[config].join(" ")}: ${figures.length} of ${jobs} jobs reported`);
  return figures;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `first job against warm jobs, each configuration in a fresh process (${args.jobs} jobs: the first, then the median of the others), ` +
      `${args.rounds} round(s) interleaved; ${os.availableParallelism()} cores`,
  );
  for (const workload of args.workloads) {
    const size = workload === "tumbling" ? args.events : args.words;
    console.log(`${workload} (${size.toLocaleString("en-US")} ${workload === "tumbling" ? "events" : "words"}):`);
    const expected = new Set<string>();
    for (let round = 0; round < args.rounds; round++) {
      for (const config of args.only) {
        const load = os.loadavg()[0]!;
        const jobs = runFresh(workload, size, args.jobs, config);
        for (const j of jobs) expected.add(j.result);
        if (expected.size > 1) throw new Error(`${workload}: results differ between jobs or configurations: ${[...expected].join(" vs ")}`);
        const [first, ...warm] = jobs as [JobFigures, ...JobFigures[]];
        const warmMs = median(warm.map((j) => j.jobMs));
        const warmCpu = median(warm.map((j) => j.cpuMs));
        console.log(
          `  ${config.padEnd(12)} first ${first.jobMs.toFixed(0).padStart(6)} ms (CPU ${first.cpuMs.toFixed(0)}), ` +
            `warm ${warmMs.toFixed(0).padStart(6)} ms (CPU ${warmCpu.toFixed(0)}): first/warm ${(first.jobMs / warmMs).toFixed(2)}x time, ` +
            `${(first.cpuMs / warmCpu).toFixed(2)}x CPU; peak RSS ${first.peakRssMiB.toFixed(0)} MiB after the first job, ` +
            `${jobs[jobs.length - 1]!.peakRssMiB.toFixed(0)} MiB after the last; load average ${load.toFixed(1)}`,
        );
      }
    }
  }
}

// Worker threads load this module to rebuild the pipelines: only a main thread measures, a child runs jobs.
if (isMainThread && require.main === module) {
  const argv = process.argv.slice(2);
  (argv.includes("--child") ? child(argv) : main()).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
