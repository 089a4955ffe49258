/**
 * Glue between a ReduceFnRunner's per-key checkpointing and a flat
 * key -> bytes checkpoint (a stream runner's snapshot, a micro-batch
 * runner's {@link VersionedStateStore} version): the runner-level header
 * travels under {@link HEADER_ENTRY}, every key under its identity.
 *
 * Why one flat map: both target runners store "state of an operator" as a
 * map, and deltas are then just "changed entries plus deletions", which
 * {@link applyDelta} or the versioned store fold over a snapshot.
 */
import type { ReduceFnRunnerCheckpointing } from "../windowing/reduce_fn_runner_api";

/**
 * The entry holding the runner-level header. Key identities start with `s`
 * or `b` (see `identityOf`), so this name cannot collide with a key.
 */
export const HEADER_ENTRY = "\u0000header";

/** A full checkpoint: the header and every key holding state. Starts change tracking, so that the next {@link deltaCheckpoint} is relative to it. */
export function fullCheckpoint(runner: ReduceFnRunnerCheckpointing): Map<string, Uint8Array> {
  // Drain first: changes before this full checkpoint are in it, not in the next delta.
  runner.drainChangedKeys();
  return standaloneFullCheckpoint(runner);
}

/**
 * A full checkpoint for a runner that only ever takes full ones (the stream
 * runner): the header and every key holding state, without starting change
 * tracking, so that elements pay nothing for deltas no one takes.
 */
export function standaloneFullCheckpoint(runner: ReduceFnRunnerCheckpointing): Map<string, Uint8Array> {
  const out = runner.snapshotKeys();
  out.set(HEADER_ENTRY, runner.snapshotWatermarks());
  return out;
}

/**
 * The changes since the previous full or delta checkpoint: the header, the
 * changed keys' bytes, and `null` for keys that no longer hold state.
 */
export function deltaCheckpoint(runner: ReduceFnRunnerCheckpointing): Map<string, Uint8Array | null> {
  const { changed, removed } = runner.drainChangedKeys();
  const out = new Map<string, Uint8Array | null>(runner.snapshotKeys(changed));
  // A changed key may have emptied between the drain and the snapshot: not in the snapshot means deleted.
  for (const id of changed) if (!out.has(id)) out.set(id, null);
  for (const id of removed) out.set(id, null);
  out.set(HEADER_ENTRY, runner.snapshotWatermarks());
  return out;
}

/** Restores a full checkpoint (a snapshot with its deltas applied) into a fresh runner with the same config. */
export function restoreCheckpoint(runner: ReduceFnRunnerCheckpointing, state: ReadonlyMap<string, Uint8Array>): void {
  const header = state.get(HEADER_ENTRY);
  if (header) runner.restoreWatermarks(header);
  for (const [id, bytes] of state) if (id !== HEADER_ENTRY) runner.restoreKey(id, bytes);
}
