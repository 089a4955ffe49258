/**
 * The direct runner's cost per bundle: the conformance case "large: 50k
 * elements" (a Create of 50,000 numbers through groupings, combines, a
 * flatten and a side input: about twenty nodes) run on the direct runner
 * with small bundles, so the scheduler's work per bundle dominates. Prints
 * the CPU time (user + system, this process) and the wall time of each run,
 * and their medians. With `--bundleSize=3` the run makes tens of thousands
 * of bundles: a scheduler whose work per bundle grows with the number of
 * nodes shows here first. Each run is made with the direct runner's checks
 * on and then off (interleaved), and the medians' ratio printed: what the
 * checks cost on top of the scheduler.
 *
 *   npm run bench:direct-bundles [-- --bundleSize=3 --runs=3]
 *   (or, after a build: node dist/bench/direct_bundles.js --bundleSize=3)
 */
import * as os from "node:os";
import * as mr from "millrace";
import { cases } from "../test/conformance/cases/large";

interface Args {
  bundleSize: number;
  runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { bundleSize: 3, runs: 3 };
  for (const a of argv) {
    const m = /^--(bundleSize|runs)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; accepted: --bundleSize=N --runs=N`);
    args[m[1] as keyof Args] = Number(m[2]);
  }
  return args;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const CHECKS_OFF = ["--enforceImmutability=false", "--enforceEncodability=false"];

/** One run: CPU seconds (this process) and wall seconds. */
async function timedRun(run: number, bundleSize: number, extraArgs: readonly string[]): Promise<{ cpu: number; wall: number }> {
  const definition = cases[0]!.definition;
  const p = definition.create(["--runner=direct", `--bundleSize=${bundleSize}`, ...extraArgs]);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = p.run();
  const state = await result.waitUntilFinish();
  const used = process.cpuUsage(cpuBefore);
  const passed = result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER] ?? 0;
  if (state !== "DONE" || passed !== cases[0]!.assertions)
    throw new Error(`run ${run} did not conform: state ${state}, ${passed} assertions passed`);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - wallBefore) / 1000 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const figures = { on: { cpu: [] as number[], wall: [] as number[] }, off: { cpu: [] as number[], wall: [] as number[] } };
  console.log(`${cases[0]!.definition.name}, direct runner, --bundleSize=${args.bundleSize}, checks on and off interleaved`);
  for (let run = 1; run <= args.runs; run++) {
    for (const checks of ["on", "off"] as const) {
      const { cpu, wall } = await timedRun(run, args.bundleSize, checks === "on" ? [] : CHECKS_OFF);
      figures[checks].cpu.push(cpu);
      figures[checks].wall.push(wall);
      console.log(
        `  run ${run}, checks ${checks.padEnd(3)}: ${cpu.toFixed(2)} s CPU, ${wall.toFixed(2)} s wall (load ${os.loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  for (const checks of ["on", "off"] as const) {
    const { cpu, wall } = figures[checks];
    console.log(
      `median, checks ${checks.padEnd(3)}: ${median(cpu).toFixed(2)} s CPU, ${median(wall).toFixed(2)} s wall (${args.runs} runs)`,
    );
  }
  console.log(`checks on / off: ${(median(figures.on.cpu) / median(figures.off.cpu)).toFixed(2)}x CPU`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
