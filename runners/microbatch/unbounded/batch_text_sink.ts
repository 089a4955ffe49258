/**
 * `io.writeText` on unbounded input, exactly once as readers see it: each
 * task of a batch writes its lines to one file named by the batch id and
 * the task's partition, `<prefix>-batch-<id>-<partition><suffix>`, under a
 * hidden name renamed when complete. A replayed batch has the same tasks
 * with the same input, so it writes the same files again and the rename
 * replaces them with identical content; the driver also deletes the
 * batch's files before a replay, so nothing from the failed attempt stays.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Operator } from "../../../portability/harness/operators";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { TextSinkPayload } from "../../../portability/payloads";
import { asLine, HIDDEN_FILE_PREFIX, writeLinesAtomically } from "../../../sdk/io/write_text";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

/** The final name of the file batch `batchId`'s task `partition` writes. */
export function batchFileName(sink: TextSinkPayload, batchId: number, partition: number): string {
  return `${sink.prefix}-batch-${String(batchId).padStart(10, "0")}-${String(partition).padStart(5, "0")}${sink.suffix}`;
}

/** Deletes every file of batch `batchId` (final or hidden), before the batch is replayed. */
export function removeBatchFiles(sink: TextSinkPayload, batchId: number): void {
  const dir = path.dirname(sink.prefix);
  if (!fs.existsSync(dir)) return;
  const mark = `${path.basename(sink.prefix)}-batch-${String(batchId).padStart(10, "0")}-`;
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(mark) || name.startsWith(HIDDEN_FILE_PREFIX + mark)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The file sink of one task: collects the task's lines and writes them when the task's bundle finishes. */
export class BatchTextSink implements Operator {
  private lines: string[] = [];
  private latest = -Infinity;

  constructor(
    readonly transform: string,
    private readonly sink: TextSinkPayload,
    private readonly batchId: number,
    private readonly partition: number,
    /** Receives the name of the file written (in the global window). */
    private readonly output: ElementReceiver,
  ) {}

  setup(): void {}
  teardown(): void {}

  startBundle(): void {
    this.lines = [];
    this.latest = -Infinity;
  }

  receive(line: unknown, timestamp: number, _windows: readonly BoundedWindow[]): void {
    this.lines.push(asLine(line));
    if (timestamp > this.latest) this.latest = timestamp;
  }

  finishBundle(): void {
    if (this.lines.length === 0) return;
    const final = batchFileName(this.sink, this.batchId, this.partition);
    writeLinesAtomically(final, this.lines);
    this.lines = [];
    this.output.receive(final, this.latest, IN_GLOBAL_WINDOW, NO_FIRING);
  }
}
