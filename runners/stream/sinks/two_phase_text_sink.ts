/**
 * `io.writeText` on the stream runner: a two-phase commit sink, as Flink's
 * FileSink. Lines go to a hidden in-progress file; at a checkpoint barrier
 * the file is closed and becomes pending (pre-commit, recorded in the
 * snapshot); when the checkpoint completes, pending files are renamed to
 * their final names (commit). After a failure, the job restores the last
 * completed checkpoint, commits what it recorded (renaming is idempotent)
 * and deletes the in-progress and pending files of the failed attempt, so
 * every line is published exactly once.
 *
 * Final names: `<prefix>-checkpoint-<checkpoint>-<subtask><suffix>`, e.g.
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
import { PENDING_FILE_PREFIX, publishFile } from "../../../sdk/io/file_commit";
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

/** One subtask's sink. */
export class TwoPhaseTextSink implements Operator {
  private fd: number | undefined;
  private tempPath = "";
  /** Encodes the open file's elements in the sink's format (text, JSON lines, CSV, Avro, Parquet). */
  private encoder: RecordEncoder | undefined;
  private linesInFile = 0;
  /** The latest timestamp of the open file's lines. */
  private latestInFile = -Infinity;
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
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  receive(element: unknown, timestamp: number): void {
    this.named("processing", () => {
      if (this.fd === undefined) this.open();
    });
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.encoder!.write(element);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: element });
    }
    this.named("processing", () => {
      this.linesInFile++;
      if (timestamp > this.latestInFile) this.latestInFile = timestamp;
      if (bytes && bytes.length > 0) this.writeBytes(bytes);
    });
  }

  /**
   * How far this sink holds its stage's output watermark, or Infinity: the
   * timestamps of the files whose names are not out yet (the open file's is
   * at least its latest line's), when the names have consumers.
   */
  watermarkHold(): number {
    if (!this.holdsWatermark) return Infinity;
    let hold = this.fd !== undefined ? this.latestInFile : Infinity;
    for (const f of this.pending) hold = Math.min(hold, nameTimestamp(f));
    for (const f of this.unannounced) hold = Math.min(hold, nameTimestamp(f));
    return hold;
  }

  /** True when lines wait for a checkpoint to be published, or names to be emitted. */
  get hasUncommitted(): boolean {
    return this.fd !== undefined || this.pending.length > 0 || this.unannounced.length > 0;
  }

  /** Runs a file operation; its failure (a full disk, a directory that cannot be created) names this transform, as on every runner. */
  private named<T>(phase: string, op: () => T): T {
    try {
      return op();
    } catch (e) {
      wrapUserError(e, this.transform, phase);
    }
  }

  private open(): void {
    const dir = path.dirname(this.sink.prefix);
    withIoFailure(this.transform, "create the directory", dir, () => fs.mkdirSync(dir, { recursive: true }));
    this.tempPath = `${pendingFilePrefix(this.sink, this.jobRunId)}${this.attemptId}-${this.subtask}-${this.sequence++}`;
    this.fd = withIoFailure(this.transform, "create", this.tempPath, () => fs.openSync(this.tempPath, "wx"));
    this.encoder = fileEncoder(this.sink.format, this.sink.compression);
    this.linesInFile = 0;
    this.latestInFile = -Infinity;
  }

  private writeBytes(bytes: Uint8Array): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    withIoFailure(this.transform, "write", this.tempPath, () => fs.writeSync(fd, bytes));
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
    if (this.fd !== undefined) {
      this.writeBytes(this.encoder!.finish());
      this.encoder = undefined;
      const fd = this.fd;
      withIoFailure(this.transform, "flush", this.tempPath, () => {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      });
      this.fd = undefined;
      const final = checkpointFileName(this.sink, checkpointId, this.subtask);
      this.pending.push({ checkpointId, temp: this.tempPath, final, timestamp: this.latestInFile });
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
        withIoFailure(this.transform, "publish", f.final, () => publishFile(f.temp, f.final));
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
    for (const f of files) withIoFailure(this.transform, "publish", f.final, () => publishFile(f.temp, f.final));
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

/** The timestamp of a file's name. */
function nameTimestamp(f: PendingFile): number {
  return f.timestamp ?? MIN_TIMESTAMP;
}
