/**
 * Turns the record batches of one partition's fetch response into records
 * with their offsets and timestamps, skipping control batches and, under
 * read_committed, aborted transactions.
 *
 * Timestamps are taken from the batch ourselves: on a LogAppendTime topic
 * the broker writes its append time into the batch header (`maxTimestamp`)
 * and sets the batch's timestamp-type bit, while the record deltas still
 * carry the producer's CreateTime; the client library reports the latter.
 */
import { AbortedTransactionFilter, type AbortedTransaction } from "./aborted_transactions";
import type { KafkaTimestampType } from "./kafka_record";

/** Batch attribute bits (Kafka's `RecordBatch` v2 format). */
const TIMESTAMP_TYPE_BIT = 1 << 3;
const TRANSACTIONAL_BIT = 1 << 4;
const CONTROL_BIT = 1 << 5;
/** A control record's key is (version: int16, type: int16); type 0 is ABORT, 1 is COMMIT. */
const CONTROL_TYPE_ABORT = 0;

/** One record of a raw batch, as the client decodes it. */
export interface RawRecord {
  readonly timestampDelta: bigint;
  readonly offsetDelta: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: ReadonlyArray<readonly [Uint8Array | null, Uint8Array | null]>;
}

/** A raw record batch (v2), as the client decodes it from a fetch response. */
export interface RawRecordBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly records: readonly RawRecord[];
}

/** A record of a partition before deserialization. */
export interface FetchedRecord {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly timestampType: KafkaTimestampType;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: ReadonlyArray<readonly [Uint8Array | null, Uint8Array | null]>;
}

/** What one fetch response yields for a partition. */
export interface FetchedRecords {
  readonly records: FetchedRecord[];
  /**
   * The offset to fetch next: past the last batch seen, including control
   * batches and aborted ones, so a reader never fetches them again.
   */
  readonly nextOffset: bigint;
}

function isAbortMarker(batch: RawRecordBatch): boolean {
  const key = batch.records[0]?.key;
  if (!key || key.length < 4) return false;
  return ((key[2]! << 8) | key[3]!) === CONTROL_TYPE_ABORT;
}

/** The records of one partition's fetch responses, in offset order, for a reader that starts at some offset. */
export class PartitionRecordDecoder {
  private readonly filter: AbortedTransactionFilter | undefined;

  /** `readCommitted` drops aborted transactions; otherwise every data record is delivered (read_uncommitted). */
  constructor(readCommitted: boolean) {
    this.filter = readCommitted ? new AbortedTransactionFilter() : undefined;
  }

  /**
   * The records of one fetch response at or after `fetchOffset` (a batch may
   * start before the offset asked for: its earlier records are skipped).
   */
  decode(fetchOffset: bigint, batches: readonly RawRecordBatch[], aborted: readonly AbortedTransaction[]): FetchedRecords {
    this.filter?.addAborted(aborted);
    const records: FetchedRecord[] = [];
    let nextOffset = fetchOffset;
    for (const batch of batches) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (lastOffset < nextOffset) continue;
      const isControl = (batch.attributes & CONTROL_BIT) !== 0;
      const admitted =
        this.filter === undefined
          ? !isControl
          : this.filter.admits({
              producerId: batch.producerId,
              firstOffset: batch.firstOffset,
              lastOffset,
              isTransactional: (batch.attributes & TRANSACTIONAL_BIT) !== 0,
              isControl,
              isAbortMarker: isControl && isAbortMarker(batch),
            });
      if (admitted) {
        const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_BIT) !== 0;
        const timestampType: KafkaTimestampType = logAppendTime ? "LogAppendTime" : "CreateTime";
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          if (offset < nextOffset) continue;
          records.push({
            offset,
            timestamp: Number(logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + r.timestampDelta),
            timestampType,
            key: r.key,
            value: r.value,
            headers: r.headers,
          });
        }
      }
      nextOffset = lastOffset + 1n;
    }
    return { records, nextOffset };
  }
}
