/**
 * Exactly once into Kafka across SIGKILLs: a child process runs
 * Numbers → KV → io.kafka.write("exactly-once") on the stream runner
 * (checkpoints) or the micro-batch runner (batches), is killed with SIGKILL
 * at several points (after its first checkpoint or batch, then with part of
 * the output committed), and is started again on its checkpoint directory
 * each time. A read_committed reader then sees every number exactly once:
 * nothing a killed attempt wrote without committing is visible, nothing
 * committed is written again.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted } from "../../support/kafka_topic_reader";

const CHILD = path.join(__dirname, "..", "..", "fixtures", "kafka_job_main.js");

interface Child {
  readonly kill: () => void;
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  readonly running: () => boolean;
}

function startChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let running = true;
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => {
      running = false;
      resolve({ code, stdout, stderr });
    }),
  );
  return { kill: () => child.kill("SIGKILL"), exited, running: () => running };
}

/** Waits until `condition` holds while the child runs; fails with the child's output if it exits first. */
async function killWhen(child: Child, condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 150_000; // a guard against a hang, not a speed requirement
  while (!(await condition())) {
    if (!child.running()) {
      const { code, stderr } = await child.exited;
      throw new Error(`the job exited (code ${code}) before ${what}: ${stderr}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill();
  await child.exited;
}

/** The numbers a read_committed consumer sees, checked to appear once each; returns them sorted. */
async function committedNumbersOnce(bootstrap: string, topic: string): Promise<number[]> {
  const numbers = (await readCommitted(bootstrap, topic)).map((r) => Number(r.value)).sort((a, b) => a - b);
  const duplicates = numbers.filter((x, i) => i > 0 && numbers[i - 1] === x);
  expect(duplicates, "numbers seen twice by a read_committed consumer").to.deep.equal([]);
  return numbers;
}

function completedCheckpoints(dir: string): number {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "_metadata"))).length : 0;
}

function committedBatches(dir: string): number {
  const commits = path.join(dir, "commits");
  return fs.existsSync(commits) ? fs.readdirSync(commits).length : 0;
}

describe("io.kafka.write exactly once across SIGKILL (real broker)", function () {
  this.timeout(600_000);
  let bootstrap: string;
  let work = "";
  before(async () => (bootstrap = await kafkaBootstrap()));
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-kill-"))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it("stream: killed after its first checkpoint and twice mid-stream, restarted each time from --checkpointDir: every number once", async () => {
    const N = 12_000;
    const topic = uniqueTopic("eo-stream");
    await createTopics(bootstrap, [topic], 3);
    const checkpoints = path.join(work, "checkpoints");
    const args = [
      "--runner=stream",
      "--parallelism=2",
      "--checkpointingIntervalMs=150",
      `--checkpointDir=${checkpoints}`,
      `--bootstrap=${bootstrap}`,
      `--topic=${topic}`,
      `--numbers=${N}`,
      "--perMs=3",
    ];
    const count = async () => (await readCommitted(bootstrap, topic)).length;
    await killWhen(startChild(args), async () => completedCheckpoints(checkpoints) >= 1, "its first checkpoint");
    await killWhen(startChild(args), async () => (await count()) >= N * 0.3, "30% of the output");
    await killWhen(startChild(args), async () => (await count()) >= N * 0.6, "60% of the output");
    // No assertion on how far the job got before the last kill: on a busy machine the job may have
    // committed everything just before it was killed, and the restart must then publish nothing again.
    await committedNumbersOnce(bootstrap, topic);

    const last = await startChild(args).exited;
    expect(last.stdout, last.stderr).to.contain("finished DONE");
    const numbers = await committedNumbersOnce(bootstrap, topic);
    expect(numbers.length).to.equal(N);
    expect(numbers[N - 1]).to.equal(N - 1);
  });

  it("microbatch: an unbounded job killed after its first batch and twice mid-stream, restarted each time from --checkpointDir: every number once, no gap", async () => {
    const topic = uniqueTopic("eo-microbatch");
    await createTopics(bootstrap, [topic], 3);
    const checkpoint = path.join(work, "checkpoint");
    const args = [
      "--runner=microbatch",
      "--partitions=3",
      "--batchIntervalMs=50",
      `--checkpointDir=${checkpoint}`,
      `--bootstrap=${bootstrap}`,
      `--topic=${topic}`,
      "--numbers=0",
      "--perMs=2",
    ];
    const count = async () => (await readCommitted(bootstrap, topic)).length;
    await killWhen(startChild(args), async () => committedBatches(checkpoint) >= 1, "its first batch");
    await killWhen(startChild(args), async () => (await count()) >= 1500, "1,500 records");
    await killWhen(startChild(args), async () => (await count()) >= 3000, "3,000 records");
    await committedNumbersOnce(bootstrap, topic);

    const last = await startChild([...args, "--stopAt=5000"]).exited;
    expect(last.stdout, last.stderr).to.contain("finished CANCELLED");
    const numbers = await committedNumbersOnce(bootstrap, topic);
    expect(numbers.length).to.be.at.least(5000);
    // Whole batches: the committed numbers are 0..M-1, without a gap.
    expect(numbers[numbers.length - 1]).to.equal(numbers.length - 1);
  });
});
