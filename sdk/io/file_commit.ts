/**
 * How file sinks make their output visible, shared by writeText's own
 * expansion and the runners' native sinks: lines are written under a hidden
 * name and renamed into place (a reader never sees a partial file),
 * publishing is idempotent (a replayed commit is harmless), and what a
 * failed or earlier write left unpublished is removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import type { RecordEncoder } from "./formats/file_format";

/** @internal A shard written to its temporary file. */
export interface WrittenShard {
  readonly shard: number;
  readonly tempPath: string;
}

/** @internal Characters written to a file at a time. */
export const WRITE_CHUNK_CHARS = 64 * 1024;

/** @internal A stable 32-bit hash of a string (FNV-1a over its UTF-16 code units). */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** @internal Beam's default shard template: `-SSSSS-of-NNNNN`. */
export function shardName(prefix: string, shard: number, numShards: number, suffix: string): string {
  return `${prefix}-${String(shard).padStart(5, "0")}-of-${String(numShards).padStart(5, "0")}${suffix}`;
}

/** @internal Writes lines to a new file, each followed by "\n", in chunks. */
export function writeLines(file: string, lines: Iterable<string>): void {
  const fd = fs.openSync(file, "wx");
  try {
    let chunk = "";
    for (const line of lines) {
      chunk += line + "\n";
      if (chunk.length >= WRITE_CHUNK_CHARS) {
        fs.writeSync(fd, chunk);
        chunk = "";
      }
    }
    if (chunk.length > 0) fs.writeSync(fd, chunk);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * @internal Writes records to a new file through a format's encoder: the
 * bytes it hands out as it goes, then the rest when it finishes.
 */
export function writeRecords(file: string, records: Iterable<unknown>, encoder: RecordEncoder): void {
  const fd = fs.openSync(file, "wx");
  try {
    for (const record of records) {
      const bytes = encoder.write(record);
      if (bytes && bytes.length > 0) fs.writeSync(fd, bytes);
    }
    const rest = encoder.finish();
    if (rest.length > 0) fs.writeSync(fd, rest);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** @internal The element checked as one line of text, or a TypeError saying what it was. */
export function asLine(line: unknown): string {
  if (typeof line !== "string")
    throw new TypeError(`writeText expects string elements (one line each), got ${line === null ? "null" : typeof line}`);
  return line;
}

/** @internal The prefix of a file's hidden name while it is written. */
export const HIDDEN_FILE_PREFIX = ".millrace-temp-";

/** @internal The prefix of a stream sink's closed file waiting for its checkpoint to complete. */
export const PENDING_FILE_PREFIX = ".millrace-pending-";

/** @internal The prefix of a complete file waiting for its batch's commit to be published. */
export const STAGED_FILE_PREFIX = ".millrace-staged-";

/**
 * @internal The hidden name prefixes of every file or directory a sink of
 * `prefix` may hold before publishing (`.millrace-temp-<name>-…` while
 * written, `.millrace-pending-<name>-…` until a stream checkpoint commits,
 * `.millrace-staged-<name>-…` until a micro-batch commits).
 */
export function unpublishedPrefixes(prefix: string): string[] {
  const base = path.basename(prefix);
  return [HIDDEN_FILE_PREFIX, PENDING_FILE_PREFIX, STAGED_FILE_PREFIX].map((p) => `${p}${base}-`);
}

/**
 * @internal Deletes what a sink of `prefix` wrote and did not publish
 * (`kinds` selects among {@link unpublishedPrefixes}; default all): after a
 * failed job, nothing of it stays in the output directory. Returns how many
 * entries were deleted.
 */
export function discardUnpublished(prefix: string, kinds: readonly string[] = unpublishedPrefixes(prefix)): number {
  const dir = path.dirname(prefix);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    if (!kinds.some((k) => name.startsWith(k))) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    deleted++;
  }
  return deleted;
}

/**
 * @internal Writes `lines` to `final` through a hidden file beside it
 * (`.millrace-temp-<name>.<id>`, a fresh id per call so concurrent attempts
 * never share one), renamed when complete: a reader never sees a partial file.
 */
export function writeLinesAtomically(final: string, lines: Iterable<string>): void {
  writeThroughTemp(final, final, (temp) => writeLines(temp, lines));
}

/** @internal {@link writeLinesAtomically} for records of any format: encoded by `encoder`. */
export function writeRecordsAtomically(final: string, records: Iterable<unknown>, encoder: RecordEncoder): void {
  writeThroughTemp(final, final, (temp) => writeRecords(temp, records, encoder));
}

/** Writes a fresh temporary file named after `final` with `write`, then renames it to `target`. */
function writeThroughTemp(final: string, target: string, write: (temp: string) => void): void {
  const temp = path.join(path.dirname(final), `${HIDDEN_FILE_PREFIX}${path.basename(final)}.${randomId()}`);
  fs.mkdirSync(path.dirname(final), { recursive: true });
  try {
    write(temp);
    fs.renameSync(temp, target);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/** @internal The hidden name under which `final` waits, complete, for its commit. */
export function stagedName(final: string): string {
  return path.join(path.dirname(final), STAGED_FILE_PREFIX + path.basename(final));
}

/**
 * @internal Writes an encoded file (its bytes, in parts) as the staged file
 * of `final`, itself written under a temporary name and renamed when
 * complete: a staged file is always whole, and invisible until
 * {@link publishFile} moves it to `final` at commit.
 */
export function stageBytes(final: string, parts: readonly Uint8Array[]): string {
  const staged = stagedName(final);
  writeThroughTemp(final, staged, (temp) => {
    const fd = fs.openSync(temp, "wx");
    try {
      for (const part of parts) if (part.length > 0) fs.writeSync(fd, part);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });
  return staged;
}

/**
 * @internal Publishes a finished file under its final name. Already
 * published is not an error: a commit may run again after a restart.
 */
export function publishFile(temp: string, final: string): void {
  try {
    fs.renameSync(temp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && fs.existsSync(final)) return;
    throw new Error(`writeText: cannot move '${temp}' to '${final}': ${(e as Error).message}`, { cause: e });
  }
}

/**
 * @internal Deletes the temporary directories of earlier bounded writes of
 * `prefix` that never finished (a process killed before its Finalize, an
 * attempt restored from a checkpoint taken before its directory was chosen):
 * a completed write leaves nothing hidden beside its files.
 */
export function removeOrphanedTempDirs(prefix: string): void {
  const dir = path.dirname(prefix);
  const pattern = new RegExp(`^${escapeRegExp(HIDDEN_FILE_PREFIX + path.basename(prefix))}-[0-9a-f]{12}$`);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && pattern.test(entry.name)) fs.rmSync(path.join(dir, entry.name), { recursive: true, force: true });
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * @internal Deletes the files of an earlier bounded write of the same
 * prefix and suffix with another shard count (`<prefix>-SSSSS-of-MMMMM<suffix>`,
 * M ≠ `numShards`): a re-run replaces the whole set, so a `<prefix>-*` glob
 * never mixes two runs. Called once the new set is published.
 */
export function removeStaleShards(prefix: string, numShards: number, suffix: string): string[] {
  const dir = path.dirname(prefix);
  const pattern = new RegExp(`^${escapeRegExp(path.basename(prefix))}-\\d{5}-of-(\\d{5})${escapeRegExp(suffix)}$`);
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = pattern.exec(name);
    if (!m || Number(m[1]) === numShards) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed.push(path.join(dir, name));
  }
  return removed;
}

/** @internal A short random id for file names. */
export function randomId(): string {
  return randomBytes(6).toString("hex");
}

/**
 * @internal Moves the shards from the temporary directory to their final
 * names, creating the missing ones empty; removes the temporary directory;
 * returns the final file names, sorted. Safe to run again after a partial
 * attempt: a shard already moved is not an error.
 */
export function finalizeShards(
  written: readonly WrittenShard[],
  tempDir: string,
  prefix: string,
  numShards: number,
  suffix: string,
  /** Writes a shard that received nothing: an empty file, or a format's empty file (a CSV header, an Avro header, a Parquet footer). */
  writeEmpty: (file: string) => void = (file) => writeLines(file, []),
): string[] {
  const chosen = new Map<number, string>();
  for (const w of [...written].sort((a, b) => a.shard - b.shard || (a.tempPath < b.tempPath ? -1 : a.tempPath > b.tempPath ? 1 : 0))) {
    if (!Number.isInteger(w.shard) || w.shard < 0 || w.shard >= numShards) {
      throw new Error(`writeText: internal: shard ${w.shard} is out of range 0..${numShards - 1}`);
    }
    if (!chosen.has(w.shard)) chosen.set(w.shard, w.tempPath);
    else if (w.tempPath !== chosen.get(w.shard)) fs.rmSync(w.tempPath, { force: true }); // a duplicate from a retried attempt
  }
  fs.mkdirSync(tempDir, { recursive: true });
  for (let shard = 0; shard < numShards; shard++) {
    if (chosen.has(shard)) continue;
    const empty = path.join(tempDir, `${shardName("shard", shard, numShards, "")}.empty-${randomId()}`);
    writeEmpty(empty);
    chosen.set(shard, empty);
  }
  const finals: string[] = [];
  for (let shard = 0; shard < numShards; shard++) {
    const temp = chosen.get(shard)!;
    const final = shardName(prefix, shard, numShards, suffix);
    publishFile(temp, final);
    finals.push(final);
  }
  fs.rmSync(tempDir, { recursive: true, force: true });
  removeStaleShards(prefix, numShards, suffix);
  removeOrphanedTempDirs(prefix);
  return finals.sort();
}
