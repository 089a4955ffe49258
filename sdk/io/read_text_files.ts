/**
 * Reads the lines of files as a splittable DoFn (after Beam's
 * `TextIO.readFiles`): each file's restriction is its byte range, split
 * into parts of about `desiredBundleSizeBytes` that runners may read in
 * parallel or split further; a line belongs to the part its first byte is
 * in. The elements are paths, `FileMetadata` (from `io.matchFiles`) or
 * `ReadableFile` (from `io.readMatches`).
 */
import * as fs from "node:fs";
import { OffsetRange } from "../transforms/splittable/offset_range";
import { OffsetRangeTracker } from "../transforms/splittable/offset_range_tracker";
import type { SplittableDoFnObject, SplittableProcessContext } from "../transforms/splittable/splittable_dofn";
import type { RestrictionTracker } from "../transforms/splittable/restriction_tracker";
import type { FileMetadata, ReadableFile } from "./file_metadata";
import { readLinesFrom, type ReadTextOptions } from "./text_lines";

/** A file to read: its path, its metadata, or a readable file. */
export type TextFileRef = string | FileMetadata | ReadableFile;

/** Beam's default split size for file-based sources. */
export const DEFAULT_DESIRED_BUNDLE_SIZE_BYTES = 64 * 1024 * 1024;

/** The path of a file reference, checked. */
export function pathOf(file: TextFileRef): string {
  if (typeof file === "string") return file;
  const path = (file as ReadableFile)?.metadata?.path ?? (file as FileMetadata)?.path;
  if (typeof path !== "string") throw new TypeError(`expected a file path, FileMetadata or ReadableFile, got ${JSON.stringify(file)}`);
  return path;
}

/** The splittable DoFn that reads lines of files. */
export class ReadTextFilesFn implements SplittableDoFnObject<TextFileRef, string, OffsetRange> {
  constructor(
    private readonly options: ReadTextOptions,
    private readonly desiredBundleSizeBytes: number,
  ) {}

  initialRestriction(file: TextFileRef): OffsetRange {
    const path = pathOf(file);
    let size: number;
    try {
      size = fs.statSync(path).size;
    } catch (e) {
      throw new Error(`readText: cannot read '${path}': ${(e as Error).message}`, { cause: e });
    }
    return new OffsetRange(0, size);
  }

  splitRestriction(_file: TextFileRef, range: OffsetRange): OffsetRange[] {
    return range.split(this.desiredBundleSizeBytes, Math.min(this.desiredBundleSizeBytes, 1024));
  }

  restrictionSize(_file: TextFileRef, range: OffsetRange): number {
    return range.size();
  }

  newTracker(range: OffsetRange): RestrictionTracker<OffsetRange> {
    return new OffsetRangeTracker(range);
  }

  process(file: TextFileRef, ctx: SplittableProcessContext<string, OffsetRange>): void {
    const range = ctx.tracker.currentRestriction();
    if (range.from >= range.to) return;
    const end = readLinesFrom(
      pathOf(file),
      range.from,
      (offset) => ctx.tracker.tryClaim(offset),
      (line) => ctx.output(line),
      this.options,
    );
    // The end of the file before the end of the range: the range is done.
    if (!end.refused) ctx.tracker.tryClaim(Math.max(end.next, range.to));
  }
}
