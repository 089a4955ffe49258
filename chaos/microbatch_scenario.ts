/**
 * The micro-batch runner under chaos: `runningCounts` (an unbounded paced
 * sequence through a per-key running count in state, written as lines
 * `x key count`) in its own process, which cancels the job once `--stopAt`
 * is in the output. A restart runs the same command on the same checkpoint
 * directory. An uninterrupted run's output is known exactly: every number
 * 0..highest once, as `x, x % 5, floor(x / 5) + 1`, so a lost or repeated
 * batch, or a state update lost or applied twice, shows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ChaosScenario } from "./chaos_scenario";
import { duplicates, leftoverNote } from "./output_checks";

const CHILD = path.join(__dirname, "..", "test", "fixtures", "microbatch_restart_child.js");

/** Sizes of the micro-batch scenario. */
export interface MicrobatchScenarioOptions {
  /** The job is cancelled once this number is in the output (the source emits 500 numbers/s). */
  readonly stopAt: number;
  readonly executors: number;
  readonly partitions: number;
  readonly batchIntervalMs: number;
}

const DEFAULTS: MicrobatchScenarioOptions = { stopAt: 400, executors: 2, partitions: 3, batchIntervalMs: 100 };

const checkpointDir = (trialDir: string): string => path.join(trialDir, "checkpoint");
const outDir = (trialDir: string): string => path.join(trialDir, "out");

/** The newest committed batch id, -1 before the first commit. */
function newestCommit(trialDir: string): number {
  const commits = path.join(checkpointDir(trialDir), "commits");
  if (!fs.existsSync(commits)) return -1;
  return Math.max(
    -1,
    ...fs
      .readdirSync(commits)
      .filter((n) => /^\d+$/.test(n))
      .map(Number),
  );
}

/** The line an uninterrupted run writes for `x`. */
const expectedLine = (x: number): string => `${x} ${x % 5} ${Math.floor(x / 5) + 1}`;

/** The micro-batch runner's chaos scenario. */
export function microbatchScenario(options: Partial<MicrobatchScenarioOptions> = {}): ChaosScenario {
  const o = { ...DEFAULTS, ...options };
  return {
    runner: "microbatch",
    command: (trialDir) => ({
      script: CHILD,
      args: [
        "--runner=microbatch",
        `--executors=${o.executors}`,
        `--partitions=${o.partitions}`,
        `--batchIntervalMs=${o.batchIntervalMs}`,
        "--stateSnapshotEvery=3",
        `--checkpointDir=${checkpointDir(trialDir)}`,
        `--out=${outDir(trialDir)}`,
        `--stopAt=${o.stopAt}`,
      ],
    }),
    durableProgress: (trialDir) => newestCommit(trialDir) + 1,
    finished(exit) {
      if (exit.code !== 0) return false;
      try {
        return (JSON.parse(exit.stdout) as { state?: string }).state === "CANCELLED";
      } catch {
        return false;
      }
    },
    check(trialDir, sink) {
      const prefix = path.join(outDir(trialDir), "counts");
      const lines = sink.publishedRecords(prefix);
      const failures: string[] = [];
      const doubled = duplicates(lines.map((l) => l.split(" ")[0]!));
      if (doubled.length > 0) failures.push(`numbers written more than once: ${doubled.length}, e.g. ${doubled.slice(0, 5).join(", ")}`);
      const byNumber = new Map(lines.map((l) => [Number(l.split(" ")[0]), l]));
      const highest = Math.max(-1, ...byNumber.keys());
      if (highest < o.stopAt) failures.push(`the output stops at ${highest}, before --stopAt=${o.stopAt}`);
      const gaps: number[] = [];
      const wrong: string[] = [];
      for (let x = 0; x <= highest; x++) {
        const line = byNumber.get(x);
        if (line === undefined) gaps.push(x);
        // The count comes from keyed state restored across every kill: the uninterrupted run's count, the state survived exactly once.
        else if (line !== expectedLine(x)) wrong.push(`'${line}' (expected '${expectedLine(x)}')`);
      }
      if (gaps.length > 0)
        failures.push(`numbers missing below the highest (${highest}): ${gaps.length}, e.g. ${gaps.slice(0, 5).join(", ")}`);
      if (wrong.length > 0)
        failures.push(`lines whose state differs from an uninterrupted run's: ${wrong.length}, e.g. ${wrong.slice(0, 5).join(", ")}`);
      return [...failures, ...leftoverNote("counts", sink.visibleLeftovers(prefix))];
    },
  };
}
