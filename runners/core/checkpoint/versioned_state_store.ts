/**
 * A small on-disk versioned key -> bytes store for the state of one
 * operator, after Spark's HDFS-backed state store: a micro-batch runner
 * commits one version per batch (only the keys that changed, as a delta);
 * every `snapshotEvery` versions the full state is written instead, so that
 * loading a version reads one snapshot and a bounded chain of deltas.
 *
 * Values are opaque: typically the per-key blobs of
 * `ReduceFnRunner.snapshotKeys`, the per-namespace blobs of
 * `KeyedStateStore`/`TimerService`, plus a runner-level header under a key
 * of the runner's choosing.
 *
 * ## Files
 *
 * In the store's directory, one file per committed version:
 * `<version, 16 digits>.snapshot` (full state) or `<version>.delta`
 * (changes since the previous committed version). Zero-padding makes
 * directory order version order for humans; the code parses names.
 *
 * Layout (all integers big-endian):
 * ```
 * "MRVS"            4 bytes magic
 * u8  format        1
 * u8  kind          1 = snapshot, 2 = delta
 * i64 version
 * i64 previous      the version this delta applies over (-1: the empty state); = version for snapshots
 * u32 count         number of entries
 * count x { u32 keyLength, key (UTF-16LE, lossless for any JS string),
 *           i32 valueLength (-1: key deleted, deltas only), value bytes }
 * u32 crc32         of every preceding byte
 * ```
 * Storing `previous` in each delta lets a load detect a broken chain (a
 * missing or foreign file) instead of silently rebuilding wrong state; the
 * CRC catches a damaged file.
 *
 * ## Atomicity
 *
 * A version is written to a temporary name, fsynced, renamed to its final
 * name, and the directory fsynced: a file under a final name is always
 * complete, so a crash at any point leaves the previous version loadable. A
 * leftover temporary file (a crash before the rename) is ignored by reads
 * and deleted when a store is opened on the directory.
 *
 * Single writer: one store object per directory at a time (the operator's
 * task owns its state directory), as in Spark and Flink.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "node:zlib";

const MAGIC = Buffer.from("MRVS", "latin1");
const FORMAT = 1;
const KIND_SNAPSHOT = 1;
const KIND_DELTA = 2;
const HEADER_BYTES = 4 + 1 + 1 + 8 + 8 + 4;
const FILE_NAME = /^(\d{16})\.(snapshot|delta)$/;
const TEMP_MARK = ".tmp-";

/** Options of a {@link VersionedStateStore}. */
export interface VersionedStateStoreOptions {
  /** Directory of this operator's state (created when missing). */
  readonly dir: string;
  /** Write a full snapshot once this many versions were committed since the last one (1: every version). Default 10. */
  readonly snapshotEvery?: number;
  /** Snapshots kept; older snapshots and the deltas before the oldest kept one are deleted. Default 2. */
  readonly retain?: number;
}

/** A file of the store, as found in the directory. */
interface StoredFile {
  readonly version: number;
  readonly kind: "snapshot" | "delta";
  readonly file: string;
}

/** The decoded contents of one file. */
interface FileContents {
  readonly kind: "snapshot" | "delta";
  readonly version: number;
  readonly previous: number;
  readonly entries: Map<string, Uint8Array | null>;
}

/** Thrown when stored state is damaged, pruned, or was never committed. */
export class VersionedStateStoreError extends Error {
  /** @param message what is wrong, naming the blob or file. */
  constructor(message: string) {
    super(message);
    this.name = "VersionedStateStoreError";
  }
}

/**
 * The versioned state of one operator in a directory. All operations are
 * synchronous: they run at batch or checkpoint boundaries, where the
 * runner waits for durability anyway.
 */
export class VersionedStateStore {
  private readonly dir: string;
  private readonly snapshotEvery: number;
  private readonly retain: number;
  /** The state at the latest committed version, kept so that commits need not re-read the chain. */
  private cache: { version: number; state: Map<string, Uint8Array> } | undefined;

  /** Opens (or creates) the store in `options.dir`, deleting temporary files left by a crash. */
  constructor(options: VersionedStateStoreOptions) {
    this.dir = options.dir;
    this.snapshotEvery = options.snapshotEvery ?? 10;
    this.retain = options.retain ?? 2;
    if (!Number.isSafeInteger(this.snapshotEvery) || this.snapshotEvery < 1)
      throw new RangeError(`snapshotEvery must be a positive integer, got ${this.snapshotEvery}`);
    if (!Number.isSafeInteger(this.retain) || this.retain < 1)
      throw new RangeError(`retain must be a positive integer, got ${this.retain}`);
    fs.mkdirSync(this.dir, { recursive: true });
    for (const name of fs.readdirSync(this.dir)) if (name.includes(TEMP_MARK)) fs.rmSync(path.join(this.dir, name), { force: true });
  }

  /** The latest committed version, or undefined when nothing was committed. */
  latestVersion(): number | undefined {
    const files = this.list();
    return files.length === 0 ? undefined : files[files.length - 1]!.version;
  }

  /** The versions that can still be loaded (committed and not pruned), ascending. */
  versions(): number[] {
    const files = this.list();
    const firstSnapshot = files.find((f) => f.kind === "snapshot");
    // Deltas before the oldest snapshot are loadable only while nothing was pruned, i.e. their chain starts from the empty state.
    const chainFromEmpty = files.length > 0 && files[0]!.kind === "delta" && this.read(files[0]!).previous === -1;
    return files.filter((f) => chainFromEmpty || (firstSnapshot !== undefined && f.version >= firstSnapshot.version)).map((f) => f.version);
  }

  /**
   * Commits `version`: the keys in `changes` get their new bytes, or are
   * deleted when mapped to `null`; other keys keep their value from the
   * previous version. Writes a delta, or a full snapshot every
   * `snapshotEvery` versions, then prunes old files.
   *
   * @param version a safe integer greater than {@link latestVersion} (versions may skip numbers).
   */
  commit(version: number, changes: ReadonlyMap<string, Uint8Array | null>): void {
    const files = this.list();
    const latest = files.length === 0 ? -1 : files[files.length - 1]!.version;
    if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`version must be a non-negative safe integer, got ${version}`);
    if (version <= latest)
      throw new VersionedStateStoreError(
        `version ${version} is not after the latest committed version ${latest} (truncateAfter first to replay)`,
      );

    let sinceSnapshot = 0;
    for (let i = files.length - 1; i >= 0 && files[i]!.kind === "delta"; i--) sinceSnapshot++;
    const writeSnapshot = sinceSnapshot + 1 >= this.snapshotEvery;

    if (writeSnapshot) {
      const base = latest < 0 ? new Map<string, Uint8Array>() : this.stateAt(latest);
      const next = new Map(base);
      for (const [k, v] of changes) {
        if (v === null) next.delete(k);
        else next.set(k, v);
      }
      this.writeFile(version, "snapshot", version, next);
      this.cache = { version, state: next };
    } else {
      // Read the base before writing, so that a damaged chain fails the commit rather than later loads.
      const base = latest < 0 ? new Map<string, Uint8Array>() : this.stateAt(latest);
      this.writeFile(version, "delta", latest, changes);
      for (const [k, v] of changes) {
        if (v === null) base.delete(k);
        else base.set(k, v);
      }
      this.cache = { version, state: base };
    }
    this.prune();
  }

  /**
   * The full state at `version`: the latest snapshot at or before it plus
   * the deltas after that snapshot up to `version`. The map is the caller's.
   *
   * @throws VersionedStateStoreError when the version was never committed, was pruned, or a file is damaged.
   */
  load(version: number): Map<string, Uint8Array> {
    return new Map(this.stateAt(version));
  }

  /**
   * Deletes every version after `version`, so that a runner that restored
   * `version` after a failure can commit the following versions again.
   */
  truncateAfter(version: number): void {
    for (const f of this.list()) if (f.version > version) fs.rmSync(path.join(this.dir, f.file), { force: true });
    if (this.cache && this.cache.version > version) this.cache = undefined;
    this.syncDir();
  }

  // ---------------------------------------------------------------- internals

  /** The state at `version`, possibly the cached map itself (callers that hand it out copy it). */
  private stateAt(version: number): Map<string, Uint8Array> {
    if (this.cache?.version === version) return this.cache.state;
    const files = this.list();
    const target = files.find((f) => f.version === version);
    if (!target) throw new VersionedStateStoreError(`version ${version} of ${this.dir} was never committed or was pruned`);
    let base: StoredFile | undefined;
    for (const f of files) if (f.kind === "snapshot" && f.version <= version) base = f;
    const state = new Map<string, Uint8Array>();
    let expectedPrevious = -1;
    if (base) {
      for (const [k, v] of this.read(base).entries) if (v !== null) state.set(k, v);
      expectedPrevious = base.version;
    }
    for (const f of files) {
      if (f.kind !== "delta" || f.version <= (base?.version ?? -1) || f.version > version) continue;
      const delta = this.read(f);
      if (delta.previous !== expectedPrevious) {
        throw new VersionedStateStoreError(
          `${f.file} applies over version ${delta.previous} but the chain is at ${expectedPrevious === -1 ? "the empty state" : `version ${expectedPrevious}`}: version ${version} cannot be rebuilt (pruned or missing files)`,
        );
      }
      for (const [k, v] of delta.entries) {
        if (v === null) state.delete(k);
        else state.set(k, v);
      }
      expectedPrevious = f.version;
    }
    return state;
  }

  /** The store's files, ascending by version (temporary and foreign files ignored). */
  private list(): StoredFile[] {
    const out: StoredFile[] = [];
    for (const file of fs.readdirSync(this.dir)) {
      const m = FILE_NAME.exec(file);
      if (m) out.push({ version: Number(m[1]), kind: m[2] as "snapshot" | "delta", file });
    }
    return out.sort((a, b) => a.version - b.version || (a.kind === "snapshot" ? -1 : 1));
  }

  private fileName(version: number, kind: "snapshot" | "delta"): string {
    return `${String(version).padStart(16, "0")}.${kind}`;
  }

  /** Writes one version atomically: temporary file, fsync, rename, directory fsync. */
  private writeFile(version: number, kind: "snapshot" | "delta", previous: number, entries: ReadonlyMap<string, Uint8Array | null>): void {
    const parts: Buffer[] = [];
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt8(FORMAT, 4);
    header.writeUInt8(kind === "snapshot" ? KIND_SNAPSHOT : KIND_DELTA, 5);
    header.writeBigInt64BE(BigInt(version), 6);
    header.writeBigInt64BE(BigInt(previous), 14);
    header.writeUInt32BE(entries.size, 22);
    parts.push(header);
    for (const [k, v] of entries) {
      const key = Buffer.from(k, "utf16le");
      const lens = Buffer.alloc(4);
      lens.writeUInt32BE(key.length, 0);
      parts.push(lens, key);
      const vl = Buffer.alloc(4);
      vl.writeInt32BE(v === null ? -1 : v.length, 0);
      parts.push(vl);
      if (v !== null) parts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
    const body = Buffer.concat(parts);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE(crc32(body), 0);

    const finalName = this.fileName(version, kind);
    const tmp = path.join(this.dir, `${finalName}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2)}`);
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, body);
      fs.writeSync(fd, trailer);
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(this.dir, finalName));
    this.syncDir();
  }

  /** Makes renames and deletions durable; not supported on every platform (e.g. Windows), where it is skipped. */
  private syncDir(): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.dir, "r");
      fs.fsyncSync(fd);
    } catch {
      // Best effort.
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private read(f: StoredFile): FileContents {
    const where = path.join(this.dir, f.file);
    const buf = fs.readFileSync(where);
    const damaged = (why: string): VersionedStateStoreError => new VersionedStateStoreError(`${where} is damaged: ${why}`);
    if (buf.length < HEADER_BYTES + 4 || !buf.subarray(0, 4).equals(MAGIC)) throw damaged("not a state store file");
    const body = buf.subarray(0, buf.length - 4);
    if (crc32(body) !== buf.readUInt32BE(buf.length - 4)) throw damaged("checksum mismatch");
    if (buf.readUInt8(4) !== FORMAT) throw damaged(`unknown format ${buf.readUInt8(4)}`);
    const kind = buf.readUInt8(5) === KIND_SNAPSHOT ? "snapshot" : "delta";
    const version = Number(buf.readBigInt64BE(6));
    const previous = Number(buf.readBigInt64BE(14));
    if (kind !== f.kind || version !== f.version) throw damaged("its header does not match its name");
    const count = buf.readUInt32BE(22);
    const entries = new Map<string, Uint8Array | null>();
    let p = HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      if (p + 4 > body.length) throw damaged("truncated");
      const kl = body.readUInt32BE(p);
      p += 4;
      if (p + kl + 4 > body.length) throw damaged("truncated");
      const key = body.toString("utf16le", p, p + kl);
      p += kl;
      const vl = body.readInt32BE(p);
      p += 4;
      if (vl < 0) entries.set(key, null);
      else {
        if (p + vl > body.length) throw damaged("truncated");
        // A copy: the caller may keep values while the file buffer is reused or dropped.
        entries.set(key, new Uint8Array(body.subarray(p, p + vl)));
        p += vl;
      }
    }
    if (p !== body.length) throw damaged("trailing bytes");
    return { kind, version, previous, entries };
  }

  /** Keeps the newest `retain` snapshots; deletes older snapshots and every delta before the oldest one kept. */
  private prune(): void {
    const files = this.list();
    const snapshots = files.filter((f) => f.kind === "snapshot");
    if (snapshots.length <= this.retain) return;
    const oldestKept = snapshots[snapshots.length - this.retain]!.version;
    let removed = false;
    for (const f of files) {
      if (f.version < oldestKept) {
        fs.rmSync(path.join(this.dir, f.file), { force: true });
        removed = true;
      }
    }
    if (removed) this.syncDir();
  }
}
