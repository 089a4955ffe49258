/**
 * The format readers and writers of `mr.io`: JSON lines, CSV, Avro and
 * Parquet, each a format spec over the shared reader (`read_files.ts`) and
 * file sink (`write_files.ts`).
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { ReadFiles, type ReadWithFailures } from "./read_files";
import { WriteFiles, type FileWriteOptions } from "./write_files";
import { csvCharacter, csvColumns, type CsvColumnType } from "./formats/csv";
import type { ParquetSchema } from "./formats/parquet";
import { avroFormat, parquetFormat } from "./formats/lazy_formats";

export type { ReadWithFailures, BadRecord } from "./read_files";
export type { FileWriteOptions } from "./write_files";
export type { CsvColumnType } from "./formats/csv";
export type { ParquetSchema, ParquetColumn, ParquetColumnType } from "./formats/parquet";
export type { Compression } from "./formats/compression";

/** Options of the format readers: `deadLetter: true` sends records that cannot be decoded to a second output instead of failing the run. */
export interface ReadFormatOptions {
  /** Bad records go to `failures` (with file, line, text and error) and the read returns `{ rows, failures }`. Default false: a bad record fails the run, naming the file and line. */
  readonly deadLetter?: boolean;
}

/** Options of {@link readCsv}. */
export interface ReadCsvOptions extends ReadFormatOptions {
  /** The first line names the columns (default true); with `columns` too, it is skipped. */
  readonly header?: boolean;
  /** The field delimiter (default `,`). */
  readonly delimiter?: string;
  /** The quote character (default `"`); a quote inside a quoted field is doubled. */
  readonly quote?: string;
  /**
   * The columns: names (`["id", "name"]`, strings) or typed (`{ id: "integer", price: "number", ok: "boolean", name: "string" }`).
   * Default: the header's names, as strings. Without header or columns, rows are arrays of strings.
   */
  readonly columns?: readonly string[] | Readonly<Record<string, CsvColumnType>>;
}

/** Options of {@link writeCsv}. */
export interface WriteCsvOptions<T> extends FileWriteOptions<T> {
  /** The columns, in order: names, or `{ name: type }` as {@link ReadCsvOptions.columns}. Elements are objects (by name) or arrays (in order). */
  readonly columns: readonly string[] | Readonly<Record<string, CsvColumnType>>;
  /** Write a header line with the column names at the start of each file (default true). */
  readonly header?: boolean;
  /** The field delimiter (default `,`). */
  readonly delimiter?: string;
  /** The quote character (default `"`). Fields with the delimiter, the quote or a line break are quoted. */
  readonly quote?: string;
}

/** Options of {@link writeAvro}. */
export interface WriteAvroOptions<T> extends FileWriteOptions<T> {
  /** The Avro schema of the records (a record schema as JSON, e.g. `{ type: "record", name: "Event", fields: [...] }`). */
  readonly schema: object;
}

/** Options of {@link readParquet}. */
export interface ReadParquetOptions {
  /** Read only these top-level columns (column projection: the other columns' chunks are not decoded). Default: all. */
  readonly columns?: readonly string[];
}

/** Options of {@link writeParquet}. */
export interface WriteParquetOptions<T> extends FileWriteOptions<T> {
  /** The columns and their types, in order, e.g. `{ id: "INT64", name: "STRING", score: { type: "DOUBLE", nullable: true } }`. */
  readonly schema: ParquetSchema;
}

function checkOptions(what: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== "object") throw new TypeError(`${what}: options must be an object, got ${String(options)}`);
  for (const k of Object.keys(options))
    if (!known.includes(k)) throw new TypeError(`${what}: unknown option '${k}'; valid options are ${known.join(", ")}`);
}

function deadLetterOption(what: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean")
    throw new TypeError(`${what}: deadLetter must be true or false, got ${String(value)}`);
  return value === true;
}

/**
 * Reads JSON lines files (one JSON value per line; blank lines skipped):
 * one element per line. Globs and compression (`.gz`, `.deflate`, `.zst`,
 * detected by extension) as {@link readText}. A line that is not JSON fails
 * the run with the file and line, or with `{ deadLetter: true }` goes to
 * `failures` and the read returns `{ rows, failures }`.
 *
 * @example
 * ```ts
 * const events = p.apply(mr.io.readJson<{ user: string; score: number }>("in/events-*.jsonl.gz"));
 * const { rows, failures } = p.apply(mr.io.readJson("in/*.jsonl", { deadLetter: true }));
 * ```
 */
export function readJson<T = unknown>(
  pattern: string,
  options?: ReadFormatOptions & { deadLetter?: false },
): PTransform<PBegin, PCollection<T>>;
export function readJson<T = unknown>(
  pattern: string,
  options: ReadFormatOptions & { deadLetter: true },
): PTransform<PBegin, ReadWithFailures<T>>;
export function readJson<T>(pattern: string, options: ReadFormatOptions = {}): PTransform<PBegin, PCollection<T> | ReadWithFailures<T>> {
  checkOptions("readJson", options, ["deadLetter"]);
  return new ReadFiles<T>("readJson", pattern, { kind: "json" }, deadLetterOption("readJson", options.deadLetter));
}

/**
 * Writes elements as JSON lines files (`JSON.stringify`, one per line),
 * `${prefix}-SSSSS-of-NNNNN.jsonl` by default, with every guarantee and
 * option of {@link writeText}: `numShards`, `suffix`, `compression`,
 * `windowedWrites`, `destination`. A value JSON cannot hold (undefined, a
 * function, a BigInt) fails the run naming the transform and the element.
 *
 * @example
 * ```ts
 * events.apply(mr.io.writeJson("out/events", { numShards: 4, compression: "gzip" })); // out/events-00000-of-00004.jsonl.gz …
 * events.apply(mr.io.writeJson("out/by-user", { destination: (e) => `user=${e.user}/part` }));
 * ```
 */
export function writeJson<T>(prefix: string, options: FileWriteOptions<T> = {}): PTransform<PCollection<T>, PCollection<string>> {
  return new WriteFiles<T>(prefix, options, { kind: "json" }, ".jsonl");
}

/**
 * Reads CSV files: one element per row, an object keyed by the columns (the
 * header's names by default, or `columns`, typed if asked), or an array of
 * strings with `{ header: false }` and no columns. Quoted fields may hold the
 * delimiter, doubled quotes and line breaks. A bad row (malformed quoting,
 * the wrong number of fields, a field not of its column's type) fails the run
 * with the file and line, or with `{ deadLetter: true }` goes to `failures`
 * (file, line, text, error) and the read returns `{ rows, failures }`;
 * parsing goes on with the next line, so a bad row costs only itself.
 *
 * @example
 * ```ts
 * const { rows, failures } = p.apply(
 *   mr.io.readCsv("in/orders-*.csv", { columns: { id: "integer", item: "string", price: "number" }, deadLetter: true }),
 * );
 * failures.map((f) => `${f.file}:${f.line}: ${f.error}`).apply(mr.io.writeText("out/bad-rows"));
 * ```
 */
export function readCsv<T = Record<string, unknown>>(
  pattern: string,
  options?: ReadCsvOptions & { deadLetter?: false },
): PTransform<PBegin, PCollection<T>>;
export function readCsv<T = Record<string, unknown>>(
  pattern: string,
  options: ReadCsvOptions & { deadLetter: true },
): PTransform<PBegin, ReadWithFailures<T>>;
export function readCsv<T>(pattern: string, options: ReadCsvOptions = {}): PTransform<PBegin, PCollection<T> | ReadWithFailures<T>> {
  checkOptions("readCsv", options, ["header", "delimiter", "quote", "columns", "deadLetter"]);
  if (options.header !== undefined && typeof options.header !== "boolean")
    throw new TypeError(`readCsv: header must be true or false, got ${String(options.header)}`);
  const columns = csvColumns("readCsv", options.columns);
  const csv = {
    header: options.header ?? true,
    delimiter: csvCharacter("readCsv", "delimiter", options.delimiter, ","),
    quote: csvCharacter("readCsv", "quote", options.quote, '"'),
    ...(columns ? { columns } : {}),
  };
  return new ReadFiles<T>("readCsv", pattern, { kind: "csv", csv }, deadLetterOption("readCsv", options.deadLetter));
}

/**
 * Writes elements as CSV files with a header line (unless `header: false`),
 * `${prefix}-SSSSS-of-NNNNN.csv` by default: objects by column name, or
 * arrays in column order. Fields holding the delimiter, the quote or a line
 * break are quoted (quotes doubled); `null`/`undefined` are empty fields.
 * Sharding, compression, windowed writes and destinations as {@link writeText}.
 *
 * @example
 * ```ts
 * orders.apply(mr.io.writeCsv("out/orders", { columns: ["id", "item", "price"], numShards: 2 }));
 * ```
 */
export function writeCsv<T>(prefix: string, options: WriteCsvOptions<T>): PTransform<PCollection<T>, PCollection<string>> {
  if (options === null || typeof options !== "object")
    throw new TypeError(`writeCsv: options must be an object with columns, got ${String(options)}`);
  const columns = csvColumns("writeCsv", options.columns);
  if (!columns) throw new TypeError(`writeCsv: the columns option is required, e.g. { columns: ["id", "name"] }`);
  if (options.header !== undefined && typeof options.header !== "boolean")
    throw new TypeError(`writeCsv: header must be true or false, got ${String(options.header)}`);
  const csv = {
    header: options.header ?? true,
    delimiter: csvCharacter("writeCsv", "delimiter", options.delimiter, ","),
    quote: csvCharacter("writeCsv", "quote", options.quote, '"'),
    columns,
  };
  const { columns: _c, header: _h, delimiter: _d, quote: _q, ...fileOptions } = options;
  return new WriteFiles<T>(prefix, fileOptions, { kind: "csv", csv }, ".csv");
}

/**
 * Reads Avro object container files: one element per record, decoded with
 * the writer's schema from each file's header (records as plain objects,
 * `long` as numbers, `bytes` as `Uint8Array`). Codecs null, deflate and
 * zstandard. A file that is not Avro, or is truncated or corrupt, fails the
 * run naming the file.
 *
 * @example
 * ```ts
 * const users = p.apply(mr.io.readAvro<{ id: number; name: string }>("in/users-*.avro"));
 * ```
 */
export function readAvro<T = Record<string, unknown>>(pattern: string): PTransform<PBegin, PCollection<T>> {
  return new ReadFiles<T>("readAvro", pattern, { kind: "avro", schema: null }, false) as PTransform<PBegin, PCollection<T>>;
}

/**
 * Writes elements as Avro object container files with `schema`,
 * `${prefix}-SSSSS-of-NNNNN.avro` by default; `compression` picks the Avro
 * codec (`"deflate"`, `"zstd"`; default none). An element that does not match
 * the schema fails the run naming the fields that are wrong. Sharding,
 * windowed writes and destinations as {@link writeText}.
 *
 * @example
 * ```ts
 * const schema = { type: "record", name: "User", fields: [{ name: "id", type: "long" }, { name: "name", type: "string" }] };
 * users.apply(mr.io.writeAvro("out/users", { schema, compression: "deflate" }));
 * ```
 */
export function writeAvro<T>(prefix: string, options: WriteAvroOptions<T>): PTransform<PCollection<T>, PCollection<string>> {
  if (options === null || typeof options !== "object" || options.schema === undefined)
    throw new TypeError(`writeAvro: the schema option is required, e.g. { schema: { type: "record", name: "R", fields: [...] } }`);
  const schema = avroFormat().avroType("writeAvro", options.schema).schema();
  const { schema: _s, ...fileOptions } = options;
  return new WriteFiles<T>(prefix, fileOptions, { kind: "avro", schema }, ".avro");
}

/**
 * Reads Parquet files: one element per row, an object of the top-level
 * columns (`columns` projects: only those are decoded). INT64 columns read as
 * `bigint`, timestamps as milliseconds since the epoch, lists as arrays;
 * pages compressed with snappy, gzip or zstd. A file that is not Parquet, a
 * corrupt one, or a projected column the file lacks fails the run naming the
 * file.
 *
 * @example
 * ```ts
 * const rows = p.apply(mr.io.readParquet("in/trips-*.parquet", { columns: ["vendor", "fare"] }));
 * ```
 */
export function readParquet<T = Record<string, unknown>>(
  pattern: string,
  options: ReadParquetOptions = {},
): PTransform<PBegin, PCollection<T>> {
  checkOptions("readParquet", options, ["columns"]);
  const projection = options.columns;
  if (
    projection !== undefined &&
    (!Array.isArray(projection) || projection.length === 0 || projection.some((c) => typeof c !== "string" || c.length === 0))
  )
    throw new TypeError(`readParquet: columns must be a non-empty list of column names, got ${JSON.stringify(projection)}`);
  return new ReadFiles<T>(
    "readParquet",
    pattern,
    { kind: "parquet", columns: [], ...(projection ? { projection: [...projection] } : {}) },
    false,
  ) as PTransform<PBegin, PCollection<T>>;
}

/**
 * Writes elements as Parquet files with `schema` (one row group per 100,000
 * rows), `${prefix}-SSSSS-of-NNNNN.parquet` by default; `compression` picks
 * the page codec (`"none"`, `"gzip"`, `"zstd"`; default snappy). A value not
 * of its column's type, or a missing value in a non-nullable column, fails
 * the run naming the column and the element. Sharding, windowed writes and
 * destinations as {@link writeText}.
 *
 * @example
 * ```ts
 * trips.apply(mr.io.writeParquet("out/trips", { schema: { vendor: "STRING", fare: "DOUBLE", at: "TIMESTAMP" }, numShards: 2 }));
 * ```
 */
export function writeParquet<T>(prefix: string, options: WriteParquetOptions<T>): PTransform<PCollection<T>, PCollection<string>> {
  if (options === null || typeof options !== "object" || options.schema === undefined)
    throw new TypeError(`writeParquet: the schema option is required, e.g. { schema: { id: "INT64", name: "STRING" } }`);
  const columns = parquetFormat().parquetColumns(options.schema);
  const { schema: _s, ...fileOptions } = options;
  return new WriteFiles<T>(prefix, fileOptions, { kind: "parquet", columns }, ".parquet");
}
