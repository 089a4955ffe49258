/**
 * The state of one node's partition across micro-batches, on an executor,
 * after Spark's state store provider: each task of a batch loads the latest
 * committed version of its partition (at most the previous batch's), runs,
 * and commits the changes as the batch's version. A replayed batch first
 * drops versions it may have committed before a crash, so it starts from
 * exactly the state the first attempt started from.
 *
 * Loading from disk means restoring every key; an executor therefore keeps
 * the live objects of the partitions it ran last, and reuses them when they
 * are at the version the store says is latest (a task that fails drops them:
 * they may be half-updated).
 */
import { VersionedStateStore } from "../../core/checkpoint/versioned_state_store";

/** The live state of one partition and the version it corresponds to. */
interface CachedState {
  readonly version: number;
  readonly value: unknown;
}

/** Store handles and live state by directory, with the job each belongs to. */
const stores = new Map<string, { jobId: string; store: VersionedStateStore }>();
const live = new Map<string, CachedState>();

/** How a node's partition state is rebuilt from stored entries, and what a batch changed. */
export interface PartitionStateCodec<T> {
  /** Builds live state from the entries of a committed version (empty for a first batch). */
  restore(entries: ReadonlyMap<string, Uint8Array>): T;
  /** The entries changed since the state was restored or last committed (`null`: deleted). */
  changes(value: T): Map<string, Uint8Array | null>;
}

/**
 * Runs `batch` against the state of the partition stored in `dir`, as of
 * the last version before `batchId`, then commits its changes as version
 * `batchId`. Returns what `batch` returned.
 */
export function withPartitionState<T, R>(
  jobId: string,
  dir: string,
  batchId: number,
  snapshotEvery: number,
  codec: PartitionStateCodec<T>,
  batch: (value: T) => R,
): R {
  let opened = stores.get(dir);
  if (!opened || opened.jobId !== jobId) {
    live.delete(dir);
    stores.set(dir, (opened = { jobId, store: new VersionedStateStore({ dir, snapshotEvery }) }));
  }
  const store = opened.store;
  store.truncateAfter(batchId - 1);
  const base = store.latestVersion() ?? -1;
  const cached = live.get(dir);
  // Taken out while in use: if the batch fails, the half-updated objects are gone.
  live.delete(dir);
  const value = cached && cached.version === base ? (cached.value as T) : codec.restore(base >= 0 ? store.load(base) : new Map());
  const result = batch(value);
  store.commit(batchId, codec.changes(value));
  live.set(dir, { version: batchId, value });
  return result;
}

/** Forgets the live state and store handles of job `jobId` (it ended on this executor). */
export function forgetPartitionStates(jobId: string): void {
  for (const [dir, opened] of [...stores]) {
    if (opened.jobId !== jobId) continue;
    stores.delete(dir);
    live.delete(dir);
  }
}
