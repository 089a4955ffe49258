/**
 * A chaos run: trials of each chosen runner and sink kind, one after the
 * other (each trial's job already uses the machine's cores), with kill
 * points drawn from a seeded random source per trial: the same seed draws
 * the same kill points (where they land still depends on the machine).
 */
import type { ChaosScenario } from "./chaos_scenario";
import { fileSinkKind } from "./file_sink_kind";
import { microbatchScenario } from "./microbatch_scenario";
import { runTrial, type KillPlan, type TrialResult } from "./run_trial";
import { SeededRandom } from "../runners/direct/seeded_random";
import type { SinkKind } from "./sink_kind";
import { streamScenario } from "./stream_scenario";

/** The runners the chaos suite covers. */
export const CHAOS_RUNNERS = ["stream", "microbatch"] as const;
/** A runner of {@link CHAOS_RUNNERS}. */
export type ChaosRunner = (typeof CHAOS_RUNNERS)[number];

/** A job to torture, and the sink whose output is checked. */
export interface ChaosCase {
  readonly runner: ChaosRunner;
  readonly sink: SinkKind;
  readonly scenario: () => ChaosScenario;
}

/**
 * Every runner with every sink kind it is tried with: the file sink today.
 * A Kafka sink adds rows here (a scenario whose pipeline writes to Kafka,
 * checked through a Kafka {@link SinkKind}); the driver stays as it is.
 */
export const CHAOS_CASES: readonly ChaosCase[] = [
  { runner: "stream", sink: fileSinkKind, scenario: () => streamScenario() },
  { runner: "microbatch", sink: fileSinkKind, scenario: () => microbatchScenario() },
];

/** What a chaos run does. */
export interface ChaosOptions {
  /** Trials per {@link ChaosCase} (runner and sink kind). */
  readonly trials: number;
  readonly runners: readonly ChaosRunner[];
  readonly seed: number;
  readonly plan: KillPlan;
  /** Called after each trial (for progress output). */
  readonly onTrial?: (result: TrialResult) => void;
}

/** The default kill plan: up to 3 kills, each after 0-4 more checkpoints or commits and 0-150 ms. */
export const DEFAULT_KILL_PLAN: KillPlan = { maxKills: 3, maxProgress: 4, maxDelayMs: 150, hangMs: 120_000 };

/** The figures of a chaos run. */
export interface ChaosReport {
  readonly seed: number;
  readonly trials: number;
  readonly kills: number;
  readonly starts: number;
  /** The trials that failed, with what was wrong. */
  readonly failed: readonly TrialResult[];
  /** Per runner and sink kind (`stream/file`): trials, kills, failed trials. */
  readonly byRunner: Readonly<Record<string, { trials: number; kills: number; failed: number }>>;
}

/** Runs the trials and sums them up. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const results: TrialResult[] = [];
  for (const [index, c] of CHAOS_CASES.entries()) {
    if (!options.runners.includes(c.runner)) continue;
    for (let trial = 1; trial <= options.trials; trial++) {
      // Each trial draws from its own seed, so trial k's kill points do not depend on how earlier trials went.
      const random = new SeededRandom(options.seed * 7919 + index * 104_729 + trial);
      const r = await runTrial(c.scenario(), c.sink, trial, options.plan, random);
      results.push(r);
      options.onTrial?.(r);
    }
  }
  const byRunner: Record<string, { trials: number; kills: number; failed: number }> = {};
  for (const r of results) {
    const b = (byRunner[`${r.runner}/${r.sink}`] ??= { trials: 0, kills: 0, failed: 0 });
    b.trials++;
    b.kills += r.kills;
    if (r.failures.length > 0) b.failed++;
  }
  return {
    seed: options.seed,
    trials: results.length,
    kills: results.reduce((s, r) => s + r.kills, 0),
    starts: results.reduce((s, r) => s + r.starts, 0),
    failed: results.filter((r) => r.failures.length > 0),
    byRunner,
  };
}
