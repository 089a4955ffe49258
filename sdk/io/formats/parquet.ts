/**
 * Parquet files: `hyparquet-writer` writes them, `hyparquet` reads them.
 * hyparquet's reading API is asynchronous (it fetches byte ranges), and the
 * harness runs sources synchronously, so the reader here drives hyparquet's
 * synchronous layer itself over the whole file in memory: the footer
 * (`parquetMetadata`), then each row group's selected column chunks
 * (`readColumn`). Top-level columns, flat or lists, are read; a column
 * projection reads only the chunks of the columns asked for.
 */
import * as zlib from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { parquetMetadata, parquetSchema } from "hyparquet";
import { readColumn } from "hyparquet/src/column.js";
import { getTreePath } from "hyparquet/src/schema.js";
import { DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { flatten } from "hyparquet/src/utils.js";
import type { FileDecoder, RecordEncoder } from "./file_format";
import { compress, decompress, type Compression } from "./compression";
import { plainValue } from "./plain_value";

/** The column types `writeParquet` writes. `TIMESTAMP` takes milliseconds since the epoch (or a `Date`); `JSON` any JSON value. */
export type ParquetColumnType = "BOOLEAN" | "INT32" | "INT64" | "FLOAT" | "DOUBLE" | "STRING" | "BYTE_ARRAY" | "TIMESTAMP" | "JSON";

/** A column of a Parquet schema: its type, and whether it may be null (default true). */
export interface ParquetColumn {
  /** The column's type. */
  readonly type: ParquetColumnType;
  /** Whether the column may hold null (default true). */
  readonly nullable?: boolean;
}

/** A Parquet schema for `writeParquet`: column name → type (or `{ type, nullable }`), in column order. */
export type ParquetSchema = Readonly<Record<string, ParquetColumnType | ParquetColumn>>;

/** @internal A schema as its columns, validated. */
export interface ParquetColumnSpec {
  readonly name: string;
  readonly type: ParquetColumnType;
  readonly nullable: boolean;
}

const TYPES: readonly ParquetColumnType[] = ["BOOLEAN", "INT32", "INT64", "FLOAT", "DOUBLE", "STRING", "BYTE_ARRAY", "TIMESTAMP", "JSON"];

/** @internal The columns of a `writeParquet` schema; an invalid one is refused naming the transform. */
export function parquetColumns(schema: unknown): ParquetColumnSpec[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    throw new TypeError(
      `writeParquet: schema must be an object { column: type }, e.g. { id: "INT64", name: "STRING" }, got ${String(schema)}`,
    );
  const columns = Object.entries(schema as Record<string, unknown>).map(([name, c]) => {
    const spec = typeof c === "string" ? { type: c, nullable: true } : (c as { type?: unknown; nullable?: unknown });
    if (spec === null || typeof spec !== "object" || !TYPES.includes(spec.type as ParquetColumnType))
      throw new TypeError(
        `writeParquet: column '${name}' has type ${JSON.stringify(spec?.type ?? c)}; valid types are ${TYPES.join(", ")}`,
      );
    return { name, type: spec.type as ParquetColumnType, nullable: spec.nullable !== false };
  });
  if (columns.length === 0) throw new TypeError(`writeParquet: the schema must have at least one column`);
  return columns;
}

/** The Parquet codec of a compression option (Parquet compresses its pages itself; default SNAPPY, as pyarrow and Spark). */
function parquetCodec(compression: Compression | undefined): "UNCOMPRESSED" | "SNAPPY" | "GZIP" | "ZSTD" {
  switch (compression) {
    case undefined:
      return "SNAPPY";
    case "none":
      return "UNCOMPRESSED";
    case "gzip":
      return "GZIP";
    case "zstd":
      return "ZSTD";
    case "deflate":
      throw new TypeError(`writeParquet: Parquet has no deflate codec; use compression "gzip", "zstd" or "none" (default: snappy)`);
  }
}

/** The codecs beyond hyparquet's own (snappy, uncompressed), for reading and writing pages. */
const COMPRESSORS = { GZIP: (b: Uint8Array) => zlib.gzipSync(b), ZSTD: (b: Uint8Array) => compress(b, "zstd") };
const DECOMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(zlib.gunzipSync(b)),
  ZSTD: (b: Uint8Array) => new Uint8Array(decompress(b, "zstd", "a Parquet page")),
};

/** A record's value for a column, checked against its type. */
function columnValue(column: ParquetColumnSpec, record: Record<string, unknown>): unknown {
  const v = record[column.name];
  if (v === null || v === undefined) {
    if (!column.nullable) throw new TypeError(`writeParquet: column '${column.name}' is not nullable, but the element has no value for it`);
    return null;
  }
  const wrong = (expected: string): never => {
    throw new TypeError(`writeParquet: column '${column.name}' (${column.type}) expects ${expected}, got ${typeof v} ${JSON.stringify(v)}`);
  };
  switch (column.type) {
    case "BOOLEAN":
      return typeof v === "boolean" ? v : wrong("a boolean");
    case "INT32":
      return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 ? v : wrong("a 32-bit integer");
    case "INT64":
      return typeof v === "bigint" ? v : typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : wrong("an integer or a bigint");
    case "FLOAT":
    case "DOUBLE":
      return typeof v === "number" ? v : wrong("a number");
    case "STRING":
      return typeof v === "string" ? v : wrong("a string");
    case "BYTE_ARRAY":
      return v instanceof Uint8Array ? v : wrong("a Uint8Array");
    case "TIMESTAMP":
      return v instanceof Date
        ? v
        : typeof v === "number" && Number.isFinite(v)
          ? new Date(v)
          : wrong("milliseconds since the epoch or a Date");
    case "JSON":
      return v;
  }
}

/** The encoder of `writeParquet`: records are buffered, and the file (one row group per 100,000 rows) is written at the end. */
export function parquetEncoder(columns: readonly ParquetColumnSpec[], compression: Compression | undefined): RecordEncoder {
  const codec = parquetCodec(compression);
  let data: unknown[][] = columns.map(() => []);
  return {
    write(record) {
      if (record === null || typeof record !== "object" || Array.isArray(record))
        throw new TypeError(
          `writeParquet expects objects with the schema's columns, got ${record === null ? "null" : Array.isArray(record) ? "an array" : typeof record}`,
        );
      const values = columns.map((c) => columnValue(c, record as Record<string, unknown>));
      values.forEach((v, i) => data[i].push(v));
      return undefined;
    },
    finish() {
      const buffer = parquetWriteBuffer({
        columnData: columns.map((c, i) => ({ name: c.name, data: data[i] as never, type: c.type, nullable: c.nullable })),
        codec,
        compressors: COMPRESSORS,
        rowGroupSize: 100_000,
        createdBy: "millrace",
      });
      data = columns.map(() => []);
      return new Uint8Array(buffer);
    },
  };
}

/** Parquet files end (and start) with the magic "PAR1". */
function isParquet(bytes: Buffer): boolean {
  return (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString("latin1") === "PAR1" &&
    bytes.subarray(bytes.length - 4).toString("latin1") === "PAR1"
  );
}

/**
 * The decoder of `readParquet`: one object per row, with the `columns`
 * asked for (default all top-level columns, in the file's order). A column
 * that the file does not have, a file that is not Parquet, or a corrupt
 * page is refused naming the file.
 */
export function parquetDecoder(projection: readonly string[] | undefined): FileDecoder {
  return (bytes, file, out) => {
    if (!isParquet(bytes)) throw new Error(`readParquet: '${file}' is not a Parquet file (no 'PAR1' magic at its start and end)`);
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    let metadata: ReturnType<typeof parquetMetadata>;
    try {
      metadata = parquetMetadata(arrayBuffer);
    } catch (e) {
      throw new Error(`readParquet: '${file}' is corrupt: cannot read its footer: ${(e as Error).message}`, { cause: e });
    }
    const schemaTree = parquetSchema(metadata);
    const available = schemaTree.children.map((c) => c.element.name);
    const names = projection ?? available;
    const missing = names.filter((n) => !available.includes(n));
    if (missing.length > 0)
      throw new Error(
        `readParquet: '${file}' has no column ${missing.map((m) => `'${m}'`).join(", ")}; its columns are ${available.join(", ")}`,
      );
    let groupStart = 0;
    for (const rowGroup of metadata.row_groups) {
      const rows = Number(rowGroup.num_rows);
      const columns: Record<string, unknown[]> = {};
      for (const chunk of rowGroup.columns) {
        const meta = chunk.meta_data;
        if (!meta) continue;
        const top = meta.path_in_schema[0];
        if (!names.includes(top)) continue;
        const schemaPath = getTreePath(schemaTree, meta.path_in_schema);
        if (meta.path_in_schema.length > 1 && !isListPath(schemaPath.map((s) => s.element)))
          throw new Error(
            `readParquet: '${file}': column '${top}' is a nested struct or map, which readParquet does not read; project it away with { columns }`,
          );
        const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
        const end = start + Number(meta.total_compressed_size);
        const reader = { view: new DataView(arrayBuffer, start, end - start), offset: 0 };
        try {
          const { data } = readColumn(
            reader,
            { groupStart, selectStart: 0, selectEnd: rows, groupRows: rows } as never,
            {
              pathInSchema: meta.path_in_schema,
              element: schemaPath[schemaPath.length - 1].element,
              schemaPath,
              ...meta,
              parsers: DEFAULT_PARSERS,
              compressors: DECOMPRESSORS,
            } as never,
          );
          columns[top] = Array.from(flatten(data) as ArrayLike<unknown>);
        } catch (e) {
          throw new Error(
            `readParquet: '${file}' is corrupt: cannot read column '${top}' of the row group at row ${groupStart}: ${(e as Error).message}`,
            {
              cause: e,
            },
          );
        }
      }
      for (let r = 0; r < rows; r++) {
        const row: Record<string, unknown> = {};
        for (const n of names) row[n] = plainValue(columns[n]?.[r] ?? null);
        out.record(row);
      }
      groupStart += rows;
    }
  };
}

/** True when a column path is a list (`<name> (LIST) / list / element`), which `readColumn` assembles itself. */
function isListPath(elements: readonly { converted_type?: string; logical_type?: { type: string } }[]): boolean {
  return (
    elements.length >= 2 && (elements[1].converted_type === "LIST" || elements[1].logical_type?.type === "LIST") && elements.length <= 4
  );
}
