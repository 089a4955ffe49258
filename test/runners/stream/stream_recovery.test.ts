/**
 * The stream runner's exactly-once guarantee under failures: a task manager
 * thread that dies mid-stream, user code that throws, and the whole process
 * killed with SIGKILL and started again from its checkpoint directory. In
 * every case the committed files equal those of an uninterrupted run: each
 * number once, and per-key totals (keyed state) that match.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import { alwaysFails, expectedRunningTotals, runningTotals } from "../../fixtures/stream_pipelines";
import { pendingFiles, publishedLines } from "../../support/published_files";
import { withStreamFaults } from "../../support/stream_faults";

function expectExactlyOnce(out: string, n: number): void {
  const expected = expectedRunningTotals(n);
  const numbers = publishedLines(`${out}-numbers`);
  expect(numbers.length, "numbers written").to.equal(n);
  expect(numbers).to.deep.equal(expected.numbers);
  expect(publishedLines(`${out}-totals`)).to.deep.equal(expected.totals);
  expect(pendingFiles(path.dirname(out)), "no unpublished file is left").to.deep.equal([]);
}

describe("stream runner: recovery, exactly once", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-stream-recovery-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const N = 6000;
  const args = (out: string, extra: string[] = []): string[] => [
    "--runner=stream",
    "--parallelism=2",
    `--numbers=${N}`,
    "--perMs=4",
    `--out=${out}`,
    "--checkpointingIntervalMs=100",
    ...extra,
  ];

  it("an uninterrupted run writes each number once and the totals of its keyed state", async () => {
    const out = path.join(dir, "out", "clean");
    const result = runningTotals.create(args(out)).run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    expectExactlyOnce(out, N);
    expect(result.metrics().counters["stream/restarts"]).to.equal(0);
    expect(result.metrics().counters["stream/checkpoints"]).to.be.greaterThan(1);
  });

  it("a task manager thread that dies mid-stream: the job restarts from the last checkpoint, nothing lost or duplicated", async () => {
    const out = path.join(dir, "out", "exit");
    const result = await withStreamFaults([{ worker: 1, afterRecords: N / 2, kind: "exit", attempt: 0 }], async () => {
      const r = runningTotals.create(args(out)).run();
      expect(await r.waitUntilFinish()).to.equal("DONE");
      return r;
    });
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    expectExactlyOnce(out, N);
  });

  it("a task that throws mid-stream is restarted the same way", async () => {
    const out = path.join(dir, "out", "throw");
    const result = await withStreamFaults([{ worker: 0, afterRecords: N / 3, kind: "throw", attempt: 0 }], async () => {
      const r = runningTotals.create(args(out)).run();
      expect(await r.waitUntilFinish()).to.equal("DONE");
      return r;
    });
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    expectExactlyOnce(out, N);
  });

  it("a task manager that dies after its sinks pre-committed, before the checkpoint completed: those files are not published twice", async () => {
    const out = path.join(dir, "out", "precommit");
    const result = await withStreamFaults([{ worker: 1, atCheckpoint: 3, kind: "exit", attempt: 0 }], async () => {
      const r = runningTotals.create(args(out)).run();
      expect(await r.waitUntilFinish()).to.equal("DONE");
      return r;
    });
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    expectExactlyOnce(out, N);
  });

  it("when the restart attempts run out, the job fails with the original error, naming the transform and element", async () => {
    let caught: unknown;
    try {
      await alwaysFails
        .create(["--runner=stream", "--parallelism=2", "--restartAttempts=1", "--restartDelayMs=10"])
        .run()
        .waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(mr.PipelineExecutionError);
    const err = caught as mr.PipelineExecutionError;
    expect(err.message).to.contain("no 42s here").and.to.contain("after 1 restart");
    expect(err.transform).to.equal("Explode");
    expect(err.element).to.contain("42");
  });

  it("user code that throws the same error on the same element again after a restart fails the job then, not after every restart allowed", async () => {
    const result = alwaysFails.create(["--runner=stream", "--parallelism=2", "--restartAttempts=5", "--restartDelayMs=10"]).run();
    let caught: unknown;
    await result.waitUntilFinish().catch((e) => (caught = e));
    expect(caught).to.be.instanceOf(mr.PipelineExecutionError);
    const err = caught as mr.PipelineExecutionError;
    expect(err.message)
      .to.contain("no 42s here")
      .and.to.contain("(after 1 restart; the same error on the same element twice in a row is not retried further)");
    expect(err.transform).to.equal("Explode");
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
  });

  it("--fromCheckpoint refuses a checkpoint of another parallelism or another pipeline, saying which", async () => {
    const checkpoints = path.join(dir, "checkpoints");
    const out = path.join(dir, "out", "first");
    expect(
      await runningTotals
        .create(args(out, [`--checkpointDir=${checkpoints}`, "--numbers=500"]))
        .run()
        .waitUntilFinish(),
    ).to.equal("DONE");
    const failure = async (p: mr.Pipeline): Promise<string> => {
      try {
        await p.run().waitUntilFinish();
      } catch (e) {
        return (e as Error).message;
      }
      return "(no failure)";
    };
    const other = [`--fromCheckpoint=${checkpoints}`, "--parallelism=3"];
    expect(await failure(runningTotals.create([...args(out), ...other]))).to.match(/taken at parallelism 2.*--parallelism=3/);
    expect(await failure(alwaysFails.create(["--runner=stream", "--parallelism=2", `--fromCheckpoint=${checkpoints}`]))).to.contain(
      "belongs to a different pipeline",
    );
    expect(await failure(runningTotals.create([...args(out), `--fromCheckpoint=${path.join(dir, "nothing-here")}`]))).to.contain(
      "does not exist",
    );
  });

  const newestCheckpoint = (checkpoints: string): number =>
    Math.max(
      0,
      ...fs
        .readdirSync(checkpoints)
        .filter((n) => fs.existsSync(path.join(checkpoints, n, "_metadata")))
        .map((n) => Number(n.slice(4))),
    );

  it("a rerun on a used --checkpointDir resumes from its newest checkpoint: nothing is published twice and checkpoint ids go on", async () => {
    const checkpoints = path.join(dir, "checkpoints");
    const out = path.join(dir, "out", "rerun");
    const run = [...args(out, [`--checkpointDir=${checkpoints}`]), "--numbers=500"];
    expect(await runningTotals.create(run).run().waitUntilFinish()).to.equal("DONE");
    expectExactlyOnce(out, 500);
    const firstNewest = newestCheckpoint(checkpoints);

    expect(await runningTotals.create(run).run().waitUntilFinish()).to.equal("DONE");

    expectExactlyOnce(out, 500);
    expect(newestCheckpoint(checkpoints), "the rerun's checkpoints are kept, not pruned for the old run's").to.be.greaterThan(firstNewest);
  });

  it("a damaged newest checkpoint: the rerun names it, falls back to the one before, and still publishes each number once", async () => {
    const checkpoints = path.join(dir, "checkpoints");
    const out = path.join(dir, "out", "damaged");
    const run = [...args(out, [`--checkpointDir=${checkpoints}`, "--retainedCheckpoints=5"]), "--numbers=2000"];
    expect(await runningTotals.create(run).run().waitUntilFinish()).to.equal("DONE");
    const newest = newestCheckpoint(checkpoints);
    const chk = path.join(checkpoints, `chk-${String(newest).padStart(6, "0")}`);
    const victim = path.join(
      chk,
      fs.readdirSync(chk).find((n) => n.endsWith(".state"))!,
    );
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x10;
    fs.writeFileSync(victim, bytes);

    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string): void => void warnings.push(m);
    try {
      expect(await runningTotals.create(run).run().waitUntilFinish()).to.equal("DONE");
    } finally {
      console.warn = warn;
    }

    expect(warnings.join("\n")).to.include(`checkpoint ${newest} cannot be restored`).and.to.include(`${victim} fails its checksum`);
    expectExactlyOnce(out, 2000);
  });

  it("a used --checkpointDir of another pipeline is refused; --discardCheckpoints starts over, deleting what the old run published", async () => {
    const checkpoints = path.join(dir, "checkpoints");
    const out = path.join(dir, "out", "discard");
    expect(
      await runningTotals
        .create([...args(out, [`--checkpointDir=${checkpoints}`]), "--numbers=300"])
        .run()
        .waitUntilFinish(),
    ).to.equal("DONE");
    let refusal = "";
    await alwaysFails
      .create(["--runner=stream", "--parallelism=2", `--checkpointDir=${checkpoints}`])
      .run()
      .waitUntilFinish()
      .catch((e: Error) => (refusal = e.message));
    expect(refusal).to.contain("belongs to a different pipeline").and.to.contain("--discardCheckpoints");

    // Started over on purpose with other numbers: only the new run's output remains, once.
    const fresh = runningTotals.create([...args(out, [`--checkpointDir=${checkpoints}`, "--discardCheckpoints"]), "--numbers=200"]).run();
    expect(await fresh.waitUntilFinish()).to.equal("DONE");
    expectExactlyOnce(out, 200);
  });

  /** Runs the job in a child process, SIGKILLs it once a few checkpoints completed, starts it again from its checkpoint directory and checks the files. */
  async function killAndRestart(name: string, extra: string[]): Promise<void> {
    const out = path.join(dir, "out", name);
    const checkpoints = path.join(dir, "checkpoints");
    const main = path.join(__dirname, "..", "..", "fixtures", "stream_job_main.js");
    const jobArgs = args(out, [`--checkpointDir=${checkpoints}`, "--perMs=2", ...extra]);
    const child: ChildProcess = spawn(process.execPath, [main, "runningTotals", ...jobArgs], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    // Kill it once a few checkpoints have completed, well before the end (a bounded write publishes its files at the end).
    const deadline = Date.now() + 120_000; // a guard against a hang, not a speed requirement
    for (;;) {
      const completed = fs.existsSync(checkpoints)
        ? fs.readdirSync(checkpoints).filter((n) => fs.existsSync(path.join(checkpoints, n, "_metadata")))
        : [];
      if (completed.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`no checkpoint in time; child stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    const publishedBefore = fs.existsSync(path.dirname(out)) ? publishedLines(`${out}-numbers`).length : 0;
    expect(publishedBefore, "the first run was killed mid-stream").to.be.lessThan(N);

    const result = runningTotals.create(jobArgs).run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    expectExactlyOnce(out, N);
  }

  it("the whole process killed with SIGKILL, started again on its --checkpointDir (no --fromCheckpoint needed): the files equal an uninterrupted run's", async () => {
    await killAndRestart("killed", []);
  });

  // Buffer debloating under backpressure (a keyed step slower than the source): small buffers change when barriers
  // pass, never what a checkpoint holds.
  const backpressured = ["--totalsMicros=1000", "--bufferDebloatTargetMs=20"];

  it("buffer debloating under backpressure: a task manager thread that dies mid-stream, nothing lost or duplicated", async () => {
    const out = path.join(dir, "out", "debloat-exit");
    const result = await withStreamFaults([{ worker: 1, afterRecords: N / 2, kind: "exit", attempt: 0 }], async () => {
      const r = runningTotals.create(args(out, backpressured)).run();
      expect(await r.waitUntilFinish()).to.equal("DONE");
      return r;
    });
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    expectExactlyOnce(out, N);
  });

  it("buffer debloating under backpressure: the whole process killed with SIGKILL and started again from its checkpoints, the files equal an uninterrupted run's", async () => {
    await killAndRestart("debloat-killed", backpressured);
  });
});
