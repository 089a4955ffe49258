/**
 * A cursor over one segment's records, the same for memory and file
 * segments, so the merge and the concatenation need not care where records
 * live. Keys and values a cursor hands out stay valid after it moves on: for
 * memory segments they are views into the segment's data (no copy; holding
 * one keeps the segment alive), for file segments fresh copies.
 */
import { CorruptSegmentError } from "./record_format";
import { FileChunkReader } from "./file_chunk_reader";
import type { Segment, MemorySegment, FileSegment } from "./shuffle_output";

/** A position in a segment: `key`/`value` are the current record after {@link SegmentCursor.next} returned true. */
export interface SegmentCursor {
  key: Uint8Array;
  value: Uint8Array;
  /** Moves to the next record; false (and closed) once past the last. */
  next(): boolean;
  /** Releases the file, if any; idempotent. */
  close(): void;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** Opens a cursor before the first record of `segment`. */
export function openCursor(segment: Segment, readBufferBytes: number): SegmentCursor {
  return segment.kind === "memory" ? new MemoryCursor(segment) : new FileCursor(segment, readBufferBytes);
}

class MemoryCursor implements SegmentCursor {
  key = EMPTY;
  value = EMPTY;
  private pos = 0;
  private left: number;
  private readonly data: Uint8Array;

  constructor(segment: MemorySegment) {
    if (segment.records > 0 && segment.data.byteLength === 0) {
      throw new Error("memory segment has no data: was it transferred to another thread?");
    }
    this.data = segment.data;
    this.left = segment.records;
  }

  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const keyLength = this.varint();
    this.key = this.take(keyLength);
    const valueLength = this.varint();
    this.value = this.take(valueLength);
    return true;
  }

  close(): void {
    this.left = 0;
  }

  private varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.data.length) throw new CorruptSegmentError("memory segment ends in the middle of a record");
      const b = this.data[this.pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
    throw new CorruptSegmentError("memory segment has a malformed length");
  }

  private take(n: number): Uint8Array {
    if (this.pos + n > this.data.length) throw new CorruptSegmentError("memory segment ends in the middle of a record");
    const view = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }
}

class FileCursor implements SegmentCursor {
  key = EMPTY;
  value = EMPTY;
  private left: number;
  private reader: FileChunkReader | undefined;

  // The file is opened on the first next(), so a concatenation holds one file open at a time.
  constructor(
    private readonly segment: FileSegment,
    private readonly readBufferBytes: number,
  ) {
    this.left = segment.records;
  }

  next(): boolean {
    if (this.left === 0) {
      this.close();
      return false;
    }
    this.reader ??= new FileChunkReader(this.segment.path, this.readBufferBytes, this.segment.bytes);
    const reader = this.reader;
    try {
      this.key = reader.bytes(varint(reader));
      this.value = reader.bytes(varint(reader));
    } catch (e) {
      this.close();
      throw e;
    }
    if (--this.left === 0) {
      const trailing = !reader.atEnd();
      this.close();
      if (trailing) throw new CorruptSegmentError(`run file ${this.segment.path} holds more than its ${this.segment.records} records`);
    }
    return true;
  }

  close(): void {
    this.left = 0;
    this.reader?.close();
    this.reader = undefined;
  }
}

function varint(reader: FileChunkReader): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const b = reader.byte();
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
    scale *= 128;
  }
  throw new CorruptSegmentError(`run file ${reader.path} has a malformed length`);
}
