/**
 * File formats: files written by the reference libraries (pyarrow, fastavro,
 * Python's csv and json; see test/fixtures/formats/make_fixtures.py) read on
 * every runner, compressed ones by their extension, with column projection
 * and a CSV dead-letter output.
 */
import * as path from "node:path";
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

/** The fixtures, beside the sources (this module runs from dist/). */
const FIXTURES = path.resolve(__dirname, "../../../../test/fixtures/formats");

/** The rows every samples.* fixture holds. */
const ROWS = Array.from({ length: 12 }, (_, i) => ({ id: i, name: `row ${i}, "q"${i % 4 === 0 ? "\nnext line" : ""}`, score: i * 0.5 }));

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("formats: readJson decompresses a .gz file by its extension", (p) => {
      mr.testing.assertThat(p.apply(mr.io.readJson(path.join(FIXTURES, "samples.jsonl.gz")))).containsInAnyOrder(ROWS);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("formats: readCsv with typed columns reads quoted fields from a .zst file", (p) => {
      const rows = p.apply(
        mr.io.readCsv(path.join(FIXTURES, "samples.csv.zst"), { columns: { id: "integer", name: "string", score: "number" } }),
      );
      mr.testing.assertThat(rows).containsInAnyOrder(ROWS);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("formats: readAvro reads a fastavro file (deflate, several blocks)", (p) => {
      mr.testing.assertThat(p.apply(mr.io.readAvro(path.join(FIXTURES, "samples.avro")))).containsInAnyOrder(ROWS);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("formats: readParquet reads a pyarrow file (snappy, several row groups), INT64 as bigint", (p) => {
      const rows = p.apply(mr.io.readParquet(path.join(FIXTURES, "samples.parquet")));
      mr.testing.assertThat(rows).containsInAnyOrder(ROWS.map((r) => ({ ...r, id: BigInt(r.id) })));
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("formats: readParquet with columns reads only those columns", (p) => {
      const rows = p.apply(mr.io.readParquet(path.join(FIXTURES, "samples.parquet"), { columns: ["score", "name"] }));
      mr.testing.assertThat(rows).containsInAnyOrder(ROWS.map(({ name, score }) => ({ score, name })));
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("formats: readCsv with deadLetter sends bad rows to failures with file and line", (p) => {
      const file = path.join(FIXTURES, "orders_with_bad_rows.csv");
      const { rows, failures } = p.apply(
        mr.io.readCsv(file, { columns: { id: "integer", item: "string", price: "number" }, deadLetter: true }),
      );
      mr.testing.assertThat(rows.map((r) => r.id)).containsInAnyOrder([1, 3, 6]);
      mr.testing
        .assertThat(failures.map((f) => `${path.basename(f.file)}:${f.line}:${f.text}`))
        .containsInAnyOrder([
          "orders_with_bad_rows.csv:3:x,pear,2",
          'orders_with_bad_rows.csv:5:4,"broken"quote,4',
          "orders_with_bad_rows.csv:6:5,plum",
        ]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("formats: a bad CSV row without deadLetter fails the run naming the file and line", (p) => {
      p.apply(
        mr.io.readCsv(path.join(FIXTURES, "orders_with_bad_rows.csv"), { columns: { id: "integer", item: "string", price: "number" } }),
      );
    }),
    assertions: 0,
    expectFailure: /orders_with_bad_rows\.csv' line 3: column 'id': 'x' is not an integer/,
  },
];
