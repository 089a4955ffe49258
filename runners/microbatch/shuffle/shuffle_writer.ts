/**
 * The map side of the shuffle, modelled on Spark's sort-based shuffle
 * writer: records are buffered in memory up to a budget; whenever the budget
 * is exceeded, each partition's buffered records are sorted by key (for a
 * grouped shuffle) and written as one run file, and the memory is reused.
 * What remains at the end stays in memory. The reduce side then merges all
 * runs of a partition (see {@link ./shuffle_reader}), so no map task ever
 * needs its whole output in memory, and no reduce task its whole input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { RecordBuffer } from "./record_buffer";
import { RunFileWriter } from "./run_file_writer";
import type { Segment, ShuffleOutput } from "./shuffle_output";

/**
 * Memory counted per buffered record on top of its key and value bytes: the
 * record's index entry and length prefixes, plus a margin for sort scratch.
 * Counting it keeps a flood of tiny records within the budget too.
 */
export const RECORD_OVERHEAD_BYTES = 64;

/** Size of the buffer run files are written through. */
const WRITE_BUFFER_BYTES = 64 * 1024;

/** Options of a {@link ShuffleWriter}. */
export interface ShuffleWriterOptions {
  /** Number of partitions P; records are added to partitions 0..P-1. */
  readonly partitions: number;
  /**
   * Bytes of buffered records (key + value + {@link RECORD_OVERHEAD_BYTES}
   * each) above which the buffer is spilled to run files. The writer's actual
   * memory is at most about twice this (the arena grows by doubling) plus one
   * write buffer.
   */
  readonly memoryBudgetBytes: number;
  /** Directory for run files; created when first needed. Usually from {@link ./spill_dir}. */
  readonly spillDir: string;
  /** Whether segments are sorted by key, for grouping; if false, arrival order is kept. */
  readonly grouped: boolean;
}

/** Writes one map task's records into P partitions, spilling to run files beyond the memory budget. */
export class ShuffleWriter {
  private readonly partitions: number;
  private readonly budget: number;
  private readonly spillDir: string;
  private readonly grouped: boolean;
  /** Distinguishes this writer's run files from other writers' sharing the directory. */
  private readonly id = randomBytes(8).toString("hex");
  private readonly buffer = new RecordBuffer();
  private readonly segments: Segment[][];
  private bufferedBytes = 0;
  private spills = 0;
  private runs = 0;
  private writeBuffer: Uint8Array | undefined;
  private spillDirReady = false;
  private finished = false;

  /** Creates a writer; nothing touches the disk until the first spill. */
  constructor(options: ShuffleWriterOptions) {
    const { partitions, memoryBudgetBytes, spillDir, grouped } = options;
    if (!Number.isSafeInteger(partitions) || partitions < 1)
      throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
    if (!(memoryBudgetBytes > 0)) throw new RangeError(`memoryBudgetBytes must be positive, got ${memoryBudgetBytes}`);
    if (typeof spillDir !== "string" || spillDir === "") throw new TypeError("spillDir must be a directory path");
    this.partitions = partitions;
    this.budget = memoryBudgetBytes;
    this.spillDir = spillDir;
    this.grouped = grouped;
    this.segments = Array.from({ length: partitions }, () => []);
  }

  /** Number of run files written so far (one per non-empty partition per spill). */
  get spilledRuns(): number {
    return this.runs;
  }

  /**
   * Adds a record to `partition`. Key and value are copied, so the caller may
   * reuse its arrays. May spill (synchronous file writes).
   */
  add(partition: number, key: Uint8Array, value: Uint8Array): void {
    if (this.finished) throw new Error("ShuffleWriter.add after finish");
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) {
      throw new RangeError(`partition ${partition} is outside 0..${this.partitions - 1}`);
    }
    this.buffer.add(partition, key, value);
    this.bufferedBytes += key.length + value.length + RECORD_OVERHEAD_BYTES;
    if (this.bufferedBytes > this.budget) this.spill();
  }

  /**
   * Ends the writer and describes its output. The buffered remainder (below
   * the budget by construction) becomes one in-memory segment per non-empty
   * partition, after that partition's run files. On failure, run files
   * already written stay in the spill directory, which the runner removes.
   */
  finish(): ShuffleOutput {
    if (this.finished) throw new Error("ShuffleWriter.finish called twice");
    this.finished = true;
    const buffer = this.buffer;
    const order = buffer.order(this.grouped);
    let i = 0;
    while (i < order.length) {
      const partition = buffer.partitionOf(order[i]!);
      let end = i;
      let bytes = 0;
      while (end < order.length && buffer.partitionOf(order[end]!) === partition) bytes += buffer.encodedSize(order[end++]!);
      // A fresh ArrayBuffer per segment, so each can be transferred on its own.
      const data = new Uint8Array(bytes);
      let pos = 0;
      for (let j = i; j < end; j++) {
        const record = buffer.encoded(order[j]!);
        data.set(record, pos);
        pos += record.length;
      }
      this.segments[partition]!.push({ kind: "memory", data, records: end - i });
      i = end;
    }
    buffer.release();
    this.writeBuffer = undefined;
    this.bufferedBytes = 0;
    return { grouped: this.grouped, partitions: this.segments };
  }

  /** Writes each non-empty partition's buffered records as one run file, then empties the buffer. */
  private spill(): void {
    if (!this.spillDirReady) {
      fs.mkdirSync(this.spillDir, { recursive: true });
      this.spillDirReady = true;
    }
    this.writeBuffer ??= new Uint8Array(WRITE_BUFFER_BYTES);
    const buffer = this.buffer;
    const order = buffer.order(this.grouped);
    const spill = this.spills++;
    let i = 0;
    while (i < order.length) {
      const partition = buffer.partitionOf(order[i]!);
      const file = new RunFileWriter(path.join(this.spillDir, `${this.id}-s${spill}-p${partition}.run`), this.writeBuffer);
      let segment: Segment;
      try {
        for (; i < order.length && buffer.partitionOf(order[i]!) === partition; i++) file.writeEncoded(buffer.encoded(order[i]!));
        segment = file.close();
      } catch (e) {
        file.abandon();
        throw e;
      }
      this.segments[partition]!.push(segment);
      this.runs++;
    }
    // Keep the arena for the next batch unless one huge record blew it up.
    buffer.clear(2 * this.budget + WRITE_BUFFER_BYTES);
    this.bufferedBytes = 0;
  }
}
