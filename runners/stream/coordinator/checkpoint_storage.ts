/**
 * Where completed checkpoints live. On disk (`--checkpointDir`), as Flink
 * lays them out: `chk-<id>/` holds one state file per subtask and `_metadata`,
 * which names the files with a CRC-32 of each and one of its own. A
 * checkpoint becomes complete in two steps: {@link CheckpointStorage.write}
 * writes the state files and the metadata under a pending name (durably),
 * and {@link CheckpointStorage.register} renames it to `_metadata` once the
 * job master has accepted the checkpoint. A directory without `_metadata`
 * (never registered: the master failed or was killed first) is never read,
 * so a restore cannot pick a checkpoint whose sink files were never
 * published. On restore, a checkpoint whose files are missing or fail their
 * checksum is skipped, with a warning naming the file and the checkpoint, in
 * favour of the newest older one that verifies. The newest
 * `--retainedCheckpoints` are kept. Without a directory, the last completed
 * checkpoint is kept in memory, for restarts within the process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "node:zlib";

/** A completed checkpoint's description, as written in `_metadata`. */
export interface CheckpointMetadata {
  readonly id: number;
  /** The job run it belongs to (stable across restarts). */
  readonly jobRunId: string;
  readonly parallelism: number;
  /** The job graph's vertex ids, in order: a restore checks that the pipeline is the same. */
  readonly vertices: readonly string[];
  /** Total bytes of state. */
  readonly sizeBytes: number;
  readonly completedAt: number;
  /** State file of each subtask: `files[vertex][subtask]`, relative to the checkpoint directory. */
  readonly files: readonly (readonly string[])[];
  /** CRC-32 of each state file, `checksums[vertex][subtask]`: a flipped bit is refused, not restored. */
  readonly checksums: readonly (readonly number[])[];
}

/** A completed checkpoint with its state. */
export interface CompletedCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** `state[vertex][subtask]`. */
  readonly state: readonly (readonly Uint8Array[])[];
}

/** A checkpoint on disk that cannot be restored, and why. */
export class DamagedCheckpointError extends Error {
  override readonly name = "DamagedCheckpointError";
}

const METADATA = "_metadata";
const PENDING_METADATA = "_metadata.pending";

function checkpointDirName(id: number): string {
  return `chk-${String(id).padStart(6, "0")}`;
}

/** Stores completed checkpoints. */
export class CheckpointStorage {
  private inMemory: CompletedCheckpoint | undefined;

  constructor(
    /** Undefined: keep the last one in memory. */
    readonly dir: string | undefined,
    private readonly retained: number,
  ) {
    if (dir) fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Writes a checkpoint's state files, then its metadata under a pending
   * name, all durably. The checkpoint is not complete until
   * {@link register} is called. Returns the metadata.
   */
  async write(
    id: number,
    meta: Omit<CheckpointMetadata, "id" | "sizeBytes" | "completedAt" | "files" | "checksums">,
    state: readonly (readonly Uint8Array[])[],
  ): Promise<CheckpointMetadata> {
    let sizeBytes = 0;
    for (const perVertex of state) for (const s of perVertex) sizeBytes += s.byteLength;
    const files = state.map((perVertex, v) => perVertex.map((_, s) => `v${v}-s${s}.state`));
    const checksums = state.map((perVertex) => perVertex.map((bytes) => crc32(bytes)));
    const metadata: CheckpointMetadata = { ...meta, id, sizeBytes, completedAt: Date.now(), files, checksums };
    if (!this.dir) return metadata;
    const dir = path.join(this.dir, checkpointDirName(id));
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.mkdir(dir, { recursive: true });
    await Promise.all(state.flatMap((perVertex, v) => perVertex.map((bytes, s) => writeDurably(path.join(dir, files[v]![s]!), bytes))));
    await writeDurably(path.join(dir, PENDING_METADATA), encodeMetadata(metadata));
    return metadata;
  }

  /**
   * Makes checkpoint `id`, written by {@link write}, the newest complete one:
   * an atomic rename, synchronous so that nothing runs between the job
   * master accepting the checkpoint and the disk saying so. Then drops
   * checkpoints beyond the retained number.
   */
  register(checkpoint: CompletedCheckpoint): void {
    if (!this.dir) {
      this.inMemory = checkpoint;
      return;
    }
    const dir = path.join(this.dir, checkpointDirName(checkpoint.metadata.id));
    fs.renameSync(path.join(dir, PENDING_METADATA), path.join(dir, METADATA));
    this.prune();
  }

  /** The newest completed checkpoint that verifies, if any; damaged ones are reported to `warn` and skipped. */
  latest(warn: (message: string) => void = console.warn): CompletedCheckpoint | undefined {
    if (!this.dir) return this.inMemory;
    return newestVerified(this.dir, warn).checkpoint;
  }

  /** The highest checkpoint id used in the directory, complete or not (0 when none): new ids go above it. */
  highestId(): number {
    return this.dir ? Math.max(0, ...checkpointIds(this.dir)) : 0;
  }

  private prune(): void {
    const completed = completedIds(this.dir!);
    for (const id of completed.slice(0, Math.max(0, completed.length - this.retained))) {
      fs.rmSync(path.join(this.dir!, checkpointDirName(id)), { recursive: true, force: true });
    }
    // Checkpoints never registered, older than the newest registered one, are abandoned.
    const newest = completed.at(-1) ?? 0;
    for (const id of checkpointIds(this.dir!)) {
      if (id < newest && !fs.existsSync(path.join(this.dir!, checkpointDirName(id), METADATA))) {
        fs.rmSync(path.join(this.dir!, checkpointDirName(id)), { recursive: true, force: true });
      }
    }
  }
}

/** `_metadata`: the JSON of the metadata with a CRC-32 of that JSON, so a damaged metadata file is refused too. */
function encodeMetadata(metadata: CheckpointMetadata): Buffer {
  const json = JSON.stringify(metadata);
  return Buffer.from(JSON.stringify({ crc32: crc32(json), metadata: json }));
}

function decodeMetadata(bytes: Buffer, file: string): CheckpointMetadata {
  let outer: { crc32?: unknown; metadata?: unknown };
  try {
    outer = JSON.parse(bytes.toString("utf8")) as typeof outer;
  } catch (e) {
    throw new DamagedCheckpointError(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof outer.metadata !== "string" || typeof outer.crc32 !== "number") {
    throw new DamagedCheckpointError(`${file} has no checksummed metadata (written by an older millrace, or damaged)`);
  }
  if (crc32(outer.metadata) !== outer.crc32) throw new DamagedCheckpointError(`${file} fails its checksum`);
  return JSON.parse(outer.metadata) as CheckpointMetadata;
}

async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.promises.open(file, "w");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function checkpointIds(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => /^chk-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function completedIds(dir: string): number[] {
  return checkpointIds(dir).filter((id) => fs.existsSync(path.join(dir, checkpointDirName(id), METADATA)));
}

/**
 * The newest completed checkpoint of `dir` whose files all verify, and a
 * description of each newer one skipped (reported to `warn` as well).
 */
export function newestVerified(
  dir: string,
  warn: (message: string) => void,
): { checkpoint: CompletedCheckpoint | undefined; skipped: string[] } {
  const skipped: string[] = [];
  for (const id of completedIds(dir).reverse()) {
    try {
      return { checkpoint: readCheckpoint(path.join(dir, checkpointDirName(id))), skipped };
    } catch (e) {
      if (!(e instanceof DamagedCheckpointError)) throw e;
      const message = `checkpoint ${id} cannot be restored: ${e.message}; trying the one before it`;
      skipped.push(message);
      warn(`millrace stream: ${message}`);
    }
  }
  return { checkpoint: undefined, skipped };
}

/**
 * Reads and verifies one completed checkpoint directory (`chk-<id>`).
 * @throws DamagedCheckpointError naming the file that is missing or fails its checksum.
 */
export function readCheckpoint(dir: string): CompletedCheckpoint {
  const metadataFile = path.join(dir, METADATA);
  let raw: Buffer;
  try {
    raw = fs.readFileSync(metadataFile);
  } catch (e) {
    throw new DamagedCheckpointError(`'${dir}' is not a completed checkpoint (no readable ${METADATA}): ${(e as Error).message}`, {
      cause: e,
    });
  }
  const metadata = decodeMetadata(raw, metadataFile);
  const state = metadata.files.map((perVertex, v) =>
    perVertex.map((f, s) => {
      const file = path.join(dir, f);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new DamagedCheckpointError(
          `state file ${file} is missing or unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          { cause: e },
        );
      }
      if (crc32(bytes) !== metadata.checksums[v]?.[s]) throw new DamagedCheckpointError(`state file ${file} fails its checksum`);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }),
  );
  return { metadata, state };
}

/**
 * The checkpoint `--fromCheckpoint` names: a `chk-<id>` directory (which must
 * verify), or a checkpoint directory (its newest checkpoint that verifies).
 */
export function checkpointToResumeFrom(dir: string, warn: (message: string) => void = console.warn): CompletedCheckpoint {
  if (!fs.existsSync(dir)) throw new Error(`--fromCheckpoint: '${dir}' does not exist`);
  if (fs.existsSync(path.join(dir, METADATA))) {
    try {
      return readCheckpoint(dir);
    } catch (e) {
      throw new Error(`--fromCheckpoint: ${(e as Error).message}`, { cause: e });
    }
  }
  const { checkpoint, skipped } = newestVerified(dir, warn);
  if (!checkpoint) {
    throw new Error(
      `--fromCheckpoint: '${dir}' holds no completed checkpoint that verifies (no chk-<id>/${METADATA}${skipped.length > 0 ? `; ${skipped.join("; ")}` : ""})`,
    );
  }
  return checkpoint;
}

/** The job run id recorded in a checkpoint directory, created on first use: a restarted process keeps its sinks' file names. */
export function jobRunIdIn(dir: string | undefined, fresh: string): string {
  if (!dir) return fresh;
  const file = path.join(dir, "job.json");
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { jobRunId: string }).jobRunId;
  } catch {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ jobRunId: fresh }));
    return fresh;
  }
}
