/**
 * The reduce side of the shuffle: reads one partition from every map task's
 * output. A grouped partition is k-way merged by key and handed out one key
 * at a time with all its values; an ungrouped one is simply concatenated.
 * Memory stays bounded by the read buffers and the current key's values,
 * whatever the partition's size.
 */
import * as fs from "node:fs";
import { equalBytes } from "./byte_order";
import { reduceFanIn } from "./fan_in";
import { openCursor } from "./segment_cursor";
import { mergeSorted, type ShuffleRecord } from "./sorted_merge";
import type { Segment } from "./shuffle_output";

export type { ShuffleRecord } from "./sorted_merge";

/** Default size of each file segment's read buffer. */
export const DEFAULT_READ_BUFFER_BYTES = 64 * 1024;

/** Default bound on run files read at once by {@link readGrouped}. */
export const DEFAULT_MAX_OPEN_FILES = 64;

/** Options of {@link readGrouped} and {@link readAll}. */
export interface ReadOptions {
  /**
   * Size of each open file segment's read buffer (files smaller than it get
   * a buffer of their size). Default {@link DEFAULT_READ_BUFFER_BYTES}.
   */
  readonly readBufferBytes?: number;
  /**
   * Most run files {@link readGrouped} merges at once; beyond it, files are
   * first merged into intermediate run files in the spill directory (deleted
   * when the read ends). Bounds read memory to about
   * `maxOpenFiles * readBufferBytes`. Default {@link DEFAULT_MAX_OPEN_FILES}.
   */
  readonly maxOpenFiles?: number;
}

/** One key of a grouped partition with all its values. */
export interface KeyGroup {
  readonly key: Uint8Array;
  readonly values: Uint8Array[];
}

/**
 * Yields each distinct key of a grouped partition once, in key byte order,
 * with all its values: in segment order, then arrival order within a segment
 * (so, for segments as a {@link ./shuffle_writer} produced them, in the order
 * each map task added them). `segments` must all be key-sorted (from grouped
 * writers). Keys and values from memory segments are views into the
 * segment's data; those from files are copies. Does not delete the input's
 * run files (see {@link ./spill_dir}.deleteSegments); closes files and
 * deletes intermediates also when the consumer stops early.
 */
export function* readGrouped(segments: readonly Segment[], options?: ReadOptions): Generator<KeyGroup> {
  const readBufferBytes = bufferBytesOf(options);
  const temporaries: string[] = [];
  try {
    const inputs = reduceFanIn(segments, options?.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES, readBufferBytes, temporaries);
    let key: Uint8Array | undefined;
    let values: Uint8Array[] = [];
    for (const record of mergeSorted(inputs, readBufferBytes)) {
      if (key !== undefined && equalBytes(key, record.key)) {
        values.push(record.value);
        continue;
      }
      if (key !== undefined) yield { key, values };
      key = record.key;
      values = [record.value];
    }
    if (key !== undefined) yield { key, values };
  } finally {
    for (const temporary of temporaries) fs.rmSync(temporary, { force: true });
  }
}

/**
 * Yields every record of an ungrouped partition: the segments one after the
 * other, each in its own order. One file is open at a time.
 */
export function* readAll(segments: readonly Segment[], options?: ReadOptions): Generator<ShuffleRecord> {
  const readBufferBytes = bufferBytesOf(options);
  for (const segment of segments) {
    const cursor = openCursor(segment, readBufferBytes);
    try {
      while (cursor.next()) yield { key: cursor.key, value: cursor.value };
    } finally {
      cursor.close();
    }
  }
}

function bufferBytesOf(options: ReadOptions | undefined): number {
  const bytes = options?.readBufferBytes ?? DEFAULT_READ_BUFFER_BYTES;
  if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError(`readBufferBytes must be a positive integer, got ${bytes}`);
  return bytes;
}
