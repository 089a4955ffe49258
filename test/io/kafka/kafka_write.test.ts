/**
 * `mr.io.kafka.write` against a real broker, on every runner: round trips,
 * and the stream runner's exactly-once sink (transactions committed with
 * checkpoints). A read_committed reader independent of the code under test
 * checks what consumers see.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted, readCommittedOnceVisible } from "../../support/kafka_topic_reader";
import { kafkaNumbers, kafkaShapes } from "../../fixtures/kafka_pipelines";

/** Every number 0..n-1 exactly once. */
function expectEachNumberOnce(values: readonly (string | null)[], n: number): void {
  const numbers = values.map(Number).sort((a, b) => a - b);
  const duplicates = numbers.filter((x, i) => i > 0 && numbers[i - 1] === x);
  expect(duplicates.length, `duplicates: ${duplicates.slice(0, 10).join(",")}`).to.equal(0);
  expect(numbers.length).to.equal(n);
  expect(numbers[0]).to.equal(0);
  expect(numbers[n - 1]).to.equal(n - 1);
}

describe("mr.io.kafka.write (real broker)", function () {
  this.timeout(180_000);
  let bootstrap: string;
  let dir = "";
  before(async () => (bootstrap = await kafkaBootstrap()));
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-write-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const runner of ["direct", "stream", "microbatch"]) {
    it(`${runner}: keys, JSON values, headers, timestamps and a topic per element arrive as written`, async () => {
      const topic = uniqueTopic("shapes");
      await createTopics(bootstrap, [topic, `${topic}-odd`]);
      const result = kafkaShapes
        .create([`--runner=${runner}`, `--bootstrap=${bootstrap}`, `--topic=${topic}`, "--guarantee=at-least-once"])
        .run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
      const main = await readCommitted(bootstrap, topic);
      expect(main.map((r) => [r.key, JSON.parse(r.value!), r.timestamp, r.headers]).sort()).to.deep.equal([
        ["k1", { id: 1, name: "a" }, 1_700_000_000_001, [["name", "a"]]],
        ["k2", { id: 2, name: "b" }, 1_700_000_000_002, [["name", "b"]]],
      ]);
      expect((await readCommitted(bootstrap, `${topic}-odd`)).map((r) => r.key)).to.deep.equal(["k3"]);
    });

    it(`${runner}: exactly-once numbers, each once, keyed`, async () => {
      const topic = uniqueTopic("numbers");
      await createTopics(bootstrap, [topic], 3);
      const args = [`--runner=${runner}`, `--bootstrap=${bootstrap}`, `--topic=${topic}`, "--numbers=3000", "--perMs=10"];
      if (runner === "stream") args.push("--checkpointingIntervalMs=200", "--parallelism=2");
      const result = kafkaNumbers.create(args).run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
      const records = await readCommittedOnceVisible(bootstrap, topic, 3000);
      expectEachNumberOnce(
        records.map((r) => r.value),
        3000,
      );
      for (const r of records) expect(r.key).to.equal(String(Number(r.value) % 7));
    });
  }

  it("direct: an unreachable broker fails the run within a bounded time, naming the transform and the address", async () => {
    let caught: unknown;
    try {
      await kafkaNumbers
        .create(["--runner=direct", "--bootstrap=127.0.0.1:1", "--topic=t", "--numbers=10", "--guarantee=at-least-once"])
        .run()
        .waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.contain("Write").and.to.contain("127.0.0.1:1");
  });

  it("stream: an unreachable broker fails an exactly-once run, naming the transform and the address", async () => {
    let caught: unknown;
    try {
      await kafkaNumbers
        .create(["--runner=stream", "--restartAttempts=0", "--bootstrap=127.0.0.1:1", "--topic=t", "--numbers=10"])
        .run()
        .waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.contain("Write").and.to.contain("127.0.0.1:1");
  });

  for (const runner of ["stream", "microbatch"]) {
    it(`${runner}: a topic that does not exist fails the run, naming the transform and the topic`, async () => {
      const topic = uniqueTopic("missing");
      let caught: unknown;
      try {
        await kafkaNumbers
          .create([
            `--runner=${runner}`,
            runner === "stream" ? "--restartAttempts=0" : "--maxTaskAttempts=1",
            `--bootstrap=${bootstrap}`,
            `--topic=${topic}`,
            "--numbers=10",
          ])
          .run()
          .waitUntilFinish();
      } catch (e) {
        caught = e;
      }
      expect(String(caught)).to.contain("Write").and.to.contain(topic);
    });
  }

  it("stream: a transaction timeout not longer than the checkpoint interval is refused at start, naming the transform", async () => {
    const topic = uniqueTopic("timeout");
    await createTopics(bootstrap, [topic]);
    let caught: unknown;
    try {
      await kafkaNumbers
        .create([
          "--runner=stream",
          `--bootstrap=${bootstrap}`,
          `--topic=${topic}`,
          "--checkpointingIntervalMs=5000",
          "--transactionTimeoutMs=4000",
        ])
        .run()
        .waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.contain("Write").and.to.contain("transactionTimeoutMs (4000 ms) must exceed the checkpoint interval");
    expect(await readCommitted(bootstrap, topic)).to.deep.equal([]);
  });
});
