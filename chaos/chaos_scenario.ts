/**
 * One kind of job the chaos driver kills and restarts: how to start (and
 * restart) it, how far it has durably got, when it has really finished,
 * and what its output must be. Each runner has one; the sink is a
 * {@link SinkKind}, so a new sink adds checks without a new driver.
 */
import type { JobExit } from "./job_process";
import type { SinkKind } from "./sink_kind";

/** A job process to start. */
export interface JobCommand {
  readonly script: string;
  readonly args: readonly string[];
}

/** A job the chaos driver can kill and restart. */
export interface ChaosScenario {
  /** The runner it runs on, as in `--runner=`. */
  readonly runner: string;
  /** The command of the `attempt`-th start (0: the first) of a trial working in `trialDir`. */
  command(trialDir: string, attempt: number): JobCommand;
  /**
   * A count that grows with the job's durable progress (the newest
   * completed checkpoint, the newest committed batch): kill points are
   * drawn as "this much further, then a random delay".
   */
  durableProgress(trialDir: string): number;
  /** Did the process end because the job completed (not killed, not failed)? */
  finished(exit: JobExit): boolean;
  /** What is wrong with the published output of a completed trial: empty when exactly-once and state equal an uninterrupted run's. */
  check(trialDir: string, sink: SinkKind): string[];
}
