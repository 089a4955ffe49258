/**
 * The Avro and Parquet formats, loaded when a pipeline first uses one.
 * Their libraries (avsc, hyparquet) are a good part of this package's
 * loading time, which every worker thread of the in-process runners pays
 * when it rebuilds a pipeline; most pipelines never touch either format.
 */
type AvroFormat = typeof import("./avro");
type ParquetFormat = typeof import("./parquet");

/** The Avro format's module. */
export function avroFormat(): AvroFormat {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, and only when needed
  return require("./avro") as AvroFormat;
}

/** The Parquet format's module. */
export function parquetFormat(): ParquetFormat {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, and only when needed
  return require("./parquet") as ParquetFormat;
}
