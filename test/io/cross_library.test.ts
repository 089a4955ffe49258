/**
 * Parquet and Avro files exchanged with the reference Python libraries:
 * written here and read by pyarrow / fastavro, and written by them and read
 * here. Needs python3 with pyarrow and fastavro (`.ci/run` installs them);
 * without them the test fails, saying how to install them.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../index";

const SCRIPT = path.resolve(__dirname, "../../../test/interop/cross_library.py");
const INSTALL = "python3 -m pip install --user pyarrow fastavro";

function python(args: readonly string[]): string {
  const r = spawnSync("python3", [SCRIPT, ...args], { encoding: "utf8" });
  if (r.error)
    throw new Error(
      `python3 is needed for the cross-library test and did not start (${r.error.message}); install Python 3, then: ${INSTALL}`,
    );
  if (r.status !== 0)
    throw new Error(`the cross-library script failed (exit ${r.status}): ${r.stderr.trim()}\n(to install its packages: ${INSTALL})`);
  return r.stdout;
}

const SCHEMA = {
  type: "record",
  name: "Sample",
  fields: [
    { name: "id", type: "int" },
    { name: "name", type: "string" },
    { name: "score", type: "double" },
  ],
};

const ours = Array.from({ length: 25 }, (_, i) => ({ id: i, name: `ts ${i}\n"q", ok`, score: i * 1.5 }));
const theirs = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `py ${i}, "q"`, score: i / 4 }));

async function collect(read: mr.PTransform<mr.PBegin, mr.PCollection<unknown>>, out: string): Promise<unknown[]> {
  const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(["--runner=direct"]));
  p.apply(read).apply(mr.io.writeJson(out));
  expect(await p.run().waitUntilFinish()).to.equal("DONE");
  return fs
    .readFileSync(`${out}-00000-of-00001.jsonl`, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

describe("cross-library round trips: Parquet with pyarrow, Avro with fastavro", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-interop-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pyarrow and fastavro read the Parquet and Avro files millrace writes", async () => {
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(["--runner=direct"]));
    const rows = p.apply(mr.create(ours));
    rows.apply("Parquet", mr.io.writeParquet(path.join(dir, "pq"), { schema: { id: "INT32", name: "STRING", score: "DOUBLE" } }));
    rows.apply("Avro", mr.io.writeAvro(path.join(dir, "av"), { schema: SCHEMA, compression: "deflate" }));
    expect(await p.run().waitUntilFinish()).to.equal("DONE");
    fs.renameSync(path.join(dir, "pq-00000-of-00001.parquet"), path.join(dir, "millrace.parquet"));
    fs.renameSync(path.join(dir, "av-00000-of-00001.avro"), path.join(dir, "millrace.avro"));
    const read = python(["check", dir])
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { source: string });
    const bySource = (s: string): unknown[] =>
      read
        .filter((r) => r.source === s)
        .map(({ source: _s, ...r }) => r)
        .sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
    expect(bySource("parquet")).to.deep.equal(ours);
    expect(bySource("avro")).to.deep.equal(ours);
  });

  it("millrace reads the Parquet (snappy, several row groups) and Avro (deflate) files pyarrow and fastavro write", async () => {
    python(["write", dir]);
    const byId = (rows: unknown[]): unknown[] => [...rows].sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
    expect(byId(await collect(mr.io.readParquet(path.join(dir, "pyarrow.parquet")), path.join(dir, "out", "pq")))).to.deep.equal(theirs);
    expect(byId(await collect(mr.io.readAvro(path.join(dir, "fastavro.avro")), path.join(dir, "out", "av")))).to.deep.equal(theirs);
    expect(
      await collect(mr.io.readParquet(path.join(dir, "pyarrow.parquet"), { columns: ["name"] }), path.join(dir, "out", "proj")),
    ).to.have.deep.members(theirs.map(({ name }) => ({ name })));
  });
});
