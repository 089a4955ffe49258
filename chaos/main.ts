/**
 * The chaos suite: kill-and-restart trials of the stream and micro-batch
 * runners with SIGKILLs at random points, each checked for exactly-once
 * output and state equal to an uninterrupted run's. Prints the figures
 * (trials, kills, failures) and exits non-zero if any trial failed.
 *
 *   npm run chaos -- --trials=N [--runner=stream|microbatch|both] [--seed=S] [--maxKills=3]
 */
import { CHAOS_RUNNERS, DEFAULT_KILL_PLAN, runChaos, type ChaosRunner } from "./run_chaos";

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv
    .slice(2)
    .find((a) => a.startsWith(prefix))
    ?.slice(prefix.length);
}

function integerFlag(name: string, fallback: number, min: number): number {
  const text = flag(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}=${text}: expected an integer >= ${min}`);
  return n;
}

function runnersFlag(): readonly ChaosRunner[] {
  const text = flag("runner") ?? "both";
  if (text === "both") return CHAOS_RUNNERS;
  if ((CHAOS_RUNNERS as readonly string[]).includes(text)) return [text as ChaosRunner];
  throw new Error(`--runner=${text}: expected one of ${CHAOS_RUNNERS.join(", ")}, or both`);
}

async function main(): Promise<void> {
  const known = new Set(["trials", "runner", "seed", "maxKills"]);
  for (const a of process.argv.slice(2)) {
    const name = /^--([^=]+)=/.exec(a)?.[1];
    if (!name || !known.has(name))
      throw new Error(`unknown argument '${a}' (expected --trials=N, --runner=stream|microbatch|both, --seed=S, --maxKills=K)`);
  }
  const trials = integerFlag("trials", 5, 1);
  const seed = integerFlag("seed", Date.now() % 1_000_000, 0);
  const runners = runnersFlag();
  const plan = { ...DEFAULT_KILL_PLAN, maxKills: integerFlag("maxKills", DEFAULT_KILL_PLAN.maxKills, 1) };
  console.log(`chaos: ${trials} trial(s) per runner on ${runners.join(", ")}, seed ${seed}, up to ${plan.maxKills} SIGKILL(s) per trial`);
  const report = await runChaos({
    trials,
    runners,
    seed,
    plan,
    onTrial: (r) =>
      console.log(
        `  ${r.runner}/${r.sink} trial ${r.trial}: ${r.kills} kill(s), ${r.starts} start(s): ${r.failures.length === 0 ? "ok" : `FAILED\n    ${r.failures.join("\n    ")}`}`,
      ),
  });
  for (const [runner, b] of Object.entries(report.byRunner))
    console.log(`${runner}: ${b.trials} trials, ${b.kills} kills, ${b.failed} failed`);
  console.log(
    `total: ${report.trials} trials, ${report.kills} kills, ${report.failed.length} failed (seed ${report.seed}; replay with --seed=${report.seed})`,
  );
  process.exitCode = report.failed.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 2;
});
