/**
 * The k-way merge at the heart of the reduce side: records of several
 * key-sorted segments, in key order, each segment read through its own
 * cursor so only one record per segment (plus its read buffer) is in memory.
 */
import { CursorHeap } from "./cursor_heap";
import { openCursor } from "./segment_cursor";
import type { Segment } from "./shuffle_output";

/** One record of a shuffle segment. */
export interface ShuffleRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * Yields the records of key-sorted `segments` in key order; records with
 * equal keys come in segment order, then in their order within a segment.
 * Every segment is opened at the start, so the caller bounds how many file
 * segments it passes (see {@link ./fan_in}). Files are closed at the end, also
 * when the consumer stops early.
 */
export function* mergeSorted(segments: readonly Segment[], readBufferBytes: number): Generator<ShuffleRecord> {
  const heap = new CursorHeap();
  try {
    for (let rank = 0; rank < segments.length; rank++) {
      const cursor = openCursor(segments[rank]!, readBufferBytes);
      if (cursor.next()) heap.push({ cursor, rank });
    }
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      const record: ShuffleRecord = { key: top.cursor.key, value: top.cursor.value };
      heap.advanceTop();
      yield record;
    }
  } finally {
    heap.closeAll();
  }
}
