/**
 * What a file format supplies to the shared file sink and reader: an
 * encoder that turns one file's records into bytes, and a decoder that turns
 * one file's bytes back into records. Sharding, atomic commit, windowed and
 * per-destination naming, and compression are the sink's and the reader's
 * (see `write_files.ts`, `read_files.ts`), the same for every format.
 */

/** Turns the records of one file into its bytes, record by record. */
export interface RecordEncoder {
  /** Adds a record; returns bytes that can be written now (line formats), or nothing (formats that write at the end). Throws on a record the format cannot hold. */
  write(record: unknown): Uint8Array | undefined;
  /** Ends the file: returns the bytes not returned yet (a footer, a buffered body). */
  finish(): Uint8Array;
}

/** A record a reader could not decode, sent to the dead-letter output (or failing the run). */
export interface BadRecord {
  /** The file it was read from (absolute path). */
  readonly file: string;
  /** Its line number in the file (1-based; for CSV, the line the row starts on). */
  readonly line: number;
  /** The text of the bad record, as read. */
  readonly text: string;
  /** Why it was refused. */
  readonly error: string;
}

/** Where a decoder puts what it reads from a file. */
export interface DecodedRecords {
  /** A record read. */
  record(value: unknown): void;
  /** A record that could not be decoded; formats without a dead-letter output throw instead. */
  bad(failure: BadRecord): void;
}

/** Turns the (uncompressed) bytes of one file into records; throws, naming the file, on a file it cannot read at all. */
export type FileDecoder = (bytes: Buffer, file: string, out: DecodedRecords) => void;
