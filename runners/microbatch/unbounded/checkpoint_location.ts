/**
 * The checkpoint directory of an unbounded job (`--checkpointDir`), laid out
 * as Spark's: `offsets/` (the write-ahead log of what each batch reads),
 * `commits/` (batches whose output is complete), `state/<node>/<partition>/`
 * (one versioned state store per stateful node and partition) and
 * `metadata` (what the directory belongs to). Without `--checkpointDir` a
 * temporary directory is used and removed when the job ends.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchLog } from "./batch_log";
import type { BatchOffsets } from "./source_offsets";
import type { BatchCommit } from "./batch_commit";

/** What a checkpoint directory belongs to: a restart must match it. */
export interface CheckpointMetadata {
  /** The transforms of the pipeline (unique names), in order. */
  readonly transforms: readonly string[];
  /** Partitions of every keyed shuffle: state is split by them, so they cannot change. */
  readonly partitions: number;
}

/** True when `dir` holds at least one committed state file (temporary files of a crash do not count). */
function hasCommittedVersion(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((name) => !name.includes(".tmp-"));
  } catch {
    return false;
  }
}

/** An opened checkpoint directory. */
export class CheckpointLocation {
  /** The offset log: written before a batch runs. */
  readonly offsets: BatchLog<BatchOffsets>;
  /** The commit log: written after a batch's output is complete. */
  readonly commits: BatchLog<BatchCommit>;

  private constructor(
    /** The directory. */
    readonly root: string,
    /** True when the directory is temporary (removed at the end). */
    readonly temporary: boolean,
  ) {
    this.offsets = new BatchLog(path.join(root, "offsets"));
    this.commits = new BatchLog(path.join(root, "commits"));
  }

  /**
   * Opens `dir` (created when missing), or a new temporary directory when
   * undefined; a directory written by another pipeline, or with another
   * number of partitions, is refused.
   */
  static open(dir: string | undefined, metadata: CheckpointMetadata): CheckpointLocation {
    const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "millrace-checkpoint-"));
    fs.mkdirSync(root, { recursive: true });
    const file = path.join(root, "metadata");
    if (fs.existsSync(file)) {
      const stored = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointMetadata;
      if (stored.partitions !== metadata.partitions) {
        throw new Error(
          `--checkpointDir=${root} was written with --partitions=${stored.partitions}: restart with the same number (state is split by partition)`,
        );
      }
      if (JSON.stringify(stored.transforms) !== JSON.stringify(metadata.transforms)) {
        const missing = stored.transforms.filter((t) => !metadata.transforms.includes(t));
        const added = metadata.transforms.filter((t) => !stored.transforms.includes(t));
        throw new Error(
          `--checkpointDir=${root} belongs to another pipeline (transforms not in this one: ${missing.join(", ") || "none"}; new here: ${added.join(", ") || "none"}): use a new directory`,
        );
      }
    } else {
      fs.writeFileSync(file, JSON.stringify(metadata, null, 1));
    }
    return new CheckpointLocation(root, dir === undefined);
  }

  /** The state store directory of a node's partition. */
  stateDir(nodeId: string, partition: number): string {
    return path.join(this.root, "state", encodeURIComponent(nodeId), String(partition));
  }

  /**
   * Checks that every partition the last commit says holds state still has
   * its state store on disk. Without this a deleted `state/<node>/<partition>`
   * would silently restart that partition empty, losing what it held.
   */
  verifyStateOf(commit: BatchCommit): void {
    const missing: string[] = [];
    for (const [nodeId, after] of Object.entries(commit.nodes)) {
      after.stateRows.forEach((rows, partition) => {
        if (rows > 0 || after.active[partition] === true) {
          if (!hasCommittedVersion(this.stateDir(nodeId, partition)))
            missing.push(`state/${encodeURIComponent(nodeId)}/${partition} (${rows} rows)`);
        }
      });
    }
    if (missing.length > 0) {
      throw new Error(
        `${this.root}: batch ${commit.batchId} was committed with state that is no longer on disk: ${missing.join(", ")}. ` +
          "Restore the missing directories from a backup, or start over with a new --checkpointDir.",
      );
    }
  }

  /** The state store directory of the side inputs' contents (kept by the driver). */
  sideInputsDir(): string {
    return path.join(this.root, "state", "_sideInputs");
  }

  /** Where batches' sinks keep their bookkeeping. */
  sinksDir(): string {
    return path.join(this.root, "sinks");
  }

  /** Removes the directory when it is temporary. */
  close(): void {
    if (this.temporary) fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}
