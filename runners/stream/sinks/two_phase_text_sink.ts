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
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Operator } from "../../../portability/harness/operators";
import type { TextSinkPayload } from "../../../portability/payloads";
import { wrapUserError } from "../../../portability/harness/user_code_error";
import { withIoFailure } from "../../../portability/harness/io_failure";
import { asLine, PENDING_FILE_PREFIX, publishFile, WRITE_CHUNK_CHARS } from "../../../sdk/io/file_commit";

/** A closed file waiting for its checkpoint to complete. */
export interface PendingFile {
  readonly checkpointId: number;
  readonly temp: string;
  readonly final: string;
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
  private chunk = "";
  private linesInFile = 0;
  private sequence = 0;
  private pending: PendingFile[] = [];

  constructor(
    readonly transform: string,
    private readonly sink: TextSinkPayload,
    private readonly subtask: number,
    /** The job run (stable across restarts) and this attempt: they name the hidden files. */
    private readonly jobRunId: string,
    private readonly attemptId: string,
  ) {}

  setup(): void {}
  startBundle(): void {}
  finishBundle(): void {
    this.named("finishBundle", () => this.writeChunk());
  }
  teardown(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  receive(line: unknown): void {
    let text: string;
    try {
      text = asLine(line);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: line });
    }
    this.named("processing", () => {
      if (this.fd === undefined) this.open();
      this.chunk += text + "\n";
      this.linesInFile++;
      if (this.chunk.length >= WRITE_CHUNK_CHARS) this.writeChunk();
    });
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
    this.linesInFile = 0;
  }

  private writeChunk(): void {
    if (this.chunk.length === 0 || this.fd === undefined) return;
    const fd = this.fd;
    withIoFailure(this.transform, "write", this.tempPath, () => fs.writeSync(fd, this.chunk));
    this.chunk = "";
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
      this.writeChunk();
      const fd = this.fd;
      withIoFailure(this.transform, "flush", this.tempPath, () => {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      });
      this.fd = undefined;
      const final = checkpointFileName(this.sink, checkpointId, this.subtask);
      this.pending.push({ checkpointId, temp: this.tempPath, final });
    }
    return [...this.pending];
  }

  /** Checkpoint `checkpointId` completed: publishes the files pending up to it. */
  commitUpTo(checkpointId: number): void {
    const keep: PendingFile[] = [];
    for (const f of this.pending) {
      if (f.checkpointId <= checkpointId) withIoFailure(this.transform, "publish", f.final, () => publishFile(f.temp, f.final));
      else keep.push(f);
    }
    this.pending = keep;
  }

  /** Restoring a completed checkpoint: publishes what it recorded as pending (it completed, so they are committed). */
  static recover(files: readonly PendingFile[]): void {
    for (const f of files) publishFile(f.temp, f.final);
  }
}
