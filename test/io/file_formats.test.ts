/**
 * The file formats on every runner: each format written (sharded, compressed,
 * per destination, per window) and read back, CSV quoting and its dead-letter
 * output, and corrupt files refused with an error naming the file.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as mr from "../../index";
import { CSV_TEXT, SUFFIXES, csvDeadLetter, readSamples, samples, unboundedSamples, writeSamples } from "../fixtures/file_format_pipelines";

const RUNNERS: readonly { name: string; args: readonly string[] }[] = [
  { name: "direct", args: ["--runner=direct"] },
  { name: "stream", args: ["--runner=stream", "--parallelism=2", "--restartAttempts=0"] },
  { name: "microbatch", args: ["--runner=microbatch", "--executors=2", "--partitions=3", "--maxTaskAttempts=1"] },
];

/** Every entry of `dir` (hidden ones included), sorted. */
function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

function shardNames(base: string, numShards: number, suffix: string): string[] {
  return Array.from(
    { length: numShards },
    (_, i) => `${base}-${String(i).padStart(5, "0")}-of-${String(numShards).padStart(5, "0")}${suffix}`,
  );
}

async function failureOf(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the run to fail");
}

describe("file formats: JSON lines, CSV, Avro and Parquet on every runner", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-formats-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = async (pipeline: typeof writeSamples, args: readonly string[]): Promise<mr.PipelineState> =>
    pipeline
      .create([...args])
      .run()
      .waitUntilFinish();

  for (const runner of RUNNERS) {
    describe(`on ${runner.name}`, () => {
      for (const [format, compression, extension] of [
        ["json", "", ""],
        ["json", "gzip", ".gz"],
        ["csv", "zstd", ".zst"],
        ["csv", "deflate", ".deflate"],
        ["avro", "", ""],
        ["avro", "deflate", ""],
        ["parquet", "", ""],
        ["parquet", "zstd", ""],
      ] as const) {
        it(`writes ${format}${compression ? ` (${compression})` : ""} as exactly numShards files and reads them back`, async () => {
          const out = path.join(dir, "out", "samples");
          const suffix = SUFFIXES[format] + extension;
          const common = [...runner.args, `--format=${format}`, `--records=30`, ...(compression ? [`--compression=${compression}`] : [])];
          expect(await run(writeSamples, [...common, `--out=${out}`, "--numShards=3"])).to.equal("DONE");
          expect(entries(path.dirname(out))).to.deep.equal(shardNames("samples", 3, suffix));
          if (extension === ".gz") expect(() => zlib.gunzipSync(fs.readFileSync(`${out}-00000-of-00003${suffix}`))).not.to.throw();
          expect(await run(readSamples, [...common, `--out=${out}-*${suffix}`])).to.equal("DONE");
        });
      }

      it("writes per destination: each destination its own numShards files under <prefix>/<subPrefix>", async () => {
        const out = path.join(dir, "by-parity");
        expect(await run(writeSamples, [...runner.args, "--format=json", `--out=${out}`, "--numShards=2", "--mode=destinations"])).to.equal(
          "DONE",
        );
        expect(entries(out)).to.deep.equal(["even", "odd"]);
        expect(entries(path.join(out, "even"))).to.deep.equal(shardNames("part", 2, ".jsonl"));
        expect(entries(path.join(out, "odd"))).to.deep.equal(shardNames("part", 2, ".jsonl"));
        const ids = (sub: string): number[] =>
          entries(path.join(out, sub)).flatMap((f) =>
            fs
              .readFileSync(path.join(out, sub, f), "utf8")
              .split("\n")
              .filter((l) => l.length > 0)
              .map((l) => (JSON.parse(l) as { id: number }).id),
          );
        expect(ids("even").sort((a, b) => a - b)).to.deep.equal([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
        expect(ids("odd").sort((a, b) => a - b)).to.deep.equal([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29]);
        expect(await run(readSamples, [...runner.args, "--format=json", `--out=${out}/*/part-*.jsonl`])).to.equal("DONE");
      });

      it("writes windowed input as files per window and pane (Beam's names), for Parquet too", async () => {
        const out = path.join(dir, "windowed", "samples");
        expect(await run(writeSamples, [...runner.args, "--format=parquet", `--out=${out}`, "--mode=windowed"])).to.equal("DONE");
        const iso = (t: number): string => new Date(t).toISOString();
        expect(entries(path.dirname(out))).to.deep.equal(
          [0, 1, 2].map((w) => `samples-${iso(w * 1000)}-${iso((w + 1) * 1000)}-pane-0-last-00000-of-00001.parquet`),
        );
        expect(await run(readSamples, [...runner.args, "--format=parquet", `--out=${out}-*.parquet`])).to.equal("DONE");
      });

      for (const mode of ["plain", "destinations"] as const) {
        it(`writes unbounded input in the global window with numShards${mode === "destinations" ? " and destinations" : ""}: at most numShards files per ${mode === "destinations" ? "destination per " : ""}unit of commit, each record once`, async () => {
          const out = path.join(dir, "unbounded", "samples");
          expect(
            await run(unboundedSamples, [
              ...runner.args,
              "--format=json",
              `--out=${out}`,
              "--numShards=2",
              `--mode=${mode}`,
              "--records=40",
            ]),
          ).to.equal("DONE");
          const folders = mode === "destinations" ? [path.join(out, "even"), path.join(out, "odd")] : [path.dirname(out)];
          const base = mode === "destinations" ? "part" : "samples";
          const unit = new RegExp(`^${base}-(checkpoint-\\d{10}|batch-\\d{10}|bundle-[0-9a-f]{12})-(\\d{5})-of-00002\\.jsonl$`);
          const files: string[] = [];
          for (const folder of folders) {
            const names = entries(folder).filter((n) => !n.endsWith("-names"));
            const shardsPerUnit = new Map<string, string[]>();
            for (const n of names) {
              const m = unit.exec(n);
              expect(m, `${n} is named <prefix>-<unit>-SSSSS-of-00002.jsonl`).not.to.equal(null);
              shardsPerUnit.set(m![1], [...(shardsPerUnit.get(m![1]) ?? []), m![2]]);
              files.push(path.join(folder, n));
            }
            for (const [u, shards] of shardsPerUnit) expect(new Set(shards).size, `${u}: one file per shard`).to.equal(shards.length);
          }
          const ids = files.flatMap((f) =>
            fs
              .readFileSync(f, "utf8")
              .split("\n")
              .filter((l) => l.length > 0)
              .map((l) => (JSON.parse(l) as { id: number }).id),
          );
          expect(ids.sort((a, b) => a - b)).to.deep.equal(samples(40).map((s) => s.id));
          if (mode === "destinations") {
            for (const f of files) {
              const parity = path.basename(path.dirname(f)) === "even" ? 0 : 1;
              for (const line of fs
                .readFileSync(f, "utf8")
                .split("\n")
                .filter((l) => l.length > 0))
                expect((JSON.parse(line) as { id: number }).id % 2, `${f} holds only its destination's records`).to.equal(parity);
            }
          }
          const names = entries(path.join(dir, "unbounded", "samples-names"))
            .flatMap((n) => fs.readFileSync(path.join(dir, "unbounded", "samples-names", n), "utf8").split("\n"))
            .filter((l) => l.length > 0)
            .sort();
          expect(names, "the write returns exactly the names of its files").to.deep.equal([...files].sort());
        });
      }

      it("reads CSV with quoting, sending each bad row to the dead-letter output with its file and line", async () => {
        const file = path.join(dir, "orders.csv");
        fs.writeFileSync(file, CSV_TEXT);
        expect(await run(csvDeadLetter, [...runner.args, `--out=${file}`])).to.equal("DONE");
      });

      it("fails a read of a corrupt or truncated file with an error naming the file", async () => {
        const out = path.join(dir, "good", "samples");
        expect(await run(writeSamples, [...runner.args, "--format=avro", `--out=${out}`])).to.equal("DONE");
        const good = fs.readFileSync(`${out}-00000-of-00001.avro`);
        const truncated = path.join(dir, "bad", "truncated.avro");
        fs.mkdirSync(path.dirname(truncated), { recursive: true });
        fs.writeFileSync(truncated, good.subarray(0, good.length - 30));
        const e1 = await failureOf(run(readSamples, [...runner.args, "--format=avro", `--out=${truncated}`]));
        expect(e1.message)
          .to.contain(truncated)
          .and.to.match(/truncated|corrupt/);
        const notParquet = path.join(dir, "bad", "x.parquet");
        fs.writeFileSync(notParquet, "this is not parquet at all");
        const e2 = await failureOf(run(readSamples, [...runner.args, "--format=parquet", `--out=${notParquet}`]));
        expect(e2.message).to.contain(notParquet).and.to.contain("not a Parquet file");
        const badGzip = path.join(dir, "bad", "x.jsonl.gz");
        fs.writeFileSync(badGzip, "not gzip");
        const e3 = await failureOf(run(readSamples, [...runner.args, "--format=json", `--out=${badGzip}`]));
        expect(e3.message).to.contain(badGzip).and.to.contain("gzip");
      });
    });
  }

  it("reads only the projected Parquet columns", async () => {
    const out = path.join(dir, "proj", "samples");
    expect(await run(writeSamples, ["--runner=direct", "--format=parquet", `--out=${out}`])).to.equal("DONE");
    expect(await run(readSamples, ["--runner=direct", "--format=parquet", `--out=${out}-*.parquet`, "--columns=name,id"])).to.equal("DONE");
  });

  it("fails a CSV read without a dead-letter output at the first bad row, naming the file and line", async () => {
    const file = path.join(dir, "orders.csv");
    fs.writeFileSync(file, "id,name,score\n1,a,0.5\nx,b,1\n");
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(["--runner=direct"]));
    p.apply(mr.io.readCsv(file, { columns: { id: "integer", name: "string", score: "number" } }));
    const e = await failureOf(p.run().waitUntilFinish());
    expect(e.message).to.contain(`'${file}' line 3`).and.to.contain("'x' is not an integer");
  });

  it("refuses bad options when the transform is created", () => {
    expect(() => mr.io.writeCsv("out/x", {} as never)).to.throw(/columns option is required/);
    expect(() => mr.io.writeAvro("out/x", { schema: { type: "record" } })).to.throw(/invalid Avro schema/);
    expect(() => mr.io.writeAvro("out/x", { schema: { type: "string" }, compression: "gzip" })).to.throw(/no gzip codec/);
    expect(() => mr.io.writeParquet("out/x", { schema: { a: "INT8" as never } })).to.throw(/valid types are/);
    expect(() => mr.io.writeJson("out/x", { compression: "lz4" as never })).to.throw(/compression must be one of/);
    expect(() => mr.io.writeJson("out/x", { destination: "x" as never })).to.throw(/destination must be a function/);
    expect(() => mr.io.readCsv("in.csv", { delimiter: ";;" })).to.throw(/one character/);
  });
});
