/**
 * Where a job's run files live, and their cleanup. One directory per job
 * under the OS temp directory, so the runner can remove everything a job
 * spilled with one recursive delete when the job ends, whether it succeeded
 * or failed, and jobs never see each other's files.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Segment } from "./shuffle_output";

/** Prefix of spill directory names, to recognize leftovers of crashed processes. */
export const SPILL_DIR_PREFIX = "millrace-shuffle-";

/**
 * Creates a new, empty spill directory `millrace-shuffle-<random>` under
 * `parent` (default `os.tmpdir()`), returning its path.
 */
export function createSpillDir(parent: string = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(parent, SPILL_DIR_PREFIX));
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
