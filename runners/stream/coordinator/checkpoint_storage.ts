/**
 * Where completed checkpoints live. On disk (`--checkpointDir`), as Flink
 * lays them out: `chk-<id>/` holds one state file per subtask and, written
 * last and atomically (temporary name, fsync, rename), `_metadata`; a
 * directory without `_metadata` is an incomplete checkpoint and is never
 * read. The newest `--retainedCheckpoints` are kept. Without a directory,
 * the last completed checkpoint is kept in memory, for restarts within the
 * process.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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
}

/** A completed checkpoint with its state. */
export interface CompletedCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** `state[vertex][subtask]`. */
  readonly state: readonly (readonly Uint8Array[])[];
}

const METADATA = "_metadata";

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
   * Writes a completed checkpoint: state files first, then the metadata
   * atomically, then drops checkpoints beyond the retained number. Returns
   * the bytes written.
   */
  async write(id: number, meta: Omit<CheckpointMetadata, "id" | "sizeBytes" | "completedAt" | "files">, state: readonly (readonly Uint8Array[])[]): Promise<CheckpointMetadata> {
    let sizeBytes = 0;
    for (const perVertex of state) for (const s of perVertex) sizeBytes += s.byteLength;
    const files = state.map((perVertex, v) => perVertex.map((_, s) => `v${v}-s${s}.state`));
    const metadata: CheckpointMetadata = { ...meta, id, sizeBytes, completedAt: Date.now(), files };
    if (!this.dir) {
      this.inMemory = { metadata, state };
      return metadata;
    }
    const dir = path.join(this.dir, checkpointDirName(id));
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.mkdir(dir, { recursive: true });
    await Promise.all(state.flatMap((perVertex, v) => perVertex.map((bytes, s) => writeDurably(path.join(dir, files[v]![s]!), bytes))));
    await writeDurably(path.join(dir, `${METADATA}.tmp`), Buffer.from(JSON.stringify(metadata)));
    await fs.promises.rename(path.join(dir, `${METADATA}.tmp`), path.join(dir, METADATA));
    await this.prune();
    return metadata;
  }

  /** The newest completed checkpoint, if any. */
  latest(): CompletedCheckpoint | undefined {
    if (!this.dir) return this.inMemory;
    return latestIn(this.dir);
  }

  private async prune(): Promise<void> {
    const completed = completedIds(this.dir!);
    for (const id of completed.slice(0, Math.max(0, completed.length - this.retained))) {
      await fs.promises.rm(path.join(this.dir!, checkpointDirName(id)), { recursive: true, force: true });
    }
    // Incomplete checkpoints older than the newest completed one are abandoned.
    const newest = completed.at(-1) ?? 0;
    for (const name of fs.readdirSync(this.dir!)) {
      const m = /^chk-(\d+)$/.exec(name);
      if (m && Number(m[1]) < newest && !fs.existsSync(path.join(this.dir!, name, METADATA))) {
        await fs.promises.rm(path.join(this.dir!, name), { recursive: true, force: true });
      }
    }
  }
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

function completedIds(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => /^chk-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(dir, m[0], METADATA)))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function latestIn(dir: string): CompletedCheckpoint | undefined {
  const id = completedIds(dir).at(-1);
  return id === undefined ? undefined : readCheckpoint(path.join(dir, checkpointDirName(id)));
}

/** Reads one completed checkpoint directory (`chk-<id>`). */
export function readCheckpoint(dir: string): CompletedCheckpoint {
  let metadata: CheckpointMetadata;
  try {
    metadata = JSON.parse(fs.readFileSync(path.join(dir, METADATA), "utf8")) as CheckpointMetadata;
  } catch (e) {
    throw new Error(`'${dir}' is not a completed checkpoint (no readable ${METADATA}): ${(e as Error).message}`, { cause: e });
  }
  const state = metadata.files.map((perVertex) => perVertex.map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f)))));
  return { metadata, state };
}

/**
 * The checkpoint `--fromCheckpoint` names: a `chk-<id>` directory, or a
 * checkpoint directory (its newest completed checkpoint).
 */
export function checkpointToResumeFrom(dir: string): CompletedCheckpoint {
  if (!fs.existsSync(dir)) throw new Error(`--fromCheckpoint: '${dir}' does not exist`);
  if (fs.existsSync(path.join(dir, METADATA))) return readCheckpoint(dir);
  const latest = latestIn(dir);
  if (!latest) throw new Error(`--fromCheckpoint: '${dir}' holds no completed checkpoint (no chk-<id>/${METADATA})`);
  return latest;
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
