/**
 * Every file write (`io.writeText`, `writeJson`, `writeCsv`, `writeAvro`,
 * `writeParquet`) of unbounded input in the global window on the stream
 * runner: a two-phase commit sink, as Flink's FileSink. Elements are encoded
 * by the write's format (sdk/io/formats) into a hidden in-progress file; at a checkpoint barrier
 * the file is closed and becomes pending (pre-commit, recorded in the
 * snapshot); when the checkpoint completes, pending files are renamed to
 * their final names (commit). After a failure, the job restores the last
 * completed checkpoint, commits what it recorded (renaming is idempotent)
 * and deletes the in-progress and pending files of the failed attempt, so
 * every line is published exactly once.
 *
 * A keyed write (`numShards` or `destination` given) receives its elements
 * keyed by shard and destination, routed so that each key is on one
 * subtask, and keeps one in-progress file per key: its final names are
 * `<destination prefix>-checkpoint-<checkpoint>-SSSSS-of-NNNNN<suffix>`.
 *
 * Final names otherwise: `<prefix>-checkpoint-<checkpoint>-<subtask><suffix>`, e.g.
 * `out/counts-checkpoint-0000000003-00001.txt`: one file per subtask per
 * checkpoint that wrote lines, as the micro-batch sink's one per partition
 * per batch (never `-of-`, which names the shards of a bounded write).
 *
 * The sink's output is the final name of each file, emitted once the file
 * is published, as Beam's WriteFiles emits a file's name once it is
 * finalized (and Flink's committer publishes at checkpoint completion).
 * Emitting at pre-commit instead would let downstream act on a file that a
 * failure then deletes. A name is emitted exactly when its file leaves the
 * pending list, and that list is what the snapshot records, which keeps the
 * names exactly once for downstream consumers: names emitted before barrier
 * n are in downstream state as of checkpoint n, and the files pending in
 * checkpoint n had their names emitted after barrier n, so a restore from n
 * publishes those files again (idempotent) and emits their names again
 * (downstream, restored to n, never saw them), when the job starts.
 *
 * A name carries the latest timestamp of its file's lines, in the global
 * window. When the names have consumers, the sink holds its stage's output
 * watermark at the timestamps of the files whose names are not out yet, so
 * no name is late; at the end of the input the stage then waits for a
 * checkpoint to commit its last files (it reports itself awaiting a commit,
 * and the job master triggers one) before its watermark reaches the end of
 * time. Without consumers there is no hold, and the last files are
 * committed by the final checkpoint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Operator } from "../../../portability/harness/operators";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { TextSinkPayload } from "../../../portability/payloads";
import { wrapUserError } from "../../../portability/harness/user_code_error";
import { withIoFailure } from "../../../portability/harness/io_failure";
import { PENDING_FILE_PREFIX, publishFile, shardName } from "../../../sdk/io/file_commit";
import { shardKeyParts } from "../../../sdk/io/write_files";
import { fileEncoder } from "../../../sdk/io/formats/format_spec";
import type { RecordEncoder } from "../../../sdk/io/formats/file_format";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { MIN_TIMESTAMP } from "../../../model/time";
import { NO_FIRING } from "../../../model/pane";

/** A closed file waiting for its checkpoint to complete. */
export interface PendingFile {
  readonly checkpointId: number;
  readonly temp: string;
  readonly final: string;
  /** The latest timestamp of its lines: its name's timestamp (absent in snapshots of older versions). */
  readonly timestamp?: number;
}

/** The final name of the file subtask `subtask` closed at checkpoint `checkpointId`. */
export function checkpointFileName(sink: TextSinkPayload, checkpointId: number, subtask: number): string {
  return `${sink.prefix}-checkpoint-${String(checkpointId).padStart(10, "0")}-${String(subtask).padStart(5, "0")}${sink.suffix}`;
}

/** The hidden name prefix of a sink's unpublished files, for one job run. */
export function pendingFilePrefix(sink: TextSinkPayload, jobRunId: string): string {
  return path.join(path.dirname(sink.prefix), `${PENDING_FILE_PREFIX}${path.basename(sink.prefix)}-${jobRunId}-`);
}

/**
 * Deletes the unpublished files of a job run's attempts other than
 * `keepAttempt` (they belong to a failed attempt; what a completed checkpoint
 * recorded was committed before this runs).
 */
export function deleteAbandonedFiles(sink: TextSinkPayload, jobRunId: string, keepAttempt: string): number {
  const prefix = pendingFilePrefix(sink, jobRunId);
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  let deleted = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.startsWith(base) && !name.startsWith(`${base}${keepAttempt}-`)) {
      fs.rmSync(path.join(dir, name), { force: true });
      deleted++;
    }
  }
  return deleted;
}

/** A file a subtask's sink is writing: for one shard key in keyed writes, else the only one. */
interface OpenFile {
  readonly fd: number;
  readonly tempPath: string;
  readonly encoder: RecordEncoder;
  /** The latest timestamp of its elements. */
  latest: number;
}

/** One subtask's sink. */
export class TwoPhaseTextSink implements Operator {
  /** The open files by shard key ("" when the write is not keyed). */
  private readonly open = new Map<string, OpenFile>();
  private sequence = 0;
  private pending: PendingFile[] = [];
  /** Published files whose names are not emitted yet (restored ones wait for the job to start). */
  private unannounced: PendingFile[] = [];

  constructor(
    readonly transform: string,
    private readonly sink: TextSinkPayload,
    private readonly subtask: number,
    /** The job run (stable across restarts) and this attempt: they name the hidden files. */
    private readonly jobRunId: string,
    private readonly attemptId: string,
    /** Receives the final name of each file once it is published. */
    private readonly output: ElementReceiver,
    /** True when the names have consumers: the sink then holds the output watermark until they are out (see the header). */
    private readonly holdsWatermark: boolean,
  ) {}

  setup(): void {}
  startBundle(): void {}
  finishBundle(): void {}
  teardown(): void {
    for (const f of this.open.values()) fs.closeSync(f.fd);
    this.open.clear();
  }

  receive(element: unknown, timestamp: number): void {
    // A keyed write's elements are KV<shard key, element> (see sdk/io/write_files.ts): one file per key.
    const key = this.sink.keyed ? String((element as { key: unknown }).key) : "";
    const record = this.sink.keyed ? (element as { value: unknown }).value : element;
    const file = this.open.get(key) ?? this.named("processing", () => this.openFile(key));
    let bytes: Uint8Array | undefined;
    try {
      bytes = file.encoder.write(record);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: record });
    }
    this.named("processing", () => {
      if (timestamp > file.latest) file.latest = timestamp;
      if (bytes && bytes.length > 0) this.writeBytes(file, bytes);
    });
  }

  /**
   * How far this sink holds its stage's output watermark, or Infinity: the
   * timestamps of the files whose names are not out yet (an open file's is
   * at least its latest element's), when the names have consumers.
   */
  watermarkHold(): number {
    if (!this.holdsWatermark) return Infinity;
    let hold = Infinity;
    for (const f of this.open.values()) hold = Math.min(hold, f.latest);
    for (const f of this.pending) hold = Math.min(hold, nameTimestamp(f));
    for (const f of this.unannounced) hold = Math.min(hold, nameTimestamp(f));
    return hold;
  }

  /** True when elements wait for a checkpoint to be published, or names to be emitted. */
  get hasUncommitted(): boolean {
    return this.open.size > 0 || this.pending.length > 0 || this.unannounced.length > 0;
  }

  /** Runs a file operation; its failure (a full disk, a directory that cannot be created) names this transform, as on every runner. */
  private named<T>(phase: string, op: () => T): T {
    try {
      return op();
    } catch (e) {
      wrapUserError(e, this.transform, phase);
    }
  }

  private openFile(key: string): OpenFile {
    const dir = path.dirname(this.sink.prefix);
    withIoFailure(this.transform, "create the directory", dir, () => fs.mkdirSync(dir, { recursive: true }));
    // Pending files wait beside the prefix whatever their destination, where a restore finds and clears them.
    const tempPath = `${pendingFilePrefix(this.sink, this.jobRunId)}${this.attemptId}-${this.subtask}-${this.sequence++}`;
    const fd = withIoFailure(this.transform, "create", tempPath, () => fs.openSync(tempPath, "wx"));
    const file: OpenFile = { fd, tempPath, encoder: fileEncoder(this.sink.format, this.sink.compression), latest: -Infinity };
    this.open.set(key, file);
    return file;
  }

  private writeBytes(file: OpenFile, bytes: Uint8Array): void {
    withIoFailure(this.transform, "write", file.tempPath, () => fs.writeSync(file.fd, bytes));
  }

  /** The final name of the file of `key` closed at checkpoint `checkpointId`. */
  private finalName(key: string, checkpointId: number): string {
    if (!this.sink.keyed) return checkpointFileName(this.sink, checkpointId, this.subtask);
    const { shard, prefix } = shardKeyParts(this.sink.prefix, key);
    return shardName(`${prefix}-checkpoint-${String(checkpointId).padStart(10, "0")}`, shard, this.sink.numShards, this.sink.suffix);
  }

  /**
   * Pre-commit at the barrier of checkpoint `checkpointId`: closes the
   * current file as pending. Returns every file not yet published, for the
   * snapshot.
   */
  preCommit(checkpointId: number): PendingFile[] {
    return this.named(`the pre-commit of checkpoint ${checkpointId}`, () => this.closeAsPending(checkpointId));
  }

  private closeAsPending(checkpointId: number): PendingFile[] {
    for (const [key, file] of [...this.open].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.writeBytes(file, file.encoder.finish());
      withIoFailure(this.transform, "flush", file.tempPath, () => {
        fs.fsyncSync(file.fd);
        fs.closeSync(file.fd);
      });
      this.open.delete(key);
      this.pending.push({ checkpointId, temp: file.tempPath, final: this.finalName(key, checkpointId), timestamp: file.latest });
    }
    return [...this.pending];
  }

  /** True when a file waits for checkpoint `checkpointId` or an earlier one, or a name waits to be emitted. */
  hasCommittable(checkpointId: number): boolean {
    return this.unannounced.length > 0 || this.pending.some((f) => f.checkpointId <= checkpointId);
  }

  /**
   * Checkpoint `checkpointId` completed: publishes the files pending up to
   * it and emits their names. Call inside a bundle of the sink's stage.
   */
  commitUpTo(checkpointId: number): void {
    const keep: PendingFile[] = [];
    for (const f of this.pending) {
      if (f.checkpointId <= checkpointId) {
        withIoFailure(this.transform, "publish", f.final, () => publishInto(f));
        this.unannounced.push(f);
      } else keep.push(f);
    }
    this.pending = keep;
    this.announce();
  }

  /**
   * Restoring a completed checkpoint: publishes what it recorded as pending
   * (it completed, so they are committed). Their names were emitted after
   * that checkpoint's barrier, so downstream has not seen them as of it:
   * they are emitted again by {@link announceRestored} once the job starts.
   */
  restore(files: readonly PendingFile[]): void {
    for (const f of files) withIoFailure(this.transform, "publish", f.final, () => publishInto(f));
    this.unannounced.push(...files);
  }

  /** Emits the names of the files {@link restore} published. Call inside a bundle of the sink's stage, once the job started. */
  announceRestored(): void {
    this.announce();
  }

  private announce(): void {
    const names = this.unannounced;
    this.unannounced = [];
    for (const f of names) this.output.receive(f.final, nameTimestamp(f), IN_GLOBAL_WINDOW, NO_FIRING);
  }
}

/** Publishes a pending file, creating its destination's directory first (a keyed write's files may go below the prefix). */
function publishInto(f: PendingFile): void {
  fs.mkdirSync(path.dirname(f.final), { recursive: true });
  publishFile(f.temp, f.final);
}

/** The timestamp of a file's name. */
function nameTimestamp(f: PendingFile): number {
  return f.timestamp ?? MIN_TIMESTAMP;
}
