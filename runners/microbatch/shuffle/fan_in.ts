/**
 * Keeps the final merge's fan-in bounded. A reduce task may face hundreds of
 * run files (every map task spills several); opening them all at once would
 * cost one read buffer each and can exhaust file descriptors. As in any
 * external sort, consecutive groups of at most `maxOpenFiles` segments are
 * first merged into intermediate run files, pass after pass, until few enough
 * remain. Merging only consecutive segments keeps equal keys in segment order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { mergeSorted } from "./sorted_merge";
import { RunFileWriter } from "./run_file_writer";
import type { Segment } from "./shuffle_output";

/**
 * Returns segments equivalent to `segments` (same records, same merged order)
 * of which at most `maxOpenFiles` are files. Intermediate files are written
 * next to the first run file of their group (the job's spill directory) and
 * their paths appended to `temporaries`, for the caller to delete when done;
 * intermediates of earlier passes are deleted as soon as they are merged.
 */
export function reduceFanIn(
  segments: readonly Segment[],
  maxOpenFiles: number,
  bufferBytes: number,
  temporaries: string[],
): readonly Segment[] {
  if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 2)
    throw new RangeError(`maxOpenFiles must be an integer of at least 2, got ${maxOpenFiles}`);
  let current = segments;
  while (fileCount(current) > maxOpenFiles) {
    const next: Segment[] = [];
    let group: Segment[] = [];
    let files = 0;
    for (const segment of current) {
      if (segment.kind === "file" && files === maxOpenFiles) {
        next.push(mergeGroup(group, bufferBytes, temporaries));
        group = [];
        files = 0;
      }
      group.push(segment);
      if (segment.kind === "file") files++;
    }
    if (group.length > 0) next.push(...(files === 0 ? group : [mergeGroup(group, bufferBytes, temporaries)]));
    current = next;
  }
  return current;
}

function fileCount(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) if (s.kind === "file") n++;
  return n;
}

function mergeGroup(group: readonly Segment[], bufferBytes: number, temporaries: string[]): Segment {
  if (group.length === 1) return group[0]!;
  const firstFile = group.find((s) => s.kind === "file");
  if (firstFile === undefined) throw new Error("a fan-in group always holds a file");
  const target = path.join(path.dirname(firstFile.path), `merge-${randomBytes(8).toString("hex")}.run`);
  temporaries.push(target);
  const out = new RunFileWriter(target, bufferBytes);
  let merged: Segment;
  try {
    for (const record of mergeSorted(group, bufferBytes)) out.writeRecord(record.key, record.value);
    merged = out.close();
  } catch (e) {
    out.abandon();
    throw e;
  }
  // Intermediates of an earlier pass are no longer needed; the caller's own segments are not ours to delete.
  for (const s of group) {
    if (s.kind === "file" && temporaries.includes(s.path)) fs.rmSync(s.path, { force: true });
  }
  return merged;
}
