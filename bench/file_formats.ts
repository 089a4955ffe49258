/**
 * Encode and decode throughput of each file format's encoder and decoder
 * (the work a write's shard or a read's file does, without the pipeline),
 * with the size of the file, for 100,000 records of three columns.
 * Not a test (mocha does not pick it up):
 *   npm run bench:file-formats
 */
import { fileDecoder, fileEncoder, type FormatSpec } from "../sdk/io/formats/format_spec";
import { compressionOf, decompress, type Compression } from "../sdk/io/formats/compression";
import { parquetColumns } from "../sdk/io/formats/parquet";

const N = 100_000;
const records = Array.from({ length: N }, (_, i) => ({ id: i, name: `name ${i % 1000}, "quoted"`, score: i / 7 }));

const cases: { label: string; format: FormatSpec; compression?: Compression; file: string }[] = [
  { label: "JSON lines", format: { kind: "json" }, file: "x.jsonl" },
  { label: "JSON lines, gzip", format: { kind: "json" }, compression: "gzip", file: "x.jsonl.gz" },
  { label: "JSON lines, zstd", format: { kind: "json" }, compression: "zstd", file: "x.jsonl.zst" },
  {
    label: "CSV (typed)",
    format: {
      kind: "csv",
      csv: {
        header: true,
        delimiter: ",",
        quote: '"',
        columns: [
          { name: "id", type: "integer" },
          { name: "name", type: "string" },
          { name: "score", type: "number" },
        ],
      },
    },
    file: "x.csv",
  },
  {
    label: "Avro, deflate",
    format: {
      kind: "avro",
      schema: {
        type: "record",
        name: "R",
        fields: [
          { name: "id", type: "int" },
          { name: "name", type: "string" },
          { name: "score", type: "double" },
        ],
      },
    },
    compression: "deflate",
    file: "x.avro",
  },
  {
    label: "Parquet, snappy",
    format: { kind: "parquet", columns: parquetColumns({ id: "INT32", name: "STRING", score: "DOUBLE" }) },
    file: "x.parquet",
  },
];

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

console.log(`${N.toLocaleString("en")} records { id, name, score }, best of 3 runs`);
for (const c of cases) {
  let bestWrite = Infinity;
  let bestRead = Infinity;
  let bytes = Buffer.alloc(0);
  for (let round = 0; round < 3; round++) {
    let start = process.hrtime.bigint();
    const encoder = fileEncoder(c.format, c.compression);
    const parts: Uint8Array[] = [];
    for (const r of records) {
      const b = encoder.write(r);
      if (b) parts.push(b);
    }
    parts.push(encoder.finish());
    bytes = Buffer.concat(parts);
    bestWrite = Math.min(bestWrite, ms(start));
    start = process.hrtime.bigint();
    let n = 0;
    fileDecoder(c.format)(decompress(bytes, c.format.kind === "avro" ? "none" : compressionOf(c.file), c.file), c.file, {
      record: () => n++,
      bad: (b) => {
        throw new Error(b.error);
      },
    });
    if (n !== N) throw new Error(`${c.label}: read ${n} records, wrote ${N}`);
    bestRead = Math.min(bestRead, ms(start));
  }
  const rate = (t: number): string => `${Math.round(N / (t / 1000)).toLocaleString("en")} rec/s`;
  console.log(
    `${c.label.padEnd(18)} write ${rate(bestWrite).padStart(16)}  read ${rate(bestRead).padStart(16)}  ${(bytes.length / 1024).toFixed(0).padStart(6)} KiB`,
  );
}
