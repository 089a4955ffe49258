/**
 * Which keys of a keyed operator changed since its last checkpoint, so that
 * a delta checkpoint writes only those (and deletes the keys that emptied).
 * Off until checkpointing is used, so that runners that never checkpoint pay
 * nothing; when it starts late, the first drain reports every key holding
 * state, since earlier changes were not recorded.
 */

/** The keys changed (still holding state: snapshot them) and removed (holding none: delete them) since the previous drain. */
export interface ChangedKeyIdentities {
  readonly changed: Set<string>;
  readonly removed: Set<string>;
}

/** Records the key states touched between drains. */
export class ChangedKeyTracker<K> {
  private tracking: boolean;
  private reportAllOnNextDrain = false;
  /** Touched since the last drain (may include stale, emptied ones). */
  private readonly touched = new Set<K>();

  constructor(
    /** Track from the start (`trackChangedKeys`), or only once checkpointing is used. */
    fromStart: boolean,
    private readonly holdsState: (k: K) => boolean,
    private readonly identity: (k: K) => string,
  ) {
    this.tracking = fromStart;
  }

  /** True once changes are being recorded. */
  get on(): boolean {
    return this.tracking;
  }

  /** Records that `k` changed (when tracking). */
  mark(k: K): void {
    if (this.tracking) this.touched.add(k);
  }

  /** True when `k` was touched since the last drain. */
  has(k: K): boolean {
    return this.touched.has(k);
  }

  /** Forgets that `k` was touched (a restored key is not a change). */
  forget(k: K): void {
    this.touched.delete(k);
  }

  /** Turns tracking on (once), remembering that keys changed before it started are unknown. */
  start(): void {
    if (this.tracking) return;
    this.tracking = true;
    this.reportAllOnNextDrain = true;
  }

  /** A full snapshot covers every earlier change: tracking can start clean from it. */
  startFromFullSnapshot(): void {
    this.tracking = true;
  }

  /** The keys touched since the last call, split by whether they still hold state; then a new interval starts. `all` lists every key, for a first drain after a late start. */
  drain(all: Iterable<K>): ChangedKeyIdentities {
    const changed = new Set<string>();
    const removed = new Set<string>();
    this.start();
    const reportAll = this.reportAllOnNextDrain;
    this.reportAllOnNextDrain = false;
    if (reportAll) for (const k of all) if (this.holdsState(k)) changed.add(this.identity(k));
    for (const k of this.touched) {
      const id = this.identity(k);
      // A compacted (emptied) and a re-created state of one key may both be here: any holding state wins.
      if (this.holdsState(k)) {
        changed.add(id);
        removed.delete(id);
      } else if (!changed.has(id)) removed.add(id);
    }
    this.touched.clear();
    return { changed, removed };
  }
}
