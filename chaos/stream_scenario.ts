/**
 * The stream runner under chaos: `runningTotals` (a paced sequence written
 * to `<out>-numbers`, and per-key counts and sums from keyed state written
 * to `<out>-totals` at the end) in its own process with a checkpoint
 * directory. A restart runs the same command on the same directory, as a
 * user would: the runner resumes from the newest checkpoint that verifies
 * by itself (no `--fromCheckpoint`), so a rerun that started over and
 * published everything again would be caught as duplicates.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expectedRunningTotals } from "../test/fixtures/stream_pipelines";
import type { ChaosScenario } from "./chaos_scenario";
import { duplicates, leftoverNote, multisetDifferences } from "./output_checks";

const MAIN = path.join(__dirname, "..", "test", "fixtures", "stream_job_main.js");

/** Sizes of the stream scenario. */
export interface StreamScenarioOptions {
  /** How many numbers the source emits. */
  readonly numbers: number;
  /** Numbers per millisecond (the source's pace). */
  readonly perMs: number;
  readonly parallelism: number;
  readonly checkpointingIntervalMs: number;
}

const DEFAULTS: StreamScenarioOptions = { numbers: 6000, perMs: 2, parallelism: 2, checkpointingIntervalMs: 100 };

const checkpointDir = (trialDir: string): string => path.join(trialDir, "checkpoints");
const outPrefix = (trialDir: string): string => path.join(trialDir, "out", "totals");

/** Ids of the completed checkpoints (`chk-<id>/_metadata`) in `dir`. */
function completedCheckpointIds(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((n) => /^chk-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(dir, m[0], "_metadata")))
    .map((m) => Number(m[1]));
}

/** The stream runner's chaos scenario. */
export function streamScenario(options: Partial<StreamScenarioOptions> = {}): ChaosScenario {
  const o = { ...DEFAULTS, ...options };
  return {
    runner: "stream",
    command(trialDir) {
      const checkpoints = checkpointDir(trialDir);
      const args = [
        "runningTotals",
        "--runner=stream",
        `--parallelism=${o.parallelism}`,
        `--numbers=${o.numbers}`,
        `--perMs=${o.perMs}`,
        `--out=${outPrefix(trialDir)}`,
        `--checkpointingIntervalMs=${o.checkpointingIntervalMs}`,
        `--checkpointDir=${checkpoints}`,
      ];
      return { script: MAIN, args };
    },
    durableProgress: (trialDir) => Math.max(0, ...completedCheckpointIds(checkpointDir(trialDir))),
    finished: (exit) => exit.code === 0 && exit.stdout.includes("finished"),
    check(trialDir, sink) {
      const out = outPrefix(trialDir);
      const expected = expectedRunningTotals(o.numbers);
      const numbers = sink.publishedRecords(`${out}-numbers`);
      const totals = sink.publishedRecords(`${out}-totals`);
      const doubled = duplicates(numbers);
      return [
        ...(doubled.length > 0 ? [`numbers written more than once: ${doubled.length}, e.g. ${doubled.slice(0, 5).join(", ")}`] : []),
        ...multisetDifferences("numbers", numbers, expected.numbers),
        // The totals come from keyed state restored across every kill: equal to the model's, the state survived exactly once.
        ...multisetDifferences("per-key totals (state)", totals, expected.totals),
        ...leftoverNote("numbers", sink.visibleLeftovers(`${out}-numbers`)),
        ...leftoverNote("totals", sink.visibleLeftovers(`${out}-totals`)),
      ];
    },
  };
}
