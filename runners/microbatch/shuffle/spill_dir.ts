/**
 * Where a job's run files live, and their cleanup. One directory per job
 * under the OS temp directory, so the runner can remove everything a job
 * spilled with one recursive delete when the job ends, whether it succeeded
 * or failed, and jobs never see each other's files.
 *
 * A SIGKILLed process cannot clean up, so each directory's name carries its
 * owner's pid (`millrace-shuffle-<pid>-<random>`, atomic with its creation,
 * unlike a marker file written afterwards) and every new directory first
 * removes the ones whose owner is gone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Segment } from "./shuffle_output";
import { processIsAlive } from "../../core/process_is_alive";

/** Prefix of spill directory names, to recognize leftovers of crashed processes. */
export const SPILL_DIR_PREFIX = "millrace-shuffle-";

/**
 * Creates a new, empty spill directory `millrace-shuffle-<pid>-<random>` under
 * `parent` (default `os.tmpdir()`), returning its path, after removing the
 * spill directories there whose owning process no longer runs.
 */
export function createSpillDir(parent: string = os.tmpdir()): string {
  removeStaleSpillDirs(parent);
  return fs.mkdtempSync(path.join(parent, `${SPILL_DIR_PREFIX}${process.pid}-`));
}

/**
 * Removes the spill directories under `parent` left by processes that died
 * without cleaning up (a SIGKILL, an OOM kill), returning their paths.
 * Directories of live processes, and any whose owner cannot be told from the
 * name, are left alone.
 */
export function removeStaleSpillDirs(parent: string = os.tmpdir()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return []; // An unreadable temp directory will fail mkdtemp with a clear error right after.
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = ownerPid(name);
    if (owner === undefined || processIsAlive(owner)) continue;
    const dir = path.join(parent, name);
    try {
      removeSpillDir(dir);
      removed.push(dir);
    } catch {
      // Another user's directory, or one being removed by a concurrent job: not ours to insist on.
    }
  }
  return removed;
}

function ownerPid(name: string): number | undefined {
  const match = new RegExp(`^${SPILL_DIR_PREFIX}(\\d+)-`).exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Removes a spill directory and everything in it; no error if already gone. */
export function removeSpillDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Deletes the run files among `segments`, once read, so a long job's disk use
 * does not grow with every stage. Memory segments are left to the garbage
 * collector. Files already gone are ignored.
 */
export function deleteSegments(segments: readonly Segment[]): void {
  for (const segment of segments) {
    if (segment.kind === "file") fs.rmSync(segment.path, { force: true });
  }
}
