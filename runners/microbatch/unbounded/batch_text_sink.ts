/**
 * `io.writeText` on unbounded input, exactly once as readers see it: each
 * task of a batch writes its lines to one file named by the batch id and
 * the task's partition, `<prefix>-batch-<id>-<partition><suffix>`, first
 * staged under a hidden name (`.millrace-staged-<name>`). The driver
 * publishes a batch's staged files (renames them to their final names) only
 * once the commit log records the batch, so readers never see an
 * uncommitted batch. A replayed batch has the same tasks with the same
 * input: the driver deletes the failed attempt's staged files, and the
 * replay stages them again. Publishing is idempotent, so a restart after a
 * crash between the commit and the renames publishes what is left.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Operator } from "../../../portability/harness/operators";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { TextSinkPayload } from "../../../portability/payloads";
import { wrapUserError } from "../../../portability/harness/user_code_error";
import { HIDDEN_FILE_PREFIX, publishFile, STAGED_FILE_PREFIX, stageRecords } from "../../../sdk/io/file_commit";
import { fileEncoder } from "../../../sdk/io/formats/format_spec";
import type { RecordEncoder } from "../../../sdk/io/formats/file_format";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

/** The final name of the file batch `batchId`'s task `partition` writes. */
export function batchFileName(sink: TextSinkPayload, batchId: number, partition: number): string {
  return `${sink.prefix}-batch-${String(batchId).padStart(10, "0")}-${String(partition).padStart(5, "0")}${sink.suffix}`;
}

/** The start of the names of batch `batchId`'s files. */
function batchMark(sink: TextSinkPayload, batchId: number): string {
  return `${path.basename(sink.prefix)}-batch-${String(batchId).padStart(10, "0")}-`;
}

function namesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Deletes every file of batch `batchId` (final, staged or temporary): before a replay, or to roll back an uncommitted batch. */
export function removeBatchFiles(sink: TextSinkPayload, batchId: number): void {
  const dir = path.dirname(sink.prefix);
  const mark = batchMark(sink, batchId);
  for (const name of namesIn(dir)) {
    if (name.startsWith(mark) || name.startsWith(HIDDEN_FILE_PREFIX + mark) || name.startsWith(STAGED_FILE_PREFIX + mark))
      fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The batch is committed: moves its staged files to their final names. Safe to run again. Returns the published files. */
export function publishBatchFiles(sink: TextSinkPayload, batchId: number): string[] {
  const dir = path.dirname(sink.prefix);
  const staged = STAGED_FILE_PREFIX + batchMark(sink, batchId);
  const published: string[] = [];
  for (const name of namesIn(dir)
    .filter((n) => n.startsWith(staged))
    .sort()) {
    const final = path.join(dir, name.slice(STAGED_FILE_PREFIX.length));
    publishFile(path.join(dir, name), final);
    published.push(final);
  }
  return published;
}

/** The file sink of one task: collects the task's lines and stages them when the task's bundle finishes. */
export class BatchTextSink implements Operator {
  private lines: unknown[] = [];
  private latest = -Infinity;
  /** Checks each element as it arrives (a bad one fails naming it); the staged file is encoded afresh at the bundle's end. */
  private encoder: RecordEncoder | undefined;

  constructor(
    readonly transform: string,
    private readonly sink: TextSinkPayload,
    private readonly batchId: number,
    private readonly partition: number,
    /** Receives the final name of the file staged (in the global window). */
    private readonly output: ElementReceiver,
  ) {}

  setup(): void {}
  teardown(): void {}

  startBundle(): void {
    this.lines = [];
    this.latest = -Infinity;
    this.encoder = fileEncoder(this.sink.format, this.sink.compression);
  }

  receive(element: unknown, timestamp: number, _windows: readonly BoundedWindow[]): void {
    try {
      this.encoder!.write(element);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: element });
    }
    this.lines.push(element);
    if (timestamp > this.latest) this.latest = timestamp;
  }

  finishBundle(): void {
    if (this.lines.length === 0) return;
    const final = batchFileName(this.sink, this.batchId, this.partition);
    try {
      stageRecords(final, this.lines, fileEncoder(this.sink.format, this.sink.compression));
    } catch (e) {
      wrapUserError(e, this.transform, "finishBundle");
    }
    this.lines = [];
    this.output.receive(final, this.latest, IN_GLOBAL_WINDOW, NO_FIRING);
  }
}
