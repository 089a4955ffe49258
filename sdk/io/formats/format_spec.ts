/**
 * A file format as data: what a write or read names in the pipeline (and
 * in the proto's sink payload, so a runner's native sink encodes the same
 * way), and the one place that turns it into an encoder or decoder.
 */
import type { FileDecoder, RecordEncoder } from "./file_format";
import { textEncoder } from "./text_format";
import { decodeJsonLines, jsonLinesEncoder } from "./json_lines";
import { csvDecoder, csvEncoder, type CsvSpec } from "./csv";
import type { ParquetColumnSpec } from "./parquet";
import { avroFormat, parquetFormat } from "./lazy_formats";
import { compress, COMPRESSION_EXTENSIONS, type Compression } from "./compression";

/** @internal A file format and its options, as JSON. */
export type FormatSpec =
  | { readonly kind: "text" }
  | { readonly kind: "json" }
  | { readonly kind: "csv"; readonly csv: CsvSpec }
  | { readonly kind: "avro"; readonly schema: unknown }
  | { readonly kind: "parquet"; readonly columns: readonly ParquetColumnSpec[]; readonly projection?: readonly string[] };

/** @internal The transform name a format's write has in errors. */
export function writerName(format: FormatSpec): string {
  return { text: "writeText", json: "writeJson", csv: "writeCsv", avro: "writeAvro", parquet: "writeParquet" }[format.kind];
}

/** @internal True when the format compresses inside the file (Avro blocks, Parquet pages) rather than the whole file. */
export function compressesInside(format: FormatSpec): boolean {
  return format.kind === "avro" || format.kind === "parquet";
}

/** @internal What a compression adds to file names for a format: `.gz` etc. for whole-file compression, nothing when the format compresses inside. */
export function compressionExtension(format: FormatSpec, compression: Compression | undefined): string {
  if (compression === undefined || compression === "none" || compressesInside(format)) return "";
  return COMPRESSION_EXTENSIONS[compression];
}

/** Buffers a whole file and compresses it at the end (gzip, deflate and zstd streams are written whole). */
function compressed(inner: RecordEncoder, compression: Compression): RecordEncoder {
  const parts: Uint8Array[] = [];
  return {
    write(record) {
      const bytes = inner.write(record);
      if (bytes) parts.push(bytes);
      return undefined;
    },
    finish() {
      parts.push(inner.finish());
      const all = Buffer.concat(parts);
      parts.length = 0;
      return compress(all, compression);
    },
  };
}

/** @internal A new encoder for one file of `format`, compressed as asked. */
export function fileEncoder(format: FormatSpec | undefined, compression: Compression | undefined): RecordEncoder {
  switch (format?.kind ?? "text") {
    case "avro":
      return avroFormat().avroEncoder((format as { schema: unknown }).schema, compression ?? "none");
    case "parquet":
      return parquetFormat().parquetEncoder((format as { columns: readonly ParquetColumnSpec[] }).columns, compression);
    default: {
      const inner = format?.kind === "json" ? jsonLinesEncoder() : format?.kind === "csv" ? csvEncoder(format.csv) : textEncoder();
      return compression === undefined || compression === "none" ? inner : compressed(inner, compression);
    }
  }
}

/** @internal The decoder of a format (the file's bytes already decompressed by their extension, see `read_files.ts`). */
export function fileDecoder(format: FormatSpec): FileDecoder {
  switch (format.kind) {
    case "json":
      return decodeJsonLines;
    case "csv":
      return csvDecoder(format.csv);
    case "avro":
      return avroFormat().decodeAvro;
    case "parquet":
      return parquetFormat().parquetDecoder(format.projection);
    case "text":
      throw new Error("internal: text files are read by readText");
  }
}
