/**
 * File IO: read text files line by line with {@link readText}, write a
 * collection of lines as sharded text files with {@link writeText}.
 *
 * Reading expands a path or glob to its files when the pipeline runs, then
 * reads each file in chunks (never more than one file's pending line in
 * memory). Writing is transactional in Beam's way: shards are written to a
 * hidden temporary directory next to the output and only renamed to their
 * final names once every shard is written, so a job that fails leaves no
 * file that looks complete.
 *
 * @example
 * ```ts
 * const lines = p.apply(mr.io.readText("data/*.txt"));
 * lines.map((l) => l.toUpperCase()).apply(mr.io.writeText("out/upper", { numShards: 2, suffix: ".txt" }));
 * await p.run().waitUntilFinish();   // out/upper-00000-of-00002.txt, out/upper-00001-of-00002.txt
 * ```
 *
 * @packageDocumentation
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { ReadText, type ReadTextOptions } from "./read_text";
import { WriteText, type WriteTextOptions } from "./write_text";
import { MatchFiles, type MatchFilesOptions } from "./match_files";
import { ReadMatches } from "./read_matches";
import { DEFAULT_DESIRED_BUNDLE_SIZE_BYTES, ReadTextFilesFn, type TextFileRef } from "./read_text_files";
import type { FileMetadata, ReadableFile } from "./file_metadata";
import { splittableParDo } from "../transforms/pardo";

export type { WriteTextOptions } from "./write_text";
export type { ReadTextOptions } from "./read_text";
export { readJson, writeJson, readCsv, writeCsv, readAvro, writeAvro, readParquet, writeParquet } from "./formats_api";
export type {
  ReadFormatOptions,
  ReadCsvOptions,
  WriteCsvOptions,
  WriteAvroOptions,
  ReadParquetOptions,
  WriteParquetOptions,
  ReadWithFailures,
  BadRecord,
  FileWriteOptions,
  CsvColumnType,
  ParquetSchema,
  ParquetColumn,
  ParquetColumnType,
  Compression,
} from "./formats_api";
export type { MatchFilesOptions, ContinuousMatchOptions } from "./match_files";
export type { FileMetadata, ReadableFile } from "./file_metadata";
export type { TextFileRef } from "./read_text_files";
export type { WatchRestriction, WatchPosition } from "./watched_files_tracker";
export { WatchedFilesTracker } from "./watched_files_tracker";

/**
 * The lines of the files a path or glob names: one element per line, in no
 * particular order across files.
 *
 * - Globs: `*` and `?` (within a path segment), `**` (any number of
 *   directories), `[abc]` / `[a-z]` / `[!abc]` classes, `{a,b}` alternatives,
 *   `\` to escape. Wildcards skip names starting with `.` unless the pattern
 *   segment starts with `.`. Only regular files are read.
 * - A relative path is resolved against the current directory when the
 *   transform is created.
 * - Lines are split on `\n`; a trailing `\r` is removed (CRLF files read
 *   like LF files), a final newline does not add an empty line, a UTF-8 byte
 *   order mark at the start of a file is skipped. Files are read as UTF-8;
 *   bytes that are not valid UTF-8 become U+FFFD (the replacement character)
 *   unless `{ onInvalidUtf8: "fail" }` is given, which fails the run naming
 *   the file and line.
 * - A path that does not exist, or a glob that matches no file, fails the
 *   run with `readText: no file matches '<pattern>'`; a file that cannot be
 *   read fails it with an error naming the file, and so does a directory the
 *   glob cannot list (e.g. `EACCES`): files there would otherwise be missed.
 *
 * - Each file is read as a splittable DoFn over its bytes: parts of about
 *   `desiredBundleSizeBytes` (default 64 MiB) that runners may read in
 *   parallel (a line belongs to the part its first byte is in).
 *
 * Expansion: Impulse → ExpandPattern (the sorted list of files) → Reshuffle
 * → ReadLines (the splittable DoFn of {@link readTextFiles}).
 *
 * @example
 * ```ts
 * const lines = p.apply(mr.io.readText("logs/2024-*.log"));
 * lines.filter((l) => l.includes("ERROR")).apply(mr.countGlobally());
 * ```
 */
export function readText(pathOrGlob: string, options: ReadTextOptions = {}): PTransform<PBegin, PCollection<string>> {
  return new ReadText(pathOrGlob, options);
}

/**
 * Writes a collection of lines to `numShards` text files named
 * `${prefix}-SSSSS-of-NNNNN${suffix}` (Beam's default shard template, e.g.
 * `out/part-00000-of-00003.txt`), and returns the collection of the file
 * names written (absolute paths, one element per file).
 *
 * - Each line goes to the shard chosen by a stable hash of its text, so the
 *   same input always gives the same files; lines within a file are in no
 *   particular order. Every line is followed by `\n`; a shard with no lines
 *   is an empty file. Every one of the `numShards` files is always written.
 * - The output directory is created when missing. A relative prefix is
 *   resolved against the current directory when the transform is created.
 * - Shards are first written to a hidden directory
 *   `<dir>/.millrace-temp-<name>-<id>/` and renamed to their final names only
 *   after all are written; the temporary directory is then removed. A job
 *   that fails (or is cancelled) deletes what it wrote and did not publish,
 *   on every runner. A re-run replaces the files of an earlier run with
 *   another `numShards` (same prefix and suffix) once its own are in place.
 * - Windowed writes (Beam's `withWindowedWrites`): input with windows, or a
 *   non-default trigger, is written as one set of shards per window and
 *   pane, `${prefix}-<start>-<end>-pane-<index>[-last]-SSSSS-of-NNNNN${suffix}`
 *   (ISO 8601 bounds; `global` for the global window); only shards with
 *   lines get a file, and a replayed pane rewrites the same file.
 * - Unbounded input in the global window is written per unit of commit:
 *   without `numShards` or `destination`, the direct runner one file per bundle,
 *   `<prefix>-bundle-<id><suffix>` (at least once); the stream runner one per
 *   subtask per checkpoint, `<prefix>-checkpoint-<n>-<subtask><suffix>`,
 *   with a two-phase commit; the micro-batch runner one per partition per
 *   batch, `<prefix>-batch-<n>-<partition><suffix>`, published at the
 *   batch's commit (see the README, "Writing files"). The output lists the
 *   files on every runner; the stream runner emits a name once its file is
 *   published, exactly once across restarts. With `numShards` (or
 *   `destination`), elements are routed by shard key and every runner writes
 *   at most `numShards` files per destination per unit of commit,
 *   `<prefix>-checkpoint-<n>-SSSSS-of-NNNNN<suffix>` (stream),
 *   `<prefix>-batch-<n>-SSSSS-of-NNNNN<suffix>` (micro-batch),
 *   `<prefix>-bundle-<id>-SSSSS-of-NNNNN<suffix>` (direct).
 * - Options shared by every format's writer: `compression` (`"gzip"`,
 *   `"deflate"`, `"zstd"`: the whole file, adding `.gz`, `.deflate`, `.zst`),
 *   `windowedWrites: true` (files per window and pane in the global window
 *   too), `destination: (line) => subPrefix` (files under
 *   `<prefix>/<subPrefix>`, `numShards` per destination).
 * - Invalid options (an empty prefix, a prefix ending in `/`, a `numShards`
 *   that is not a whole number >= 1, a suffix with `/`) throw when called, as
 *   does a prefix on a kernel pseudo file system such as `/proc` or `/sys`.
 *
 * The composite carries Beam's `beam:transform:write_files:v1` URN, with a
 * `WriteFilesPayload` whose sink is `millrace:sink:text:v1` (prefix, shards,
 * suffix) for runners that write files natively; its
 * parts: AssignShard → GroupByKey → WriteShards (one temporary file per
 * shard) → CollectShards (combineGlobally toList) → Finalize (renames), with
 * the temporary directory chosen once by Impulse → ChooseTempDir and read as
 * a side input. A windowed write is a plain composite, AssignShard →
 * GroupByKey → WriteWindowShards, that every runner executes as it is.
 *
 * @example
 * ```ts
 * const files = counts
 *   .map(({ key, value }) => `${key}: ${value}`)
 *   .apply(mr.io.writeText("out/counts", { numShards: 3, suffix: ".txt" }));
 * // files: ".../out/counts-00000-of-00003.txt", "...-00001-of-00003.txt", "...-00002-of-00003.txt"
 * ```
 */
export function writeText(prefix: string, options: WriteTextOptions = {}): PTransform<PCollection<string>, PCollection<string>> {
  return new WriteText(prefix, options);
}

/**
 * The files a path or glob names, as {@link FileMetadata} (path, size,
 * modification time): once, when the pipeline runs (a bounded collection;
 * a glob that matches nothing gives none, a path that does not exist fails
 * the run), or, with `continuously`, by watching the pattern: every
 * `pollIntervalMs` the pattern is matched again and each file not seen
 * before is emitted once, timestamped with the poll's time (the watermark
 * follows the polls), until `stopAfterMs` after the start (an unbounded
 * collection, like Flink's `monitorContinuously` or Spark's file stream).
 *
 * The watch is a splittable DoFn whose restriction is the set of files seen
 * so far: the stream runner keeps it in its checkpoints and the micro-batch
 * runner in its offset and commit logs, so a restarted job emits each file
 * exactly once. A file is emitted when it is first seen: write files
 * elsewhere and move them in (a rename), so that a file is complete when it
 * appears, and do not change a file once it is there.
 *
 * @example
 * ```ts
 * const lines = p
 *   .apply(mr.io.matchFiles("incoming/*.log", { continuously: { pollIntervalMs: 1000 } }))
 *   .apply(mr.io.readMatches())
 *   .apply(mr.io.readTextFiles());
 * ```
 */
export function matchFiles(pattern: string, options: MatchFilesOptions = {}): PTransform<PBegin, PCollection<FileMetadata>> {
  return new MatchFiles(pattern, options);
}

/** Makes matched files ({@link FileMetadata} from {@link matchFiles}) into {@link ReadableFile}s, for the file readers. */
export function readMatches(): PTransform<PCollection<FileMetadata>, PCollection<ReadableFile>> {
  return new ReadMatches();
}

/**
 * The lines of each file of the input (paths, {@link FileMetadata} or
 * {@link ReadableFile}s), read as {@link readText} reads a file: a
 * splittable DoFn over each file's bytes. After a continuous
 * {@link matchFiles}, it reads each new file once, exactly once on the
 * stream and micro-batch runners across restarts.
 */
export function readTextFiles(options: ReadTextOptions = {}): PTransform<PCollection<TextFileRef>, PCollection<string>> {
  const size = options.desiredBundleSizeBytes ?? DEFAULT_DESIRED_BUNDLE_SIZE_BYTES;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new TypeError(`readTextFiles: desiredBundleSizeBytes must be a whole number >= 1, got ${String(size)}`);
  if (options.onInvalidUtf8 !== undefined && options.onInvalidUtf8 !== "replace" && options.onInvalidUtf8 !== "fail")
    throw new TypeError(`readTextFiles: onInvalidUtf8 must be "replace" or "fail", got ${JSON.stringify(options.onInvalidUtf8)}`);
  return splittableParDo<TextFileRef, string>(new ReadTextFilesFn(options, size), "ReadTextFiles");
}

export * as kafka from "./kafka";
