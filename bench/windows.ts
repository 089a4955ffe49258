/**
 * The windowed counts of `bench/workloads/windowed_counts.ts` (tumbling,
 * sliding, sessions) on stream p=1, stream p=2, microbatch and direct
 * (checks off), interleaved: round after round, each configuration once per
 * round, each run in a fresh process (so peak RSS is the run's own), after
 * `--warmups` (default 1) warm-up jobs in that process (the stream runner's first job starts its
 * task managers; each thread JITs its own code, so p=2's threads, each seeing
 * half the events, need more jobs to run warm: `--warmups=3` measures the
 * steady state, the default the second job). Every run's results and digest must agree with the others
 * of its workload, or the script fails. With `--compareFastPath`, every
 * configuration also runs with `--windowFastPath=false` (the general
 * ReduceFnRunner) right after, A B A B.
 *
 * Prints one line per run and a median per configuration, with the load
 * average: the machine is shared, so read the figures with it.
 *
 * Sessions take the session fast path (`session_reduce_runner.ts`); with
 * `--compareFastPath` their general-path runs are the slow ones (tens of
 * seconds of CPU per 1M-event job): leave sessions out with
 * `--workloads=tumbling,sliding` for a quick run.
 *
 *   npm run bench:windows [-- --rounds=3 --events=1000000 --warmups=1 --workloads=tumbling,sliding,sessions
 *     --configs=stream1,stream2,microbatch,direct --compareFastPath]
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

const CONFIGS = {
  stream1: ["--runner=stream", "--parallelism=1"],
  stream2: ["--runner=stream", "--parallelism=2"],
  microbatch: ["--runner=microbatch"],
  direct: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
} as const;
type ConfigName = keyof typeof CONFIGS;
const WORKLOADS = ["tumbling", "sliding", "sessions"] as const;

interface Args {
  rounds: number;
  events: number;
  workloads: string[];
  configs: ConfigName[];
  compareFastPath: boolean;
  /** Unmeasured jobs in each process before the measured one (each worker thread JITs its own code: p=2's threads need more). */
  warmups: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    rounds: 3,
    events: 1_000_000,
    workloads: [...WORKLOADS],
    configs: Object.keys(CONFIGS) as ConfigName[],
    compareFastPath: false,
    warmups: 1,
  };
  for (const a of argv) {
    let m: RegExpExecArray | null;
    if (a === "--compareFastPath") args.compareFastPath = true;
    else if ((m = /^--(rounds|events|warmups)=(\d+)$/.exec(a))) args[m[1] as "rounds" | "events" | "warmups"] = Number(m[2]);
    else if ((m = /^--workloads=([\w,]+)$/.exec(a))) {
      args.workloads = m[1]!.split(",");
      for (const w of args.workloads)
        if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--workloads: unknown ${w}; known: ${WORKLOADS.join(", ")}`);
    } else if ((m = /^--configs=([\w,]+)$/.exec(a))) {
      args.configs = m[1]!.split(",").map((c) => {
        if (!(c in CONFIGS)) throw new Error(`--configs: unknown ${c}; known: ${Object.keys(CONFIGS).join(", ")}`);
        return c as ConfigName;
      });
    } else
      throw new Error(`unknown argument ${a}; accepted: --rounds=N --events=N --warmups=N --workloads=a,b --configs=a,b --compareFastPath`);
  }
  return args;
}

interface Measured {
  results: number;
  digest: string;
  jobMs: number;
  cpuMs: number;
  peakRssMiB: number;
  load: number;
}

/** Runs one job (after `warmups` warm-up jobs) in a fresh process and parses its RESULT line. */
function runOnce(flags: readonly string[], warmups: number): Measured {
  const script = path.join(__dirname, "workloads", "windowed_counts.js");
  const out = execFileSync(process.execPath, [script, `--warmups=${warmups}`, "--runs=1", ...flags], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const line = out.split("\n").find((l) => l.startsWith("RESULT"));
  if (!line) throw new Error(`no RESULT line from ${flags.join(" ")}:\n${out}`);
  const field = (name: string): string => {
    const f = line.split("\t").find((x) => x.startsWith(`${name}=`));
    if (f === undefined) throw new Error(`RESULT line without ${name}: ${line}`);
    return f.slice(name.length + 1);
  };
  return {
    results: Number(field("results")),
    digest: field("digest"),
    jobMs: Number(field("jobMs")),
    cpuMs: Number(field("cpuMs")),
    peakRssMiB: Number(field("peakRssMiB")),
    load: Number(field("load")),
  };
}

/** The median; for an even count the mean of the middle two (so two rounds do not report their slower one). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const variants: { label: string; flags: string[] }[] = [];
  for (const c of args.configs) {
    variants.push({ label: c, flags: [...CONFIGS[c]] });
    if (args.compareFastPath) variants.push({ label: `${c}/general`, flags: [...CONFIGS[c], "--windowFastPath=false"] });
  }
  console.log(
    `windowed counts: ${args.events.toLocaleString("en-US")} events, ${args.rounds} interleaved rounds, ${args.warmups} warm-up job(s) per process; ${os.availableParallelism()} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  for (const workload of args.workloads) {
    const runs = new Map<string, Measured[]>(variants.map((v) => [v.label, []]));
    let expected: { results: number; digest: string; from: string } | undefined;
    for (let round = 0; round < args.rounds; round++) {
      for (const v of variants) {
        const m = runOnce([`--workload=${workload}`, `--events=${args.events}`, ...v.flags], args.warmups);
        expected ??= { results: m.results, digest: m.digest, from: v.label };
        if (m.results !== expected.results || m.digest !== expected.digest)
          throw new Error(
            `${workload} on ${v.label}: ${m.results} results, digest ${m.digest}; ${expected.from} gave ${expected.results}, digest ${expected.digest}`,
          );
        runs.get(v.label)!.push(m);
        console.log(
          `  ${workload.padEnd(9)} ${v.label.padEnd(20)} round ${round + 1}: job ${m.jobMs} ms, CPU ${m.cpuMs} ms, peak RSS ${m.peakRssMiB} MiB (load ${m.load.toFixed(1)})`,
        );
      }
    }
    console.log(`${workload}: ${expected!.results} results, digest ${expected!.digest}; medians:`);
    for (const v of variants) {
      const ms = runs.get(v.label)!;
      console.log(
        `  ${v.label.padEnd(20)} job ${median(ms.map((m) => m.jobMs))} ms, CPU ${median(ms.map((m) => m.cpuMs))} ms, peak RSS ${median(
          ms.map((m) => m.peakRssMiB),
        )} MiB, load ${median(ms.map((m) => m.load)).toFixed(1)}`,
      );
    }
  }
}

main();
