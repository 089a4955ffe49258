/**
 * `io.matchFiles` (bounded and continuous), `io.readMatches` and
 * `io.readTextFiles`; and the continuous file source's exactly-once restart
 * on the stream runner (a task manager that dies, then a job cancelled and
 * started again on its checkpoint directory) and on the micro-batch runner
 * (a job cancelled and started again on its checkpoint directory): every
 * file's lines are published once.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../index";
import { finalizedSource, unboundedFinalizedSource, watchedLines } from "../fixtures/watch_files_pipelines";
import { publishedLines } from "../support/published_files";
import { waitFor } from "../support/wait_for";
import { withStreamFaults } from "../support/stream_faults";

function writeFile(file: string, lines: readonly string[]): void {
  // Written beside, then renamed in: a watched file is complete when it appears.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, lines.map((l) => `${l}\n`).join(""));
  fs.renameSync(tmp, file);
}

/** The lines of file `name`: enough of them, of varied lengths, that a small split size cuts lines. */
function linesOf(name: string, n = 40): string[] {
  return Array.from({ length: n }, (_, i) => `${name} line ${i} ${"é".repeat(i % 5)}`);
}

/** True once every expected line is published (duplicates are judged after the job ends). */
function allPublished(out: string, expected: readonly string[]): boolean {
  const got = new Set(publishedLines(out));
  return expected.every((l) => got.has(l));
}

describe("mr.io.matchFiles, readMatches, readTextFiles", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-watch-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("matchFiles (bounded) gives each file's metadata; readMatches + readTextFiles read their lines, split in small parts", async () => {
    const input = path.join(dir, "in");
    fs.mkdirSync(input);
    writeFile(path.join(input, "a.txt"), linesOf("a"));
    writeFile(path.join(input, "b.txt"), linesOf("b", 3));
    fs.writeFileSync(path.join(input, "skip.csv"), "x\n");
    const p = mr.Pipeline.create();
    const matched = p.apply(mr.io.matchFiles(path.join(input, "*.txt")));
    mr.testing
      .assertThat(matched.map((m) => `${path.basename(m.path)} ${m.sizeBytes}`))
      .containsInAnyOrder([`a.txt ${fs.statSync(path.join(input, "a.txt")).size}`, `b.txt ${fs.statSync(path.join(input, "b.txt")).size}`]);
    const lines = matched.apply(mr.io.readMatches()).apply(mr.io.readTextFiles({ desiredBundleSizeBytes: 50 }));
    mr.testing.assertThat(lines).containsInAnyOrder([...linesOf("a"), ...linesOf("b", 3)]);
    mr.testing.assertThat(p.apply("NoMatch", mr.io.matchFiles(path.join(input, "*.json")))).isEmpty();
    await p.run().waitUntilFinish();
  });

  it("matchFiles of a path that does not exist fails the run naming it", async () => {
    const missing = path.join(dir, "missing.txt");
    const p = mr.Pipeline.create();
    p.apply(mr.io.matchFiles(missing));
    let caught: unknown;
    try {
      await p.run().waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(mr.PipelineExecutionError);
    expect((caught as Error).message).to.contain(`matchFiles: no file matches '${missing}'`);
  });

  it("refuses bad options when called", () => {
    expect(() => mr.io.matchFiles("")).to.throw(/non-empty/);
    expect(() => mr.io.matchFiles("x/*", { continuously: { pollIntervalMs: 0 } })).to.throw(/pollIntervalMs must be a whole number/);
    expect(() => mr.io.matchFiles("x/*", { continuously: { pollIntervalMs: 10, stopAfterMs: -1 } })).to.throw(/stopAfterMs/);
    expect(() => mr.io.matchFiles("x/*", { every: 1 } as never)).to.throw(/unknown option 'every'/);
    expect(() => mr.io.readTextFiles({ desiredBundleSizeBytes: 0 })).to.throw(/desiredBundleSizeBytes/);
  });

  it("continuously (direct runner): each file once, including files that appear while it watches, until stopAfterMs", async () => {
    const input = path.join(dir, "in");
    fs.mkdirSync(input);
    writeFile(path.join(input, "first.txt"), linesOf("first"));
    const p = mr.Pipeline.create();
    const files = p.apply(mr.io.matchFiles(path.join(input, "*.txt"), { continuously: { pollIntervalMs: 10, stopAfterMs: 2500 } }));
    expect(files.isBounded).to.equal(false);
    const lines = files.apply(mr.io.readMatches()).apply(mr.io.readTextFiles());
    // A second file appears once the first one's lines went by (written from inside the pipeline: no sleep in the test).
    let added = false;
    lines.apply(
      mr.map((l: string) => {
        if (!added && l.startsWith("first")) {
          added = true;
          writeFile(path.join(input, "second.txt"), linesOf("second"));
        }
        return l;
      }),
    );
    mr.testing.assertThat(lines).containsInAnyOrder([...linesOf("first"), ...linesOf("second")]);
    await p.run().waitUntilFinish();
  });

  describe("bundle finalization of a splittable DoFn", () => {
    /** The `from` of each restriction part whose finalization ran (a part split further by the direct runner finalizes each piece). */
    const finalized = (): string[] => fs.readdirSync(dir).filter((n) => n.startsWith("finalized-"));
    for (const runner of ["direct", "stream", "microbatch"]) {
      it(`${runner}: callbacks run once the bundle's output is committed`, async () => {
        const result = finalizedSource.create([`--runner=${runner}`, `--dir=${dir}`]).run();
        expect(await result.waitUntilFinish()).to.equal("DONE");
        if (runner === "direct") {
          // The direct runner commits each bundle as it delivers its outputs: the callbacks ran before the job ended.
          for (const from of ["0", "5", "10", "15"]) expect(finalized(), `part from ${from}`).to.include(`finalized-${from}`);
        } else {
          await waitFor(() => ["0", "5", "10", "15"].every((f) => finalized().includes(`finalized-${f}`)), "the finalizations");
        }
      });
    }
    for (const runner of ["stream", "microbatch"]) {
      it(`${runner}, unbounded: the last batch's or checkpoint's callbacks run when the job ends`, async () => {
        const result = unboundedFinalizedSource.create([`--runner=${runner}`, `--dir=${dir}`]).run();
        expect(await result.waitUntilFinish()).to.equal("DONE");
        await waitFor(() => ["0", "5", "10", "15"].every((f) => finalized().includes(`finalized-${f}`)), "the finalizations");
      });
    }
  });

  describe("restarts: every file's lines exactly once", () => {
    it("stream runner: a task manager that dies, then the job cancelled and started again on its checkpoint directory", async () => {
      const input = path.join(dir, "in");
      fs.mkdirSync(input);
      const out = path.join(dir, "out", "lines");
      const checkpoints = path.join(dir, "checkpoints");
      const args = [
        "--runner=stream",
        "--parallelism=2",
        "--checkpointingIntervalMs=50",
        `--checkpointDir=${checkpoints}`,
        `--dir=${input}`,
        `--out=${out}`,
        "--pollMs=20",
      ];
      const first = ["f0", "f1", "f2", "f3"];
      for (const f of first) writeFile(path.join(input, `${f}.txt`), linesOf(f));
      const expectedFirst = first.flatMap((f) => linesOf(f));
      // The worker of the watch dies after a few polls (attempt 0 only): the job restarts from its last checkpoint.
      const result = await withStreamFaults([{ worker: 0, afterRecords: 6, kind: "exit", attempt: 0 }], async () => {
        const r = watchedLines.create(args).run();
        await waitFor(() => allPublished(out, expectedFirst), "the first files' lines");
        return r;
      });
      const second = ["g0", "g1"];
      for (const f of second) writeFile(path.join(input, `${f}.txt`), linesOf(f));
      const expectedSecond = [...expectedFirst, ...second.flatMap((f) => linesOf(f))];
      await waitFor(() => allPublished(out, expectedSecond), "the second files' lines");
      result.cancel();
      await result.waitUntilFinish().catch(() => undefined);
      expect(result.metrics().counters["stream/restarts"], "restarts").to.equal(1);

      // Started again on the same checkpoint directory: files seen before are not read again; a new one is.
      writeFile(path.join(input, "h0.txt"), linesOf("h0"));
      const expectedAll = [...expectedSecond, ...linesOf("h0")];
      const again = watchedLines.create(args).run();
      await waitFor(() => allPublished(out, expectedAll), "the new file's lines after the restart");
      again.cancel();
      await again.waitUntilFinish().catch(() => undefined);
      expect(publishedLines(out)).to.deep.equal([...expectedAll].sort());
    });

    it("micro-batch runner: the job cancelled and started again on its checkpoint directory", async () => {
      const input = path.join(dir, "in");
      fs.mkdirSync(input);
      const out = path.join(dir, "out", "lines");
      const checkpoints = path.join(dir, "checkpoints");
      const args = [
        "--runner=microbatch",
        "--batchIntervalMs=50",
        `--checkpointDir=${checkpoints}`,
        `--dir=${input}`,
        `--out=${out}`,
        "--pollMs=20",
      ];
      const first = ["f0", "f1", "f2"];
      for (const f of first) writeFile(path.join(input, `${f}.txt`), linesOf(f));
      const expectedFirst = first.flatMap((f) => linesOf(f));
      const run1 = watchedLines.create(args).run();
      await waitFor(() => allPublished(out, expectedFirst), "the first files' lines");
      writeFile(path.join(input, "g0.txt"), linesOf("g0"));
      const expectedSecond = [...expectedFirst, ...linesOf("g0")];
      await waitFor(() => allPublished(out, expectedSecond), "a file that appeared during the run");
      run1.cancel();
      await run1.waitUntilFinish().catch(() => undefined);

      writeFile(path.join(input, "h0.txt"), linesOf("h0"));
      const expectedAll = [...expectedSecond, ...linesOf("h0")];
      const run2 = watchedLines.create(args).run();
      await waitFor(() => allPublished(out, expectedAll), "the new file's lines after the restart");
      run2.cancel();
      await run2.waitUntilFinish().catch(() => undefined);
      expect(publishedLines(out)).to.deep.equal([...expectedAll].sort());
    });
  });
});
