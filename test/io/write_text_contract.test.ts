/**
 * writeText's one contract on every runner: the same file names, exactly
 * `numShards` files for bounded input, the file names as the result, a
 * re-run that replaces the earlier set, windowed writes (one set of files
 * per window and pane), nothing unpublished left after a failure, and write
 * failures that name the transform.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../index";
import { shardName, stableHash } from "../../sdk/io/file_commit";
import {
  expectedShardFiles,
  failingStream,
  globalStream,
  numberedLines,
  shardedLines,
  windowedLines,
  windowedStream,
} from "../fixtures/write_text_pipelines";

const RUNNERS: readonly { name: string; args: readonly string[] }[] = [
  { name: "direct", args: ["--runner=direct"] },
  { name: "stream", args: ["--runner=stream", "--parallelism=2", "--restartAttempts=0"] },
  { name: "microbatch", args: ["--runner=microbatch", "--executors=2", "--partitions=3", "--maxTaskAttempts=1"] },
];

/** Every entry of `dir` (hidden ones included), sorted. */
function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The lines of the given files, sorted. */
function linesOf(files: readonly string[]): string[] {
  return files
    .flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.length > 0),
    )
    .sort();
}

async function failureOf(run: Promise<unknown>): Promise<mr.PipelineExecutionError> {
  try {
    await run;
  } catch (e) {
    expect(e).to.be.instanceOf(mr.PipelineExecutionError);
    return e as mr.PipelineExecutionError;
  }
  throw new Error("expected the run to fail");
}

/** Beam's windowed file name for fixed one-second window `w`, its only pane. */
function windowFile(prefix: string, w: number, shard: number, numShards: number): string {
  const iso = (t: number): string => new Date(t).toISOString();
  return shardName(`${prefix}-${iso(w * 1000)}-${iso((w + 1) * 1000)}-pane-0-last`, shard, numShards, ".txt");
}

/** The files, and their lines, that a windowed write of {@link numberedLines} (line i at i * 100 ms) must produce. */
function expectedWindowFiles(prefix: string, n: number, numShards: number): Map<string, string[]> {
  const files = new Map<string, string[]>();
  numberedLines(n).forEach((line, i) => {
    const file = windowFile(prefix, Math.floor(i / 10), stableHash(line) % numShards, numShards);
    files.set(file, [...(files.get(file) ?? []), line].sort());
  });
  return files;
}

describe("writeText: one contract on every runner", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-write-contract-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const runner of RUNNERS) {
    describe(`on ${runner.name}`, () => {
      it("writes exactly numShards files named -SSSSS-of-NNNNN, returns their names, and a re-run with another numShards replaces them", async () => {
        const out = path.join(dir, "out", "counts");
        const run = (numShards: number): Promise<mr.PipelineState> =>
          shardedLines
            .create([...runner.args, `--out=${out}`, `--numShards=${numShards}`])
            .run()
            .waitUntilFinish();

        expect(await run(3)).to.equal("DONE");
        const three = expectedShardFiles(out, 3, ".txt");
        expect(entries(path.dirname(out))).to.deep.equal(three.map((f) => path.basename(f)));
        expect(linesOf(three)).to.deep.equal(numberedLines(40).sort());

        expect(await run(2)).to.equal("DONE");
        const two = expectedShardFiles(out, 2, ".txt");
        expect(entries(path.dirname(out)), "only the new set: a counts-* glob does not mix runs").to.deep.equal(
          two.map((f) => path.basename(f)),
        );
        expect(linesOf(two)).to.deep.equal(numberedLines(40).sort());
      });

      it("writes a windowed collection as one set of shard files per window and pane, named as Beam's windowed writes", async () => {
        const out = path.join(dir, "windowed", "lines");
        expect(
          await windowedLines
            .create([...runner.args, `--out=${out}`, "--numShards=2", "--lines=30"])
            .run()
            .waitUntilFinish(),
        ).to.equal("DONE");
        const expected = expectedWindowFiles(out, 30, 2);
        expect(entries(path.dirname(out))).to.deep.equal([...expected.keys()].map((f) => path.basename(f)).sort());
        for (const [file, lines] of expected) expect(linesOf([file]), file).to.deep.equal(lines);
      });

      it("writes an unbounded windowed collection the same way, window by window", async () => {
        const out = path.join(dir, "stream", "lines");
        expect(
          await windowedStream
            .create([...runner.args, `--out=${out}`, "--numShards=2", "--lines=30"])
            .run()
            .waitUntilFinish(),
        ).to.equal("DONE");
        const expected = expectedWindowFiles(out, 30, 2);
        expect(entries(path.dirname(out))).to.deep.equal([...expected.keys()].map((f) => path.basename(f)).sort());
        for (const [file, lines] of expected) expect(linesOf([file]), file).to.deep.equal(lines);
      });

      it("writes unbounded input in the global window as files per unit of commit (bundle, checkpoint or batch), each line once, and returns exactly their names", async () => {
        const out = path.join(dir, "global", "lines");
        // The write's result is itself written: it must list each published file once.
        const namesOut = path.join(dir, "global-names", "names");
        expect(
          await globalStream
            .create([...runner.args, `--out=${out}`, `--names=${namesOut}`, "--lines=30"])
            .run()
            .waitUntilFinish(),
        ).to.equal("DONE");
        const names = entries(path.dirname(out));
        expect(names.length).to.be.greaterThan(0);
        for (const name of names) expect(name).to.match(/^lines-(bundle-[0-9a-f]{12}|checkpoint-\d{10}-\d{5}|batch-\d{10}-\d{5})\.txt$/);
        const published = names.map((n) => path.join(path.dirname(out), n));
        expect(linesOf(published)).to.deep.equal(numberedLines(30).sort());
        const listedFiles = entries(path.dirname(namesOut)).map((n) => path.join(path.dirname(namesOut), n));
        expect(listedFiles.length, "the names were written").to.be.greaterThan(0);
        expect(linesOf(listedFiles), "the result names each published file once").to.deep.equal(
          published.map((f) => path.resolve(f)).sort(),
        );
      });

      it("a write that fails names Write/WriteShards, and a failure at publishing leaves nothing unpublished behind", async () => {
        // The output directory's parent is a file: the shards cannot be written.
        const blocker = path.join(dir, "not-a-dir");
        fs.writeFileSync(blocker, "");
        const cannotWrite = await failureOf(
          shardedLines
            .create([...runner.args, `--out=${path.join(blocker, "counts")}`])
            .run()
            .waitUntilFinish(),
        );
        expect(cannotWrite.transform).to.equal("Write/WriteShards");
        expect(cannotWrite.message).to.contain("ENOTDIR");

        // Shard 0's final name is taken by a directory: every shard is written, then publishing fails.
        const out = path.join(dir, "taken", "counts");
        fs.mkdirSync(`${expectedShardFiles(out, 2, ".txt")[0]!}/occupied`, { recursive: true });
        const cannotPublish = await failureOf(
          shardedLines
            .create([...runner.args, `--out=${out}`, "--numShards=2"])
            .run()
            .waitUntilFinish(),
        );
        expect(cannotPublish.transform).to.equal("Write/Finalize");
        expect(entries(path.dirname(out)), "no temporary shard is left").to.deep.equal([
          path.basename(expectedShardFiles(out, 2, ".txt")[0]!),
        ]);
      });

      it("an unbounded job that fails leaves no unpublished file in the output directory", async () => {
        const out = path.join(dir, "failing", "numbers");
        const failure = await failureOf(
          failingStream
            .create([...runner.args, `--out=${out}`, "--failAt=3000"])
            .run()
            .waitUntilFinish(),
        );
        expect(failure.transform).to.equal("Format");
        expect(
          entries(path.dirname(out)).filter((n) => n.startsWith(".")),
          "hidden files with data",
        ).to.deep.equal([]);
      });
    });
  }
});
