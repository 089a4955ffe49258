/**
 * Every file write on unbounded input in the global window (text and the
 * other formats), exactly once as readers see it: each task of a batch
 * writes its elements to one file named by the batch id and the task's
 * partition, `<prefix>-batch-<id>-<partition><suffix>` (a keyed write, with
 * `numShards` or `destination`: one file per shard key,
 * `<destination prefix>-batch-<id>-SSSSS-of-NNNNN<suffix>`), first
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
import { HIDDEN_FILE_PREFIX, publishFile, shardName, STAGED_FILE_PREFIX, stageBytes } from "../../../sdk/io/file_commit";
import { shardKeyParts } from "../../../sdk/io/write_files";
import { fileEncoder } from "../../../sdk/io/formats/format_spec";
import type { RecordEncoder } from "../../../sdk/io/formats/file_format";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

/** The final name of the file batch `batchId`'s task `partition` writes. */
export function batchFileName(sink: TextSinkPayload, batchId: number, partition: number): string {
  return `${sink.prefix}-batch-${String(batchId).padStart(10, "0")}-${String(partition).padStart(5, "0")}${sink.suffix}`;
}

/** The final name of the file of shard key `key` (a keyed write, see sdk/io/write_files.ts) that batch `batchId` writes. */
export function keyedBatchFileName(sink: TextSinkPayload, batchId: number, key: string): string {
  const { shard, prefix } = shardKeyParts(sink.prefix, key);
  return shardName(`${prefix}-batch-${String(batchId).padStart(10, "0")}`, shard, sink.numShards, sink.suffix);
}

/** The start of the names of batch `batchId`'s files. */
function batchMark(sink: TextSinkPayload, batchId: number): string {
  return `${path.basename(sink.prefix)}-batch-${String(batchId).padStart(10, "0")}-`;
}

function namesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/**
 * The folders a sink's batch files may be in, each with the start of the
 * names of batch `batchId`'s files there: beside the prefix, and for a write
 * with destinations every folder below `<prefix>/` (any destination's name).
 */
function batchFolders(sink: TextSinkPayload, batchId: number): { dir: string; marks: (name: string) => boolean }[] {
  const mark = batchMark(sink, batchId);
  const folders = [{ dir: path.dirname(sink.prefix), marks: (n: string) => n.startsWith(mark) }];
  if (!sink.keyed || !fs.existsSync(sink.prefix) || !fs.statSync(sink.prefix).isDirectory()) return folders;
  const any = new RegExp(`-batch-${String(batchId).padStart(10, "0")}-\\d{5}-of-\\d{5}`);
  const walk = (dir: string): void => {
    folders.push({ dir, marks: (n) => any.test(n) });
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(sink.prefix);
  return folders;
}

/** Deletes every file of batch `batchId` (final, staged or temporary): before a replay, or to roll back an uncommitted batch. */
export function removeBatchFiles(sink: TextSinkPayload, batchId: number): void {
  for (const { dir, marks } of batchFolders(sink, batchId)) {
    for (const name of namesIn(dir)) {
      const bare = name.startsWith(HIDDEN_FILE_PREFIX)
        ? name.slice(HIDDEN_FILE_PREFIX.length)
        : name.startsWith(STAGED_FILE_PREFIX)
          ? name.slice(STAGED_FILE_PREFIX.length)
          : name;
      if (marks(bare)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

/** The batch is committed: moves its staged files to their final names. Safe to run again. Returns the published files. */
export function publishBatchFiles(sink: TextSinkPayload, batchId: number): string[] {
  const published: string[] = [];
  for (const { dir, marks } of batchFolders(sink, batchId)) {
    for (const name of namesIn(dir)
      .filter((n) => n.startsWith(STAGED_FILE_PREFIX) && marks(n.slice(STAGED_FILE_PREFIX.length)))
      .sort()) {
      const final = path.join(dir, name.slice(STAGED_FILE_PREFIX.length));
      publishFile(path.join(dir, name), final);
      published.push(final);
    }
  }
  return published.sort();
}

/**
 * The file sink of one task: collects the task's elements and stages them
 * when the task's bundle finishes, one file (or, for a keyed write, one file
 * per shard key).
 */
export class BatchTextSink implements Operator {
  /** The file of each shard key ("" when the write is not keyed), encoded as elements arrive. */
  private byKey = new Map<string, { readonly encoder: RecordEncoder; readonly parts: Uint8Array[] }>();
  private latest = -Infinity;

  constructor(
    readonly transform: string,
    private readonly sink: TextSinkPayload,
    private readonly batchId: number,
    private readonly partition: number,
    /** Receives the final name of each file staged (in the global window). */
    private readonly output: ElementReceiver,
  ) {}

  setup(): void {}
  teardown(): void {}

  startBundle(): void {
    this.byKey = new Map();
    this.latest = -Infinity;
  }

  receive(element: unknown, timestamp: number, _windows: readonly BoundedWindow[]): void {
    const key = this.sink.keyed ? String((element as { key: unknown }).key) : "";
    const record = this.sink.keyed ? (element as { value: unknown }).value : element;
    let file = this.byKey.get(key);
    if (!file) {
      file = { encoder: fileEncoder(this.sink.format, this.sink.compression), parts: [] };
      this.byKey.set(key, file);
    }
    try {
      const bytes = file.encoder.write(record);
      if (bytes) file.parts.push(bytes);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: record });
    }
    if (timestamp > this.latest) this.latest = timestamp;
  }

  finishBundle(): void {
    for (const [key, file] of [...this.byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const final = this.sink.keyed
        ? keyedBatchFileName(this.sink, this.batchId, key)
        : batchFileName(this.sink, this.batchId, this.partition);
      try {
        file.parts.push(file.encoder.finish());
        stageBytes(final, file.parts);
      } catch (e) {
        wrapUserError(e, this.transform, "finishBundle");
      }
      this.output.receive(final, this.latest, IN_GLOBAL_WINDOW, NO_FIRING);
    }
    this.byKey = new Map();
  }
}
