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

const stores = new Map<string, VersionedStateStore>();
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
export function withPartitionState<T, R>(dir: string, batchId: number, snapshotEvery: number, codec: PartitionStateCodec<T>, batch: (value: T) => R): R {
  let store = stores.get(dir);
  if (!store) stores.set(dir, (store = new VersionedStateStore({ dir, snapshotEvery })));
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

/** Forgets the live state and store handles of directories under `root` (the job ended). */
export function forgetPartitionStates(root: string): void {
  for (const dir of [...stores.keys()]) if (dir.startsWith(root)) stores.delete(dir);
  for (const dir of [...live.keys()]) if (dir.startsWith(root)) live.delete(dir);
}
