/**
 * The direct runner's cost per bundle: the conformance case "large: 50k
 * elements" (a Create of 50,000 numbers through groupings, combines, a
 * flatten and a side input: about twenty nodes) run on the direct runner
 * with small bundles, so the scheduler's work per bundle dominates. Prints
 * the CPU time (user + system, this process) and the wall time of each run,
 * and their medians. With `--bundleSize=3` the run makes tens of thousands
 * of bundles: a scheduler whose work per bundle grows with the number of
 * nodes shows here first.
 *
 *   npm run bench:direct-bundles [-- --bundleSize=3 --runs=3]
 *   (or, after a build: node dist/bench/direct_bundles.js --bundleSize=3)
 */
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const definition = cases[0]!.definition;
  const cpu: number[] = [];
  const wall: number[] = [];
  console.log(`${definition.name}, direct runner, --bundleSize=${args.bundleSize}`);
  for (let run = 1; run <= args.runs; run++) {
    const p = definition.create(["--runner=direct", `--bundleSize=${args.bundleSize}`]);
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const result = p.run();
    const state = await result.waitUntilFinish();
    const used = process.cpuUsage(cpuBefore);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const passed = result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER] ?? 0;
    if (state !== "DONE" || passed !== cases[0]!.assertions)
      throw new Error(`run ${run} did not conform: state ${state}, ${passed} assertions passed`);
    cpu.push(cpuSeconds);
    wall.push(wallSeconds);
    console.log(`  run ${run}: ${cpuSeconds.toFixed(2)} s CPU, ${wallSeconds.toFixed(2)} s wall`);
  }
  console.log(`median: ${median(cpu).toFixed(2)} s CPU, ${median(wall).toFixed(2)} s wall (${args.runs} runs)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
