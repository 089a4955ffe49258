/**
 * Running one workload job in this process and printing what bench/peers'
 * compare script reads: one tab-separated line starting with `RESULT`
 * (the same line bench/workloads/windowed_counts.ts prints):
 * `flags=`, `warm=`, `results=`, `digest=`, `jobMs=` (from `run()` to
 * `waitUntilFinish()`), `cpuMs=` (this process, all threads, during the
 * job), `peakRssMiB=` (this process's peak so far), `load=` (1-minute).
 */
import * as os from "node:os";
import type * as mr from "millrace";
import { readTally, type WorkloadTally } from "./result_tally";

/** What one job measured. */
export interface MeasuredRun extends WorkloadTally {
  readonly jobMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
}

/** A pipeline definition of a workload (`mr.definePipeline`). */
export interface WorkloadDefinition {
  create(args: readonly string[]): mr.Pipeline;
}

/** What one run of a pipeline cost: job time, this process's CPU (all threads) and peak RSS; and its counters. */
export interface JobMeasurement {
  readonly jobMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly counters: Readonly<Record<string, number>>;
}

/** Runs `p` once, from `run()` to `waitUntilFinish()`, and measures it. */
export async function measureJob(p: mr.Pipeline): Promise<JobMeasurement> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = p.run();
  await result.waitUntilFinish();
  const jobMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    jobMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    counters: result.metrics().counters,
  };
}

/** Run the workload once with these flags (workload, sizes, runner flags) and measure it. */
export async function runMeasured(definition: WorkloadDefinition, flags: readonly string[]): Promise<MeasuredRun> {
  const { jobMs, cpuMs, peakRssMiB, counters } = await measureJob(definition.create([...flags]));
  return { ...readTally(counters), jobMs, cpuMs, peakRssMiB };
}

function takeCount(args: string[], name: string, fallback: number): number {
  const at = args.findIndex((a) => a.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  const value = Number(args[at]!.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number >= 0, not '${args[at]}'`);
  args.splice(at, 1);
  return value;
}

/** The command line of a workload script: `[--warmups=0] [--runs=1]` and the pipeline's and runner's flags. */
export async function workloadMain(definition: WorkloadDefinition, argv: readonly string[]): Promise<void> {
  const flags = [...argv];
  const warmups = takeCount(flags, "warmups", 0);
  const runs = takeCount(flags, "runs", 1);
  for (let i = 0; i < warmups; i++) await runMeasured(definition, flags);
  for (let i = 0; i < runs; i++) {
    const r = await runMeasured(definition, flags);
    console.log(
      [
        "RESULT",
        `flags=${flags.join(" ") || "(defaults)"}`,
        `warm=${warmups + i > 0}`,
        `results=${r.results}`,
        `digest=${r.digest}`,
        `jobMs=${r.jobMs.toFixed(0)}`,
        `cpuMs=${r.cpuMs.toFixed(0)}`,
        `peakRssMiB=${r.peakRssMiB.toFixed(0)}`,
        `load=${os.loadavg()[0]!.toFixed(2)}`,
      ].join("\t"),
    );
  }
}

/** Run `workloadMain` and exit non-zero, printing the error, if it fails. */
export function runWorkloadMain(definition: WorkloadDefinition): void {
  workloadMain(definition, process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
