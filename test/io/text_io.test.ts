/** mr.io.readText and mr.io.writeText on the direct runner. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../index";
import { expandBraces, matchFiles, segmentRegExp } from "../../sdk/io/glob";
import { readLines } from "../../sdk/io/read_text";
import { finalizeShards, shardName, writeLines } from "../../sdk/io/file_commit";
import { fromProto } from "../../portability/from_proto";
import { NATIVE_COMPOSITES_WITH_FILE_SINK, planExecution } from "../../runners/core/fusion";

async function expectRunFailure(p: mr.Pipeline, ...fragments: string[]): Promise<Error> {
  let caught: unknown;
  try {
    await p.run().waitUntilFinish();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected the run to fail").to.be.instanceOf(mr.PipelineExecutionError);
  for (const f of fragments) expect((caught as Error).message).to.contain(f);
  return caught as Error;
}

function write(file: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe("mr.io text files", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-io-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("readText", () => {
    it("reads a single file with CRLF line ends and a final newline", async () => {
      const file = path.join(dir, "crlf.txt");
      write(file, "first line\r\nsecond\r\n\r\nlast\r\n");
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(file))).containsInAnyOrder(["first line", "second", "", "last"]);
      await p.run().waitUntilFinish();
    });

    it("keeps a last line without a newline, and inner empty lines", async () => {
      const file = path.join(dir, "nofinal.txt");
      write(file, "a\n\nb");
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(file))).containsInAnyOrder(["a", "", "b"]);
      await p.run().waitUntilFinish();
    });

    it("reads every file a glob matches", async () => {
      write(path.join(dir, "a.txt"), "a1\na2\n");
      write(path.join(dir, "b.txt"), "b1\n");
      write(path.join(dir, "c.txt"), "c1\nc2\nc3");
      write(path.join(dir, "skip.csv"), "not me\n");
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(path.join(dir, "*.txt")))).containsInAnyOrder(["a1", "a2", "b1", "c1", "c2", "c3"]);
      await p.run().waitUntilFinish();
    });

    it("reads a ** glob over nested folders", async () => {
      write(path.join(dir, "top.log"), "top\n");
      write(path.join(dir, "x", "one.log"), "one\n");
      write(path.join(dir, "x", "y", "z", "deep.log"), "deep\n");
      write(path.join(dir, "x", "y", "other.txt"), "other\n");
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(path.join(dir, "**", "*.log")))).containsInAnyOrder(["top", "one", "deep"]);
      await p.run().waitUntilFinish();
    });

    it("gives no elements for an empty file", async () => {
      const file = path.join(dir, "empty.txt");
      write(file, "");
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(file))).isEmpty();
      await p.run().waitUntilFinish();
    });

    it("reads lines that cross chunk boundaries, multi-byte characters and a BOM", async () => {
      const file = path.join(dir, "big.txt");
      const expected: string[] = [];
      for (let i = 0; i < 20000; i++) expected.push(`line ${i} ${"é€😀".repeat(i % 7)}`);
      expected.push("x".repeat(200000));
      write(file, "\uFEFF" + expected.join("\r\n") + "\n");
      const got: string[] = [];
      readLines(file, (l) => got.push(l));
      expect(got).to.deep.equal(expected);
      const p = mr.Pipeline.create();
      mr.testing.assertThat(p.apply(mr.io.readText(file)).apply(mr.countGlobally())).equals(expected.length);
      await p.run().waitUntilFinish();
    });

    it("fails the run naming the path when a file does not exist", async () => {
      const missing = path.join(dir, "missing.txt");
      const p = mr.Pipeline.create();
      p.apply(mr.io.readText(missing));
      await expectRunFailure(p, `readText: no file matches '${missing}'`);
    });

    it("fails the run naming the pattern when a glob matches nothing", async () => {
      write(path.join(dir, "a.csv"), "x\n");
      const pattern = path.join(dir, "*.txt");
      const p = mr.Pipeline.create();
      p.apply(mr.io.readText(pattern));
      await expectRunFailure(p, `readText: no file matches '${pattern}'`);
    });

    it("fails clearly on a directory", async () => {
      const p = mr.Pipeline.create();
      p.apply(mr.io.readText(dir));
      await expectRunFailure(p, `'${dir}' is a directory`);
    });

    it("names the file it cannot read", () => {
      const missing = path.join(dir, "gone.txt");
      expect(() => readLines(missing, () => undefined)).to.throw(`readText: cannot read '${missing}'`);
    });

    it("rejects an empty pattern at construction", () => {
      expect(() => mr.io.readText("")).to.throw(/readText expects a non-empty/);
    });

    it("replaces invalid UTF-8 with U+FFFD by default, and fails naming the file and line with onInvalidUtf8: 'fail'", async () => {
      const file = path.join(dir, "latin1.txt");
      write(file, Buffer.concat([Buffer.from("fine\nalso fine\ncaf"), Buffer.from([0xe9]), Buffer.from("\n")]));
      const replaced: string[] = [];
      readLines(file, (l) => replaced.push(l));
      expect(replaced).to.deep.equal(["fine", "also fine", "caf\ufffd"]);
      const strict: string[] = [];
      readLines(file, (l) => strict.push(l), { onInvalidUtf8: "replace" });
      expect(strict).to.deep.equal(replaced);

      const p = mr.Pipeline.create();
      p.apply(mr.io.readText(file, { onInvalidUtf8: "fail" }));
      await expectRunFailure(p, `'${file}' is not valid UTF-8 (in line 3)`, "ReadText/ReadLines");
      expect(() => mr.io.readText(file, { onInvalidUtf8: "ignore" as never })).to.throw(/onInvalidUtf8 must be "replace" or "fail"/);
    });

    it("a strict read still skips a BOM and decodes characters split across chunks", () => {
      const file = path.join(dir, "big.txt");
      const line = "é".repeat(40_000); // 80,000 bytes: crosses the 64 KiB chunk inside a character
      write(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${line}\nend`)]));
      const lines: string[] = [];
      readLines(file, (l) => lines.push(l), { onInvalidUtf8: "fail" });
      expect(lines).to.deep.equal([line, "end"]);
    });

    it("reports a directory the glob cannot list (EACCES) instead of 'no file matches'", async () => {
      write(path.join(dir, "open", "a.txt"), "a\n");
      fs.mkdirSync(path.join(dir, "locked"));
      // Tests may run as root, which no permission stops: the refusal is simulated where the glob lists directories.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose functions can be replaced
      const nodeFs = require("node:fs") as { readdirSync: unknown };
      const readdirSync = fs.readdirSync;
      const locked = path.join(dir, "locked");
      nodeFs.readdirSync = (p: fs.PathLike, o?: unknown): unknown => {
        if (String(p) === locked) throw Object.assign(new Error(`EACCES: permission denied, scandir '${locked}'`), { code: "EACCES" });
        return (readdirSync as (p: fs.PathLike, o?: unknown) => unknown)(p, o);
      };
      try {
        const p = mr.Pipeline.create();
        p.apply(mr.io.readText(path.join(dir, "*", "*.txt")));
        const err = await expectRunFailure(p, `'${locked}' (EACCES) cannot be read`);
        expect(err.message).to.not.contain("no file matches");
      } finally {
        nodeFs.readdirSync = readdirSync;
      }
    });
  });

  describe("writeText on pseudo file systems", () => {
    it("refuses a prefix under /proc or /sys when created, instead of hanging in mkdir (Linux)", () => {
      expect(() => mr.io.writeText("/proc/self/out/part")).to.throw(
        /writeText: '\/proc\/self\/out\/part' is on the proc pseudo file system/,
      );
      expect(() => mr.io.writeText("/sys/kernel/millrace/part")).to.throw(/on the sysfs pseudo file system/);
      expect(() => mr.io.writeText(path.join(dir, "real", "part"))).to.not.throw();
    });
  });

  describe("glob matching", () => {
    it("supports *, ?, [...], [!...], {a,b}, ** and escapes", () => {
      for (const f of ["a1.txt", "a2.txt", "b1.txt", "ab.txt", "c.md", ".hidden.txt", "sub/a3.txt", "sub/deeper/a4.txt", "st*r.txt"]) {
        write(path.join(dir, f), "");
      }
      const rel = (files: string[]) => files.map((f) => path.relative(dir, f));
      const m = (pattern: string) => rel(matchFiles(path.join(dir, pattern)));
      expect(m("a?.txt")).to.deep.equal(["a1.txt", "a2.txt", "ab.txt"]);
      expect(m("[ab]1.txt")).to.deep.equal(["a1.txt", "b1.txt"]);
      expect(m("[!a]*.txt")).to.deep.equal(["b1.txt", "st*r.txt"]);
      expect(m("[a-b][0-9].txt")).to.deep.equal(["a1.txt", "a2.txt", "b1.txt"]);
      expect(m("{a1,c}.{txt,md}")).to.deep.equal(["a1.txt", "c.md"]);
      expect(m("**/a*.txt")).to.deep.equal(["a1.txt", "a2.txt", "ab.txt", "sub/a3.txt", "sub/deeper/a4.txt"]);
      expect(m("sub/**")).to.deep.equal(["sub/a3.txt", "sub/deeper/a4.txt"]);
      expect(m("*")).to.not.include(".hidden.txt");
      expect(m(".h*")).to.deep.equal([".hidden.txt"]);
      expect(m("st\\*r.txt")).to.deep.equal(["st*r.txt"]);
      expect(m("*/")).to.deep.equal([]);
      expect(m("nope/*.txt")).to.deep.equal([]);
      expect(expandBraces("x{a,{b,c}}y")).to.deep.equal(["xay", "xby", "xcy"]);
      expect(segmentRegExp("a.b").test("axb")).to.equal(false);
    });
  });

  describe("writeText", () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);

    it("writes exactly numShards files with the suffix, each line once, and returns their names", async () => {
      const prefix = path.join(dir, "out", "part");
      const expectedFiles = [0, 1, 2].map((i) => `${prefix}-0000${i}-of-00003.txt`);
      const p = mr.Pipeline.create();
      const files = p.apply(mr.create(lines)).apply(mr.io.writeText(prefix, { numShards: 3, suffix: ".txt" }));
      mr.testing.assertThat(files).containsInAnyOrder(expectedFiles);
      await p.run().waitUntilFinish();

      expect(fs.readdirSync(path.join(dir, "out")).sort()).to.deep.equal(expectedFiles.map((f) => path.basename(f)));
      const written: string[] = [];
      for (const f of expectedFiles) {
        const text = fs.readFileSync(f, "utf8");
        if (text.length > 0) {
          expect(text.endsWith("\n"), `${f} ends with a newline`).to.equal(true);
          written.push(...text.slice(0, -1).split("\n"));
        }
      }
      expect(written.sort()).to.deep.equal([...lines].sort());
    });

    it("writes unbounded input bundle by bundle on the direct runner: complete files, each line once", async () => {
      const prefix = path.join(dir, "stream", "part");
      const p = mr.Pipeline.create(["--bundleSize=7"]);
      let stream = mr.testing.testStream<string>();
      for (let i = 0; i < 5; i++) stream = stream.addElements(...lines.slice(i * 10, i * 10 + 10)).advanceWatermarkTo((i + 1) * 1000);
      const files = p.apply(stream.advanceWatermarkToInfinity()).apply(mr.io.writeText(prefix, { suffix: ".txt" }));
      mr.testing.assertThat(files).satisfies((names) => {
        expect(names.length).to.be.greaterThan(1);
        for (const f of names) expect(path.basename(f)).to.match(/^part-bundle-[0-9a-f]{12}\.txt$/);
      });
      await p.run().waitUntilFinish();
      const names = fs.readdirSync(path.join(dir, "stream"));
      expect(
        names.filter((n) => n.startsWith(".")),
        "no temporary file is left",
      ).to.deep.equal([]);
      const written = names.flatMap((n) =>
        fs
          .readFileSync(path.join(dir, "stream", n), "utf8")
          .slice(0, -1)
          .split("\n"),
      );
      expect(written.sort()).to.deep.equal([...lines].sort());
    });

    it("carries its sink in Beam's WriteFilesPayload, and plans as one step for runners with a native file sink", () => {
      const prefix = path.join(dir, "native", "part");
      const p = mr.Pipeline.create();
      p.apply(mr.create(["a"])).apply("Write", mr.io.writeText(prefix, { numShards: 2, suffix: ".csv" }));
      const bytes = mr.portability.toProto(p);
      const model = fromProto(bytes, { nativeComposites: NATIVE_COMPOSITES_WITH_FILE_SINK });
      expect(model.textSinkPayload("Write")).to.deep.equal({ prefix, numShards: 2, suffix: ".csv" });
      const steps = planExecution(model).stages.flatMap((s) => s.steps);
      expect(steps.filter((s) => s.kind === "writeText").map((s) => (s as { transformId: string }).transformId)).to.deep.equal(["Write"]);
      expect(
        steps.some((s) => s.kind === "pardo" && s.transformId.startsWith("Write/")),
        "the expansion is not planned",
      ).to.equal(false);
    });

    it("is deterministic: the same input gives the same files", async () => {
      const contents = async (sub: string): Promise<string[]> => {
        const prefix = path.join(dir, sub, "part");
        const p = mr.Pipeline.create();
        p.apply(mr.create(lines)).apply(mr.io.writeText(prefix, { numShards: 4 }));
        await p.run().waitUntilFinish();
        return [0, 1, 2, 3].map((i) => fs.readFileSync(`${prefix}-0000${i}-of-00004`, "utf8").split("\n").sort().join("\n"));
      };
      expect(await contents("one")).to.deep.equal(await contents("two"));
    });

    it("writes one file by default, and empty shards for an empty input", async () => {
      const p = mr.Pipeline.create();
      const single = p.apply("Lines", mr.create(["x", "y"])).apply("One", mr.io.writeText(path.join(dir, "single")));
      mr.testing.assertThat(single).containsInAnyOrder([path.join(dir, "single-00000-of-00001")]);
      p.apply("Nothing", mr.create<string>([])).apply("Empty", mr.io.writeText(path.join(dir, "empty"), { numShards: 2 }));
      await p.run().waitUntilFinish();
      expect(fs.readFileSync(path.join(dir, "single-00000-of-00001"), "utf8").split("\n").sort()).to.deep.equal(["", "x", "y"]);
      expect(fs.readFileSync(path.join(dir, "empty-00000-of-00002"), "utf8")).to.equal("");
      expect(fs.readFileSync(path.join(dir, "empty-00001-of-00002"), "utf8")).to.equal("");
      expect(fs.readdirSync(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
    });

    it("round-trips through readText", async () => {
      const prefix = path.join(dir, "rt", "words");
      const input = ["alpha", "beta", "", "gamma delta", "ünïcödé ✓", "beta"];
      const p1 = mr.Pipeline.create();
      p1.apply(mr.create(input)).apply(mr.io.writeText(prefix, { numShards: 2, suffix: ".txt" }));
      await p1.run().waitUntilFinish();

      const p2 = mr.Pipeline.create();
      mr.testing.assertThat(p2.apply(mr.io.readText(`${prefix}-*-of-00002.txt`))).containsInAnyOrder(input);
      await p2.run().waitUntilFinish();
    });

    it("leaves no final file when the job fails before finalize", async () => {
      const prefix = path.join(dir, "failed", "part");
      const p = mr.Pipeline.create();
      p.apply(mr.create(lines))
        .map((l) => {
          if (l === "line 7") throw new Error("boom on line 7");
          return l;
        })
        .apply(mr.io.writeText(prefix, { numShards: 3 }));
      await expectRunFailure(p, "boom on line 7");
      const outDir = path.dirname(prefix);
      const left = fs.existsSync(outDir) ? fs.readdirSync(outDir) : [];
      expect(left.filter((f) => f.startsWith("part-"))).to.deep.equal([]);
      expect(matchFiles(`${prefix}-*`)).to.deep.equal([]);
    });

    it("finalize: only renames make final files; it fills missing shards, drops duplicates and can be re-run", () => {
      const prefix = path.join(dir, "fin", "part");
      const tempDir = path.join(dir, "fin", ".millrace-temp-part-test");
      fs.mkdirSync(tempDir, { recursive: true });
      const t0 = path.join(tempDir, "shard-00000-of-00003.aaa");
      const t0dup = path.join(tempDir, "shard-00000-of-00003.bbb");
      const t2 = path.join(tempDir, "shard-00002-of-00003.ccc");
      writeLines(t0, ["zero"]);
      writeLines(t0dup, ["zero"]);
      writeLines(t2, ["two", "deux"]);
      // Written shards alone (a job that stopped before finalize) look like no output.
      expect(matchFiles(`${prefix}-*`)).to.deep.equal([]);
      // A crashed earlier run's temporary directory, and a file of another prefix that only looks alike.
      const orphan = path.join(dir, "fin", ".millrace-temp-part-0123456789ab");
      fs.mkdirSync(orphan);
      writeLines(path.join(orphan, "shard-00000-of-00003.x"), []);
      writeLines(path.join(dir, "fin", "partial-00000-of-00001.txt"), ["other"]);
      const written = [
        { shard: 2, tempPath: t2 },
        { shard: 0, tempPath: t0dup },
        { shard: 0, tempPath: t0 },
      ];
      const finals = finalizeShards(written, tempDir, prefix, 3, ".txt");
      expect(finals).to.deep.equal([0, 1, 2].map((i) => shardName(prefix, i, 3, ".txt")));
      expect(fs.readFileSync(finals[0]!, "utf8")).to.equal("zero\n");
      expect(fs.readFileSync(finals[1]!, "utf8")).to.equal("");
      expect(fs.readFileSync(finals[2]!, "utf8")).to.equal("two\ndeux\n");
      expect(fs.existsSync(tempDir)).to.equal(false);
      expect(fs.existsSync(orphan), "an unfinished earlier write's temporary directory is removed").to.equal(false);
      expect(fs.readFileSync(path.join(dir, "fin", "partial-00000-of-00001.txt"), "utf8"), "another prefix's file is kept").to.equal(
        "other\n",
      );
      fs.rmSync(path.join(dir, "fin", "partial-00000-of-00001.txt"));
      // A retried finalize after the renames succeeded does not fail or change anything.
      expect(finalizeShards(written, tempDir, prefix, 3, ".txt")).to.deep.equal(finals);
      expect(finals.map((f) => fs.readFileSync(f, "utf8"))).to.deep.equal(["zero\n", "", "two\ndeux\n"]);
      expect(fs.readdirSync(path.join(dir, "fin")).sort()).to.deep.equal(finals.map((f) => path.basename(f)));
    });

    it("rejects elements that are not strings with a clear error", async () => {
      const p = mr.Pipeline.create();
      (p.apply(mr.create([1, 2])) as unknown as mr.PCollection<string>).apply(mr.io.writeText(path.join(dir, "nums")));
      await expectRunFailure(p, "writeText expects string elements");
      expect(matchFiles(path.join(dir, "nums-*"))).to.deep.equal([]);
    });

    it("validates its options at construction", () => {
      expect(() => mr.io.writeText(path.join(dir, "p"), { numShards: 0 })).to.throw(/numShards must be a whole number >= 1, got 0/);
      expect(() => mr.io.writeText(path.join(dir, "p"), { numShards: 1.5 })).to.throw(/numShards must be a whole number >= 1/);
      expect(() => mr.io.writeText(path.join(dir, "p"), { numShards: -2 })).to.throw(/numShards/);
      expect(() => mr.io.writeText("")).to.throw(/prefix must be a non-empty/);
      expect(() => mr.io.writeText(dir + "/")).to.throw(/names a directory/);
      expect(() => mr.io.writeText(path.join(dir, "p"), { suffix: "a/b" })).to.throw(/suffix/);
      expect(() => mr.io.writeText(path.join(dir, "p"), { shards: 2 } as never)).to.throw(/unknown option 'shards'/);
    });

    it("carries the write_files URN in the portable proto", () => {
      const p = mr.Pipeline.create();
      p.apply(mr.create(["a"])).apply(mr.io.writeText(path.join(dir, "p")));
      const text = Buffer.from(mr.portability.toProto(p)).toString("latin1");
      expect(text).to.contain("beam:transform:write_files:v1");
    });
  });
});
