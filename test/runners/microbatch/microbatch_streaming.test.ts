/**
 * The micro-batch runner on unbounded input, in process: batches with
 * their offset and commit logs, per-batch metrics and progress, restart on
 * a checkpoint directory, and the checks on that directory and the flags.
 * (The conformance suite covers the semantics; microbatch_restart.test.ts
 * the crash.)
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import type { JobProgress } from "../../../runners/core/progress";
import { BATCH_METRICS } from "../../../runners/microbatch/unbounded/batch_metrics";
import { outputLines, runningCounts } from "../../fixtures/microbatch_streaming_pipelines";
import { unpacedNumbers } from "../../fixtures/unpaced_numbers_pipeline";
import { MAX_NUMBERS_PER_CALL } from "../../../sdk/transforms/sequence/generate_sequence_fn";
import { cases as sideInputCases } from "../../conformance/cases/side_inputs";

/** The conformance case of windowed side inputs from a TestStream (elements wait for their side window). */
const windowedSideInputs = sideInputCases.find((c) => c.definition.name.includes("read window by window"))!.definition;

/** Runs {@link runningCounts} until `stopAt` is in its output, then cancels it. */
async function runUntil(args: readonly string[], out: string, stopAt: number): Promise<mr.PipelineResult> {
  const result = runningCounts.create([...args, `--out=${out}`]).run();
  const poll = setInterval(() => {
    if (outputLines(out).some((l) => Number(l.split(" ")[0]) >= stopAt)) result.cancel();
  }, 20);
  try {
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
  } finally {
    clearInterval(poll);
  }
  return result;
}

function progressOf(result: mr.PipelineResult): JobProgress {
  return (result as unknown as { progress: JobProgress }).progress;
}

function numbers(out: string): number[] {
  return outputLines(out)
    .map((l) => Number(l.split(" ")[0]))
    .sort((a, b) => a - b);
}

describe("micro-batch runner: unbounded input", function () {
  this.timeout(60_000);
  let work: string;
  const base = ["--runner=microbatch", "--executors=2", "--partitions=3", "--batchIntervalMs=50"];

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-streaming-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it("runs batches with an offset log and a commit log; per-batch metrics in result.metrics() and each batch in the progress", async () => {
    const checkpoint = path.join(work, "checkpoint");
    const out = path.join(work, "out");
    const result = await runUntil([...base, `--checkpointDir=${checkpoint}`], out, 100);
    const commits = fs.readdirSync(path.join(checkpoint, "commits")).filter((n) => /^\d+$/.test(n));
    const m = result.metrics();
    expect(m.counters[BATCH_METRICS.batches]).to.equal(commits.length);
    expect(fs.readdirSync(path.join(checkpoint, "offsets")).filter((n) => /^\d+$/.test(n))).to.have.length(commits.length);
    // Every input row gave one line: rows counted per batch add up to what was written.
    expect(m.distributions[BATCH_METRICS.inputRows]!.sum).to.equal(outputLines(out).length);
    expect(m.distributions[BATCH_METRICS.processingMs]!.count).to.equal(commits.length);
    expect(m.distributions[BATCH_METRICS.schedulingDelayMs]!.min).to.be.at.least(0);
    // Five keys in the global window: five state rows.
    expect(m.gauges[BATCH_METRICS.stateRows]!.value).to.equal(5);
    expect(Number.isFinite(m.gauges[BATCH_METRICS.watermark]!.value)).to.equal(true);
    const progress = progressOf(result);
    expect(progress.batchesCompleted).to.equal(commits.length);
    expect(progress.recentBatches.map((b) => b.id)).to.deep.equal(
      commits
        .map(Number)
        .sort((a, b) => a - b)
        .slice(-progress.recentBatches.length),
    );
    expect(progress.recentBatches.reduce((s, b) => s + b.inputRows, 0)).to.equal(outputLines(out).length);
    expect(progress.detail).to.match(/\d+ batches, [\d,]+ input rows; processing \d+ ms avg/);
  });

  it("a new run on the same checkpoint dir resumes after the last committed batch: sources, state and batch ids go on", async () => {
    const checkpoint = path.join(work, "checkpoint");
    const out = path.join(work, "out");
    const first = await runUntil([...base, `--checkpointDir=${checkpoint}`], out, 60);
    const lastFirst = progressOf(first).recentBatches.at(-1)!.id;
    const second = await runUntil([...base, `--checkpointDir=${checkpoint}`], out, 160);
    expect(progressOf(second).recentBatches[0]!.id).to.equal(lastFirst + 1);
    const xs = numbers(out);
    expect(xs, "every number once, from 0, without gaps").to.deep.equal(xs.map((_, i) => i));
    for (const line of outputLines(out)) {
      const [x, key, count] = line.split(" ").map(Number) as [number, number, number];
      expect([key, count], `line '${line}'`).to.deep.equal([x % 5, Math.floor(x / 5) + 1]);
    }
  });

  it("reads a splittable source's restrictions that resume at once again in the same batch, up to --maxRecordsPerBatch", async () => {
    const result = unpacedNumbers.create([...base, "--maxRecordsPerBatch=1000"]).run();
    const poll = setInterval(() => {
      if (progressOf(result).batchesCompleted >= 3) result.cancel();
    }, 20);
    try {
      expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    } finally {
      clearInterval(poll);
    }
    // A sequence call reads at most MAX_NUMBERS_PER_CALL: one call per batch would read only that many.
    const rows = progressOf(result)
      .recentBatches.slice(0, 3)
      .map((b) => b.inputRows);
    for (const n of rows) expect(n).to.be.within(1000, 1000 + MAX_NUMBERS_PER_CALL - 1);
  });

  it("without --checkpointDir, uses a temporary checkpoint dir and removes it at the end", async () => {
    const leftovers = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("millrace-checkpoint-"));
    const before = new Set(leftovers());
    let during: string[] = [];
    const out = path.join(work, "out");
    const result = runningCounts.create([...base, `--out=${out}`]).run();
    const poll = setInterval(() => {
      if (outputLines(out).length > 0) {
        during = leftovers().filter((d) => !before.has(d));
        result.cancel();
      }
    }, 20);
    await result.waitUntilFinish().finally(() => clearInterval(poll));
    expect(during.length, "a temporary checkpoint dir while running").to.be.greaterThan(0);
    expect(leftovers().filter((d) => during.includes(d))).to.deep.equal([]);
  });

  it("refuses a checkpoint dir written with other partitions, or by another pipeline", async () => {
    const checkpoint = path.join(work, "checkpoint");
    await runUntil([...base, `--checkpointDir=${checkpoint}`], path.join(work, "out"), 10);
    const failureOf = async (result: mr.PipelineResult): Promise<string> => {
      try {
        await result.waitUntilFinish();
        return "(no failure)";
      } catch (e) {
        return (e as Error).message;
      }
    };
    const other = runningCounts.create(["--runner=microbatch", "--partitions=2", `--checkpointDir=${checkpoint}`, `--out=${work}`]).run();
    expect(await failureOf(other)).to.match(/written with --partitions=3: restart with the same number/);

    const p = mr.Pipeline.create([...base, `--checkpointDir=${checkpoint}`]);
    p.apply(mr.generateSequence({ from: 0 })).apply(
      "Other",
      mr.map((x: number) => x),
    );
    expect(await failureOf(p.run())).to.match(/belongs to another pipeline .*use a new directory/);
  });

  it("side inputs on unbounded input: elements wait across batches until their side window is complete", async () => {
    for (const args of [base, [...base, `--checkpointDir=${path.join(work, "side")}`]]) {
      const result = windowedSideInputs.create(args).run();
      expect(await result.waitUntilFinish(), args.join(" ")).to.equal("DONE");
      expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER], args.join(" ")).to.equal(1);
    }
    // The side input's contents are kept in the checkpoint dir, for a restart.
    expect(fs.readdirSync(path.join(work, "side", "state", "_sideInputs")).length).to.be.greaterThan(0);
  });

  it("validates --batchIntervalMs and the other micro-batch flags", () => {
    expect(() => mr.PipelineOptions.fromArgs(["--runner=microbatch", "--batchIntervalMs=0"])).to.throw(
      /--batchIntervalMs must be at least 1/,
    );
    expect(() => mr.PipelineOptions.fromArgs(["--runner=microbatch", "--batchIntervalMs=fast"])).to.throw(
      /--batchIntervalMs takes a whole number/,
    );
    expect(() => mr.PipelineOptions.fromArgs(["--runner=microbatch", "--stateSnapshotEvery=0"])).to.throw(/at least 1/);
    expect(mr.PipelineOptions.fromArgs(["--runner=microbatch", "--batchIntervalMs=200"]).get("batchIntervalMs")).to.equal(200);
  });
});
