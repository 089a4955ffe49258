/**
 * One chaos trial: start the job, kill it with SIGKILL at a random point,
 * start it again on the same directories, a random number of times, then
 * let it finish and check its output. A kill point is "after this many
 * more units of durable progress (checkpoints, commits), plus a random
 * delay": random, yet reached by waiting on conditions, so a slow machine
 * changes where the kills land, never the verdict.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ChaosScenario } from "./chaos_scenario";
import { startJobProcess, type JobExit, type JobProcess } from "./job_process";
import type { SeededRandom } from "../runners/direct/seeded_random";
import type { SinkKind } from "./sink_kind";

/** How wild the kills of a trial are. */
export interface KillPlan {
  /** Kills per trial are drawn from 1..maxKills. */
  readonly maxKills: number;
  /** Each kill waits for 0..maxProgress more units of durable progress... */
  readonly maxProgress: number;
  /** ...then 0..maxDelayMs more. */
  readonly maxDelayMs: number;
  /** A job that makes no progress (or does not end) for this long has hung: the trial fails. */
  readonly hangMs: number;
}

/** What happened in one trial. */
export interface TrialResult {
  readonly runner: string;
  readonly sink: string;
  readonly trial: number;
  /** SIGKILLs that interrupted a running job (each followed by a restart). */
  readonly kills: number;
  /** Starts of the job process, the first included. */
  readonly starts: number;
  /** Empty when the trial passed. */
  readonly failures: readonly string[];
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition` holds or the job exits; false if `hangMs` passed first. */
async function waitUntil(job: JobProcess, condition: () => boolean, hangMs: number): Promise<boolean> {
  const deadline = Date.now() + hangMs;
  while (job.running() && !condition()) {
    if (Date.now() > deadline) return false;
    await pause(10);
  }
  return true;
}

function describeExit(exit: JobExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const tail = exit.stderr.trim().split("\n").slice(-5).join(" | ");
  return `${how}${tail ? `: ${tail}` : ""}`;
}

/** Runs one trial of `scenario` writing through `sink`, with kill points drawn from `random`. */
export async function runTrial(
  scenario: ChaosScenario,
  sink: SinkKind,
  trial: number,
  plan: KillPlan,
  random: SeededRandom,
): Promise<TrialResult> {
  const trialDir = fs.mkdtempSync(path.join(os.tmpdir(), `millrace-chaos-${scenario.runner}-`));
  const plannedKills = random.int(1, plan.maxKills);
  let kills = 0;
  let starts = 0;
  const result = (failures: string[]): TrialResult => ({ runner: scenario.runner, sink: sink.name, trial, kills, starts, failures });
  try {
    for (;;) {
      const { script, args } = scenario.command(trialDir, starts);
      const job = startJobProcess(script, args);
      starts++;
      if (kills < plannedKills) {
        const target = scenario.durableProgress(trialDir) + random.int(0, plan.maxProgress);
        const delay = random.int(0, plan.maxDelayMs);
        if (!(await waitUntil(job, () => scenario.durableProgress(trialDir) >= target, plan.hangMs))) {
          job.kill();
          await job.exited;
          return result([`start ${starts}: no durable progress to ${target} in ${plan.hangMs} ms (hung?)`]);
        }
        await pause(delay);
        if (job.kill()) {
          const exit = await job.exited;
          // The kill raced with the job's own end: a job that reported completion is complete, and was not interrupted.
          if (scenario.finished(exit)) return result(scenario.check(trialDir, sink));
          kills++;
          continue;
        }
      }
      let hangTimer: NodeJS.Timeout | undefined;
      const hung = new Promise<undefined>((resolve) => (hangTimer = setTimeout(() => resolve(undefined), plan.hangMs)));
      const exit = await Promise.race([job.exited, hung]);
      clearTimeout(hangTimer);
      if (exit === undefined) {
        job.kill();
        await job.exited;
        return result([`start ${starts}: the job did not end in ${plan.hangMs} ms (hung?)`]);
      }
      if (!scenario.finished(exit)) return result([`start ${starts}: the job failed (${describeExit(exit)})`]);
      return result(scenario.check(trialDir, sink));
    }
  } finally {
    fs.rmSync(trialDir, { recursive: true, force: true });
  }
}
