/**
 * The Kafka source's offsets live with the runner: a job stopped (or
 * killed with SIGKILL) and started again on the same checkpoint directory
 * resumes each partition where its last checkpoint (stream) or committed
 * batch (micro-batch) ended, so with an exactly-once sink a read_committed
 * consumer of the output sees every input record once: none skipped, none
 * twice.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readThroughKafka } from "../../fixtures/kafka_read_pipelines";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted } from "../../support/kafka_topic_reader";
import { UNBOUNDED_RUNNERS, waitUntil } from "./kafka_test_runs";
import { produce } from "./kafka_test_data";

const CHILD = path.join(__dirname, "..", "..", "fixtures", "kafka_read_job_main.js");

/** Starts the job in a child process; `kill()` sends SIGKILL and waits for the exit. */
function startChild(args: readonly string[]): { kill: () => Promise<void>; running: () => boolean; stderr: () => string } {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let running = true;
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.on("exit", () => (running = false));
  return {
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    running: () => running,
    stderr: () => stderr,
  };
}

describe("mr.io.kafka.read across restarts (real broker)", function () {
  this.timeout(300_000);
  let bootstrap: string;

  before(async () => {
    bootstrap = await kafkaBootstrap();
  });

  for (const args of UNBOUNDED_RUNNERS) {
    it(`killed with SIGKILL after its first ${args[0] === "--runner=stream" ? "checkpoint" : "batch"} and twice more while input comes in, restarted each time: each record once in the output, on ${args[0]}`, async () => {
      const N = 3_000;
      const input = uniqueTopic("kill-in");
      const output = uniqueTopic("kill-out");
      await createTopics(bootstrap, [input, output], 3);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-read-kill-"));
      const jobArgs = [...args, `--checkpointDir=${dir}`, `--bootstrap=${bootstrap}`, `--topic=${input}`, `--output=${output}`];
      const outputCount = async () => (await readCommitted(bootstrap, output)).length;
      const committedUnits = () =>
        args[0] === "--runner=stream"
          ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "_metadata"))).length
          : fs.existsSync(path.join(dir, "commits"))
            ? fs.readdirSync(path.join(dir, "commits")).length
            : 0;
      const killWhen = async (what: string, condition: () => Promise<boolean>) => {
        const child = startChild(jobArgs);
        await waitUntil(what, async () => {
          if (!child.running()) throw new Error(`the job exited before ${what}: ${child.stderr()}`);
          return condition();
        });
        await child.kill();
      };
      // The input comes in three parts, the next one only after a kill, so every restart has records left to read
      // from its restored offsets whatever the machine's speed; the kills fall wherever the job is by then.
      const part = N / 3;
      const produceFrom = (from: number) =>
        produce(
          bootstrap,
          input,
          Array.from({ length: part }, (_, i) => ({ partition: (from + i) % 3, value: `v${from + i}` })),
        );
      try {
        await produceFrom(0);
        await killWhen("its first checkpoint or batch", async () => committedUnits() >= 1);
        await produceFrom(part);
        await killWhen("part of the second third in the output", async () => (await outputCount()) >= part + part / 3);
        expect(await outputCount(), "the last third is not written yet").to.be.lessThan(N);
        await produceFrom(2 * part);
        await killWhen("part of the last third in the output", async () => (await outputCount()) >= 2 * part + part / 3);
        await killWhen("all of the output", async () => (await outputCount()) >= N);
        const values = (await readCommitted(bootstrap, output)).map((r) => r.value!).sort();
        expect(values).to.deep.equal(Array.from({ length: N }, (_, i) => `V${i}`).sort());
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`resumes every partition from the checkpoint dir after a stop, each record once in the output, on ${args[0]}`, async () => {
      const input = uniqueTopic("restart-in");
      const output = uniqueTopic("restart-out");
      await createTopics(bootstrap, [input, output], 2);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-read-restart-"));
      const jobArgs = [...args, `--checkpointDir=${dir}`, `--bootstrap=${bootstrap}`, `--topic=${input}`, `--output=${output}`];
      const outputValues = async () => (await readCommitted(bootstrap, output)).map((r) => r.value!);
      const batch = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ partition: (from + i) % 2, value: `v${from + i}` }));
      try {
        await produce(bootstrap, input, batch(0, 40));
        const first = readThroughKafka.create(jobArgs).run();
        await waitUntil("the first 40 records in the output", async () => (await outputValues()).length >= 40);
        first.cancel();
        await first.waitUntilFinish().catch(() => undefined);

        await produce(bootstrap, input, batch(40, 40));
        const second = readThroughKafka.create(jobArgs).run();
        await waitUntil("all 80 records in the output", async () => (await outputValues()).length >= 80);
        second.cancel();
        await second.waitUntilFinish().catch(() => undefined);

        const expected = batch(0, 80).map((r) => r.value.toUpperCase());
        expect((await outputValues()).sort()).to.deep.equal(expected.sort());
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
