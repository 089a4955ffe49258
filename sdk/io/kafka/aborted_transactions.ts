/**
 * read_committed filtering done the way Kafka's own consumer does it
 * (`CompletedFetch` in kafka-clients), because the client library's filter
 * only drops an aborted transaction when its abort marker is in the same
 * fetch response: a transaction whose marker arrives in a later fetch would
 * otherwise be delivered.
 *
 * Each fetch response lists the aborted transactions overlapping the fetched
 * range (producer id and first offset). Walking the batches in offset order,
 * a producer becomes "aborting" once a batch reaches the first offset of one
 * of its aborted transactions, and stops being so at its abort marker (a
 * control batch). A transactional data batch of an aborting producer is
 * dropped. The state is kept across fetches of one partition, so a
 * transaction that spans fetch responses (or log segments) is dropped whole.
 */
/** An entry of a fetch response's aborted-transactions list. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** The parts of a record batch's header that the filter reads. */
export interface BatchHeader {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  /** Offset of the batch's last record: `firstOffset + lastOffsetDelta`. */
  readonly lastOffset: bigint;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  /** For a control batch: true when it is an abort marker, false for a commit marker. */
  readonly isAbortMarker: boolean;
}

/** The read_committed state of one partition, fed with every fetch response's batches in order. */
export class AbortedTransactionFilter {
  /** Aborted transactions not yet reached, by first offset (a fetch lists a handful, so a sorted array does). */
  private readonly pending: AbortedTransaction[] = [];
  private readonly seen = new Set<string>();
  private readonly aborting = new Set<bigint>();

  /** Adds a fetch response's aborted transactions (the same one may come in several responses). */
  addAborted(list: readonly AbortedTransaction[]): void {
    for (const t of list) {
      const id = `${t.producerId}@${t.firstOffset}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      const at = this.pending.findIndex((p) => p.firstOffset > t.firstOffset);
      this.pending.splice(at < 0 ? this.pending.length : at, 0, t);
    }
  }

  /**
   * Whether the records of `batch` are to be delivered. Call for every batch
   * in offset order, control batches included (they end an abort).
   */
  admits(batch: BatchHeader): boolean {
    if (batch.producerId >= 0n) {
      // Every aborted transaction that started at or before this batch is in force now.
      while (this.pending.length > 0 && this.pending[0]!.firstOffset <= batch.lastOffset) {
        const started = this.pending.shift()!;
        this.aborting.add(started.producerId);
        this.seen.delete(`${started.producerId}@${started.firstOffset}`);
      }
    }
    if (batch.isControl) {
      if (batch.isAbortMarker) this.aborting.delete(batch.producerId);
      return false;
    }
    return !(batch.isTransactional && this.aborting.has(batch.producerId));
  }
}
