/**
 * Exactly-once restart of an unbounded job on the micro-batch runner: a
 * child process is killed with SIGKILL while a batch is half done (some of
 * its tasks have committed state and written files, one is blocked), then
 * started again on the same checkpoint directory. Its output and state must
 * equal an uninterrupted run's: nothing lost, nothing duplicated.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { outputLines } from "../../fixtures/microbatch_streaming_pipelines";
import { waitFor } from "../../support/wait_for";

const CHILD = path.join(__dirname, "../../fixtures/microbatch_restart_child.js");
const STOP_AT = 400;

function startChild(args: readonly string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Output lines by number, failing on a number written twice. */
function byNumber(lines: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const x = Number(line.split(" ")[0]);
    expect(out.has(x), `number ${x} written twice: '${out.get(x)}' and '${line}'`).to.equal(false);
    out.set(x, line);
  }
  return out;
}

/** The numbers 0..n-1 must all be there, with the running count state gave each. */
function expectUninterruptedPrefix(lines: Map<number, string>, n: number): void {
  for (let x = 0; x < n; x++) expect(lines.get(x), `line of ${x}`).to.equal(`${x} ${x % 5} ${Math.floor(x / 5) + 1}`);
  const highest = Math.max(...lines.keys());
  for (let x = 0; x <= highest; x++) expect(lines.has(x), `a gap at ${x}`).to.equal(true);
}

/** The batch id in an output file's name (`counts-batch-<id>-<partition>.txt`, staged or not). */
function batchOf(name: string): number {
  return Number(/-batch-(\d+)-/.exec(name)![1]);
}

/** Every line readers see is of a committed batch, and together they leave no gap: no batch is half-written. */
function expectOnlyCommittedBatches(out: string, checkpoint: string): Map<number, string> {
  const committed = Math.max(
    -1,
    ...fs
      .readdirSync(path.join(checkpoint, "commits"))
      .filter((n) => /^\d+$/.test(n))
      .map(Number),
  );
  const published = fs.readdirSync(out).filter((n) => n.startsWith("counts-"));
  for (const name of published) expect(batchOf(name), `${name} is published, the last commit is ${committed}`).to.be.at.most(committed);
  const lines = byNumber(outputLines(out));
  const highest = Math.max(-1, ...lines.keys());
  for (let x = 0; x <= highest; x++) expect(lines.has(x), `a gap at ${x} (numbers up to ${highest} are published)`).to.equal(true);
  return lines;
}

describe("micro-batch runner: restart after SIGKILL", function () {
  this.timeout(120_000);
  let work: string;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-restart-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const args = (name: string, extra: string[] = []): string[] => [
    "--runner=microbatch",
    "--executors=2",
    "--partitions=3",
    "--batchIntervalMs=100",
    "--stateSnapshotEvery=3",
    `--checkpointDir=${path.join(work, name, "checkpoint")}`,
    `--out=${path.join(work, name, "out")}`,
    ...(extra.some((a) => a.startsWith("--stopAt=")) ? [] : [`--stopAt=${STOP_AT}`]),
    ...extra,
  ];

  it("a job killed in the middle of a batch and restarted on its checkpoint dir writes what an uninterrupted run writes, once", async () => {
    // The uninterrupted run.
    const clean = startChild(args("clean"));
    const cleanExit = await clean.done;
    expect(cleanExit.code, cleanExit.stderr).to.equal(0);
    const cleanLines = byNumber(outputLines(path.join(work, "clean", "out")));
    expectUninterruptedPrefix(cleanLines, STOP_AT);

    // The killed run: the task formatting 150 blocks; the others of its batch go on and commit.
    const marker = path.join(work, "stalled");
    const killed = startChild(args("restart", ["--stallAt=150", `--stallMarker=${marker}`]));
    await waitFor(() => fs.existsSync(marker), "the stall in the middle of a batch");
    const checkpoint = path.join(work, "restart", "checkpoint");
    const logged = Math.max(...fs.readdirSync(path.join(checkpoint, "offsets")).map(Number));
    const committed = Math.max(
      -1,
      ...fs
        .readdirSync(path.join(checkpoint, "commits"))
        .filter((n) => /^\d+$/.test(n))
        .map(Number),
    );
    expect(committed, "the batch in progress is logged, not committed").to.equal(logged - 1);
    killed.child.kill("SIGKILL");
    const killedExit = await killed.done;
    expect(killedExit.code).to.equal(null);
    const offsetsBefore = fs.readFileSync(path.join(checkpoint, "offsets", String(logged)), "utf8");
    const before = byNumber(outputLines(path.join(work, "restart", "out")));
    expect(before.has(150), "the stalled line was never written").to.equal(false);

    // The restart replays batch `logged` with the same offsets, then goes on.
    const restarted = startChild(args("restart"));
    const restartedExit = await restarted.done;
    expect(restartedExit.code, restartedExit.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(checkpoint, "offsets", String(logged)), "utf8"), "the replayed batch's offsets").to.equal(
      offsetsBefore,
    );
    expect(fs.existsSync(path.join(checkpoint, "commits", String(logged))), "the replayed batch is committed").to.equal(true);
    const after = byNumber(outputLines(path.join(work, "restart", "out")));
    expectUninterruptedPrefix(after, STOP_AT);
    for (let x = 0; x < STOP_AT; x++) expect(after.get(x)).to.equal(cleanLines.get(x));
    // The state went on from the committed version: the next number of each key counts on.
    const summary = JSON.parse(restartedExit.stdout) as { state: string; metrics: { counters: Record<string, number> } };
    expect(summary.state).to.equal("CANCELLED");
    expect(summary.metrics.counters["microbatch.batches"]).to.be.greaterThan(0);
  });

  it("readers never see a batch that is not committed: not after a SIGKILL mid-batch, nor after a restart cancelled at once", async () => {
    const out = path.join(work, "cancelled", "out");
    const checkpoint = path.join(work, "cancelled", "checkpoint");
    const marker = path.join(work, "stalled");
    const killed = startChild(args("cancelled", ["--stallAt=150", `--stallMarker=${marker}`]));
    await waitFor(() => fs.existsSync(marker), "the stall in the middle of a batch");
    const logged = Math.max(...fs.readdirSync(path.join(checkpoint, "offsets")).map(Number));
    // Another task of the stalled batch has written its file: the batch is half done.
    await waitFor(
      () => fs.existsSync(out) && fs.readdirSync(out).some((n) => n.includes("-batch-") && batchOf(n) === logged),
      `a file of batch ${logged}`,
    );
    killed.child.kill("SIGKILL");
    await killed.done;
    const beforeRestart = expectOnlyCommittedBatches(out, checkpoint);
    expect(beforeRestart.has(150), "the stalled line was never written").to.equal(false);

    // Restarted and cancelled at once (stopAt=0: the first look at the output cancels), before or while it replays the batch.
    const restarted = startChild(args("cancelled", ["--stopAt=0"]));
    const restartedExit = await restarted.done;
    expect(restartedExit.code, restartedExit.stderr).to.equal(0);
    expect((JSON.parse(restartedExit.stdout) as { state: string }).state).to.equal("CANCELLED");
    expectOnlyCommittedBatches(out, checkpoint);
    expect(
      fs.readdirSync(out).filter((n) => n.startsWith(".")),
      "nothing staged is left: the pending batch was replayed or rolled back",
    ).to.deep.equal([]);
  });

  it("a restart whose committed state was deleted fails, naming the missing partition, instead of starting it empty", async () => {
    const first = startChild(args("deleted", ["--stopAt=40"]));
    const firstExit = await first.done;
    expect(firstExit.code, firstExit.stderr).to.equal(0);
    const stateRoot = path.join(work, "deleted", "checkpoint", "state");
    const node = fs.readdirSync(stateRoot).find((n) => n !== "_sideInputs")!;
    const partitions = fs.readdirSync(path.join(stateRoot, node)).filter((p) => fs.readdirSync(path.join(stateRoot, node, p)).length > 0);
    expect(partitions, "the first run committed keyed state").to.have.length.above(0);
    fs.rmSync(path.join(stateRoot, node, partitions[0]!), { recursive: true });
    const outBefore = outputLines(path.join(work, "deleted", "out")).length;

    const restarted = startChild(args("deleted", ["--stopAt=80"]));
    const restartedExit = await restarted.done;

    expect(restartedExit.code).to.not.equal(0);
    expect(restartedExit.stderr).to.include(`state/${node}/${partitions[0]} (`);
    expect(restartedExit.stderr).to.include("no longer on disk");
    expect(outputLines(path.join(work, "deleted", "out")).length, "nothing written from empty state").to.equal(outBefore);
  });
});
