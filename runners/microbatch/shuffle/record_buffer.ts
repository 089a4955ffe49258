/**
 * The writer's in-memory records, all partitions together in one growable
 * arena, already in the {@link ./record_format} layout. One arena (rather
 * than objects or one buffer per partition) keeps the memory a writer holds
 * close to the bytes it counts, is reused across spills instead of becoming
 * garbage, and lets a run be written by copying each record's bytes as is.
 * Like Spark's sorter, it orders records by (partition, key) only when asked.
 */
import { compareRanges } from "./byte_order";
import { checkFieldLength, varintSize, writeVarint } from "./record_format";

/** Per record: start, key start, key end, end, partition. */
const STRIDE = 5;
const INITIAL_ARENA_BYTES = 16 * 1024;
const INITIAL_RECORDS = 256;

/** Buffered records, in arrival order until {@link RecordBuffer.order} sorts an index of them. */
export class RecordBuffer {
  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private used = 0;
  // Float64 rather than Int32: offsets may pass 2 GiB when a huge record arrives.
  private meta = new Float64Array(INITIAL_RECORDS * STRIDE);
  private count = 0;

  /** Number of buffered records. */
  get records(): number {
    return this.count;
  }

  /** Bytes the arena currently reserves (not just uses). */
  get capacityBytes(): number {
    return this.arena.length;
  }

  /** Appends a record, copying its key and value. */
  add(partition: number, key: Uint8Array, value: Uint8Array): void {
    checkFieldLength("key", key.length);
    checkFieldLength("value", value.length);
    const size = varintSize(key.length) + key.length + varintSize(value.length) + value.length;
    this.reserve(size);
    const arena = this.arena;
    const start = this.used;
    const keyStart = writeVarint(arena, start, key.length);
    arena.set(key, keyStart);
    const keyEnd = keyStart + key.length;
    const valueStart = writeVarint(arena, keyEnd, value.length);
    arena.set(value, valueStart);
    this.used = valueStart + value.length;
    const m = this.count * STRIDE;
    this.meta[m] = start;
    this.meta[m + 1] = keyStart;
    this.meta[m + 2] = keyEnd;
    this.meta[m + 3] = this.used;
    this.meta[m + 4] = partition;
    this.count++;
  }

  /**
   * The record indexes ordered by partition, then (when `byKey`) by key bytes;
   * records that tie keep their arrival order, which the merge relies on to
   * keep each key's values in arrival order.
   */
  order(byKey: boolean): number[] {
    const meta = this.meta;
    const arena = this.arena;
    const indexes = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) indexes[i] = i;
    // Array.prototype.sort is stable, so ties keep arrival order.
    indexes.sort((a, b) => {
      const ma = a * STRIDE;
      const mb = b * STRIDE;
      const byPartition = meta[ma + 4]! - meta[mb + 4]!;
      if (byPartition !== 0 || !byKey) return byPartition;
      return compareRanges(arena, meta[ma + 1]!, meta[ma + 2]!, meta[mb + 1]!, meta[mb + 2]!);
    });
    return indexes;
  }

  /** The partition of record `i`. */
  partitionOf(i: number): number {
    return this.meta[i * STRIDE + 4]!;
  }

  /** The encoded bytes of record `i`: a view, valid until {@link clear}. */
  encoded(i: number): Uint8Array {
    const m = i * STRIDE;
    return this.arena.subarray(this.meta[m]!, this.meta[m + 3]!);
  }

  /** Encoded size of record `i`. */
  encodedSize(i: number): number {
    const m = i * STRIDE;
    return this.meta[m + 3]! - this.meta[m]!;
  }

  /**
   * Forgets every record. The arena is kept for reuse unless it grew past
   * `keepBytes` (say, for one huge record), so a long map task does not hold
   * on to memory only one record needed.
   */
  clear(keepBytes: number): void {
    this.used = 0;
    this.count = 0;
    if (this.arena.length > keepBytes) this.arena = new Uint8Array(INITIAL_ARENA_BYTES);
    if (this.meta.length * 8 > keepBytes) this.meta = new Float64Array(INITIAL_RECORDS * STRIDE);
  }

  /** Shrinks back to the small initial reserve, dropping all records. */
  release(): void {
    this.clear(0);
  }

  private reserve(size: number): void {
    if (this.used + size > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + size));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    if ((this.count + 1) * STRIDE > this.meta.length) {
      const grown = new Float64Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
  }
}
