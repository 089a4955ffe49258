/**
 * What a map task's shuffle write leaves behind, described as plain data so
 * it can cross worker threads (structured clone) and be handed to the reduce
 * tasks: for each partition, the ordered list of segments holding its records.
 *
 * Segment order matters: when the output is grouped, values of equal keys are
 * merged in segment order, so keeping the writer's order (runs in spill order,
 * then the in-memory remainder) keeps each key's values in arrival order.
 */

/**
 * Records kept in memory, packed into one Uint8Array in the
 * {@link ./record_format} layout. `data` owns its whole ArrayBuffer
 * (byteOffset 0, full length), so transferring `data.buffer` moves exactly
 * this segment and nothing else.
 */
export interface MemorySegment {
  readonly kind: "memory";
  readonly data: Uint8Array;
  readonly records: number;
}

/** Records written to a run file (same layout as a memory segment's data). */
export interface FileSegment {
  readonly kind: "file";
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

/** A sequence of records, sorted by key when its output is grouped. */
export type Segment = MemorySegment | FileSegment;

/** One map task's shuffle output. */
export interface ShuffleOutput {
  /** Whether every segment is sorted by key (grouped shuffle) or in arrival order. */
  readonly grouped: boolean;
  /** `partitions[p]` lists partition p's segments, in order; empty when p got no records. */
  readonly partitions: readonly (readonly Segment[])[];
}

/**
 * The ArrayBuffers to pass as the transfer list when posting `output` (or
 * several outputs) to another thread, so memory segments move without a copy.
 * After the transfer the sender's memory segments are detached and unusable.
 */
export function shuffleOutputTransferList(...outputs: readonly ShuffleOutput[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const output of outputs) {
    for (const segments of output.partitions) {
      for (const segment of segments) {
        if (segment.kind === "memory") buffers.add(segment.data.buffer as ArrayBuffer);
      }
    }
  }
  return [...buffers];
}

/**
 * Partition `partition`'s segments across several map tasks' outputs, in the
 * order of `outputs`: the input of that partition's reduce task.
 */
export function partitionSegments(outputs: readonly ShuffleOutput[], partition: number): Segment[] {
  const segments: Segment[] = [];
  for (const output of outputs) {
    if (partition < 0 || partition >= output.partitions.length) {
      throw new RangeError(`partition ${partition} is outside 0..${output.partitions.length - 1}`);
    }
    segments.push(...output.partitions[partition]!);
  }
  return segments;
}
