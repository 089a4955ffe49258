/**
 * The contents of side inputs of an unbounded job: a ParDo reads everything
 * its side input received so far, over all batches, so the driver keeps
 * each batch's shuffle segments of it; and, so that a restarted job reads
 * the same, writes them to a versioned state store in the checkpoint
 * directory (one version per batch that added any).
 */
import * as fs from "node:fs";
import { VersionedStateStore } from "../../core/checkpoint/versioned_state_store";
import type { MemorySegment, Segment } from "../shuffle/shuffle_output";

/** Side input segments of every batch so far. */
export class SideInputContents {
  /** Opened when the directory exists or the first contents are committed: a job without side inputs leaves none. */
  private store: VersionedStateStore | undefined;
  private readonly byPc = new Map<string, Segment[]>();
  private readonly pending = new Map<string, Uint8Array>();

  /** Opens the store in `dir` as of batch `lastCommitted` (dropping what a batch never committed wrote). */
  constructor(
    private readonly dir: string,
    private readonly snapshotEvery: number,
    lastCommitted: number,
  ) {
    if (!fs.existsSync(dir)) return;
    this.store = new VersionedStateStore({ dir, snapshotEvery });
    this.store.truncateAfter(lastCommitted);
    const latest = this.store.latestVersion();
    if (latest === undefined) return;
    const entries = [...this.store.load(latest)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [entry, bytes] of entries) {
      const pc = entry.slice(0, entry.indexOf("\u0000"));
      const records = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
      const segment: MemorySegment = { kind: "memory", data: bytes.slice(4), records };
      this.segmentsOf(pc).push(segment);
    }
  }

  /** Every segment of side input `pc` so far. */
  segments(pc: string): Segment[] {
    return this.segmentsOf(pc);
  }

  /** Adds what batch `batchId` wrote to `pc`; durable at {@link commit}. */
  add(pc: string, batchId: number, segments: readonly Segment[]): void {
    segments.forEach((segment, i) => {
      const data = segment.kind === "memory" ? segment.data : new Uint8Array(fs.readFileSync(segment.path));
      const bytes = new Uint8Array(4 + data.length);
      new DataView(bytes.buffer).setUint32(0, segment.records);
      bytes.set(data, 4);
      // Zero-padded ids: entries sort in batch order when restored.
      this.pending.set(`${pc}\u0000${String(batchId).padStart(16, "0")}\u0000${String(i).padStart(8, "0")}`, bytes);
      this.segmentsOf(pc).push(segment);
    });
  }

  /** Makes the batch's additions durable (before the batch's commit log entry). */
  commit(batchId: number): void {
    if (this.pending.size === 0) return;
    this.store ??= new VersionedStateStore({ dir: this.dir, snapshotEvery: this.snapshotEvery });
    this.store.commit(batchId, this.pending);
    this.pending.clear();
  }

  private segmentsOf(pc: string): Segment[] {
    let list = this.byPc.get(pc);
    if (!list) this.byPc.set(pc, (list = []));
    return list;
  }
}
