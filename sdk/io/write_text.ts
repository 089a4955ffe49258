import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import { isGlobalWindowing } from "../windowing/windowing_strategy";
import { impulse } from "../transforms/create";
import { ParDoTransform } from "../transforms/pardo";
import { groupByKey } from "../transforms/group_by_key";
import { combineGlobally } from "../transforms/combine";
import { combiners } from "../transforms/combiners";
import { views } from "../transforms/views";
import type { BundleContext, ProcessContext } from "../transforms/transform_context";
import { isGlobalWindow, type BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { refusePseudoFileSystem } from "./pseudo_file_system";

/** Options of {@link writeText}. */
export interface WriteTextOptions {
  /** How many files to write (a whole number >= 1; default 1). Each line goes to the shard its hash selects. */
  readonly numShards?: number;
  /** Appended to every file name, e.g. `".txt"` (default none). */
  readonly suffix?: string;
}

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

/** @internal The element checked as one line of text, or a TypeError saying what it was. */
export function asLine(line: unknown): string {
  if (typeof line !== "string") throw new TypeError(`writeText expects string elements (one line each), got ${line === null ? "null" : typeof line}`);
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
  writeThroughTemp(final, final, lines);
}

/** Writes `lines` to a fresh temporary file named after `final`, then renames it to `target`. */
function writeThroughTemp(final: string, target: string, lines: Iterable<string>): void {
  const temp = path.join(path.dirname(final), `${HIDDEN_FILE_PREFIX}${path.basename(final)}.${randomId()}`);
  fs.mkdirSync(path.dirname(final), { recursive: true });
  try {
    writeLines(temp, lines);
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
 * @internal Writes `lines` as the staged file of `final` (see
 * {@link stagedName}), itself written under a temporary name and renamed
 * when complete: a staged file is always whole, and invisible until
 * {@link publishFile} moves it to `final` at commit.
 */
export function stageLines(final: string, lines: Iterable<string>): string {
  const staged = stagedName(final);
  writeThroughTemp(final, staged, lines);
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

function randomId(): string {
  return randomBytes(6).toString("hex");
}

/**
 * @internal Moves the shards from the temporary directory to their final
 * names, creating the missing ones empty; removes the temporary directory;
 * returns the final file names, sorted. Safe to run again after a partial
 * attempt: a shard already moved is not an error.
 */
export function finalizeShards(written: readonly WrittenShard[], tempDir: string, prefix: string, numShards: number, suffix: string): string[] {
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
    writeLines(empty, []);
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

/**
 * The expansion for unbounded input, for runners without a native file
 * sink (the direct runner): each bundle's lines go to a file of its own,
 * `<prefix>-bundle-<random id><suffix>`, written under a hidden name and renamed
 * when complete, so a reader never sees a partial file. A retried bundle
 * may write its lines again (at least once); the stream and micro-batch
 * runners write this composite natively, exactly once.
 */
function writeBundles(input: PCollection<string>, dir: string, base: string, suffix: string): PCollection<string> {
  let lines: string[] = [];
  return input.apply(
    "WriteBundles",
    new ParDoTransform<string, string>("WriteBundles", {
      fn: {
        startBundle() {
          lines = [];
        },
        process(line: string) {
          lines.push(asLine(line));
        },
        finishBundle(ctx: BundleContext<string>) {
          if (lines.length === 0) return;
          const final = path.join(dir, `${base}-bundle-${randomId()}${suffix}`);
          writeLinesAtomically(final, lines);
          lines = [];
          ctx.output(final);
        },
      },
      shape: "dofn",
    }),
  );
}

/**
 * @internal True when `input` is written window by window: it has windows
 * other than the global one, or a trigger that fires panes before the end.
 */
export function isWindowedWrite(input: PCollection<string>): boolean {
  return !isGlobalWindowing(input.windowing) || input.windowing.trigger.kind !== "default";
}

/** A window as a file name part: `<start>-<end>` in ISO 8601 (milliseconds when out of Date's range), or `global`. */
function windowNamePart(w: BoundedWindow): string {
  if (isGlobalWindow(w)) return "global";
  const iso = (t: number): string => (Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t));
  return `${iso(w.start)}-${iso(w.end)}`;
}

/**
 * @internal The file of shard `shard` of a window's pane, Beam's windowed
 * file name: `<prefix>-<window>-pane-<index>[-last]-SSSSS-of-NNNNN<suffix>`.
 */
export function windowedShardName(prefix: string, window: BoundedWindow, pane: PaneInfo, shard: number, numShards: number, suffix: string): string {
  return shardName(`${prefix}-${windowNamePart(window)}-pane-${pane.index}${pane.isLast ? "-last" : ""}`, shard, numShards, suffix);
}

/**
 * Windowed writes (Beam's `withWindowedWrites`): lines are grouped by shard
 * within each window, and every pane the grouping fires writes its shards'
 * files, named by window, pane and shard. A name says exactly which lines it
 * holds, so a retried or replayed pane writes the same file again (under a
 * hidden name, then renamed over it): readers never see a partial or doubled
 * pane. Only shards that received lines in a pane get a file.
 */
function writeWindowed(input: PCollection<string>, prefix: string, numShards: number, suffix: string): PCollection<string> {
  return input
    .apply("AssignShard", assignShard(numShards))
    .apply("GroupByKey", groupByKey<number, string>())
    .apply(
      "WriteWindowShards",
      new ParDoTransform<KV<number, string[]>, string>("WriteWindowShards", {
        fn: {
          process(e: KV<number, string[]>, ctx: ProcessContext<string>) {
            const final = windowedShardName(prefix, ctx.window, ctx.pane, e.key, numShards, suffix);
            writeLinesAtomically(final, e.value);
            ctx.output(final);
          },
        },
        shape: "dofn",
      }),
    );
}

/** Each line keyed by the shard its hash selects. */
function assignShard(numShards: number): ParDoTransform<string, KV<number, string>> {
  return new ParDoTransform<string, KV<number, string>>("AssignShard", {
    fn: (line: string) => {
      const text = asLine(line);
      return kv(numShards === 1 ? 0 : stableHash(text) % numShards, text);
    },
    shape: "map",
  });
}

/** @internal `mr.io.writeText`'s composite. */
export class WriteText extends PTransform<PCollection<string>, PCollection<string>> {
  private readonly prefix: string;
  private readonly numShards: number;
  private readonly suffix: string;

  constructor(prefix: string, options: WriteTextOptions) {
    super();
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError(`writeText: the prefix must be a non-empty path such as 'out/part', got ${typeof prefix === "string" ? "''" : String(prefix)}`);
    }
    if (prefix.endsWith("/") || prefix.endsWith(path.sep)) {
      throw new TypeError(`writeText: the prefix '${prefix}' names a directory; add a file name prefix, such as '${prefix}part'`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`writeText: options must be an object { numShards?, suffix? }, got ${String(options)}`);
    }
    const known = new Set(["numShards", "suffix"]);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new TypeError(`writeText: unknown option '${k}'; valid options are numShards and suffix`);
    }
    const numShards = options.numShards ?? 1;
    if (typeof numShards !== "number" || !Number.isInteger(numShards) || numShards < 1) {
      throw new RangeError(`writeText: numShards must be a whole number >= 1, got ${String(numShards)}`);
    }
    const suffix = options.suffix ?? "";
    if (typeof suffix !== "string" || suffix.includes("/") || suffix.includes(path.sep)) {
      throw new TypeError(`writeText: suffix must be a string without '/', such as '.txt', got ${typeof suffix === "string" ? `'${suffix}'` : String(suffix)}`);
    }
    // Relative prefixes are resolved where the pipeline is built, not where a worker runs.
    this.prefix = path.resolve(prefix);
    refusePseudoFileSystem("writeText", this.prefix);
    this.numShards = numShards;
    this.suffix = suffix;
  }

  override defaultName(): string {
    return "WriteText";
  }

  expand(input: PCollection<string>): PCollection<string> {
    const p = input.pipeline;
    const { prefix, numShards, suffix } = this;
    // Windowed writes are plain transforms on every runner: no runner writes them natively.
    if (isWindowedWrite(input)) return writeWindowed(input, prefix, numShards, suffix);
    p._declareComposite({ kind: "writeFiles", sink: { prefix, numShards, suffix } });
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    if (!input.isBounded) return writeBundles(input, dir, base, suffix);

    // One temporary directory per run, chosen once and shared through a side input.
    const tempDirs = p.apply("Impulse", impulse()).apply(
      "ChooseTempDir",
      new ParDoTransform<Uint8Array, string>("ChooseTempDir", {
        fn: (_: Uint8Array) => path.join(dir, `.millrace-temp-${base}-${randomId()}`),
        shape: "map",
      }),
    );
    const tempDir = views.singleton(tempDirs);

    const written = input
      .apply("AssignShard", assignShard(numShards))
      .apply("GroupByKey", groupByKey<number, string>())
      .apply(
        "WriteShards",
        new ParDoTransform<KV<number, string[]>, WrittenShard>("WriteShards", {
          fn: {
            process(e: KV<number, string[]>, ctx: ProcessContext<WrittenShard>) {
              const dirPath = ctx.sideInput<string>("tempDir");
              fs.mkdirSync(dirPath, { recursive: true });
              // A fresh name per attempt: a retried bundle never overwrites a file another attempt reported.
              const tempPath = path.join(dirPath, `${shardName("shard", e.key, numShards, "")}.${randomId()}`);
              writeLines(tempPath, e.value);
              ctx.output({ shard: e.key, tempPath });
            },
          },
          shape: "dofn",
          sideInputs: { tempDir: tempDir as never },
        }),
      );

    return written.apply("CollectShards", combineGlobally(combiners.toList<WrittenShard>())).apply(
      "Finalize",
      new ParDoTransform<WrittenShard[], string>("Finalize", {
        fn: {
          process(all: WrittenShard[], ctx: ProcessContext<string>) {
            for (const f of finalizeShards(all, ctx.sideInput<string>("tempDir"), prefix, numShards, suffix)) ctx.output(f);
          },
        },
        shape: "dofn",
        sideInputs: { tempDir: tempDir as never },
      }),
    );
  }
}
