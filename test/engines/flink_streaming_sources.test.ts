// Unbounded sources on Flink in streaming mode (--streaming; scripts/engines.sh
// prepare flink once): files watched continuously and an unbounded Kafka read
// (the broker of test/support/kafka_broker.ts) reach Flink's job server as
// splittable DoFns; the SDK harness runs their phases and checkpoints them,
// and Flink sends the residuals back. Each job runs until what it was given
// is in its output, takes more input while it runs, and is then cancelled.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { lines, tempFile, waitWhileRunning } from "../portability/fn_harness/job_output";
import { kafkaValuesUntilCancelled, watchedLines } from "../portability/fn_harness/sdf_pipelines";
import { startJobServer, type RunningJobServer } from "../../runners/portable/engines/job_server";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../support/kafka_broker";
import { produce } from "../io/kafka/kafka_test_data";

describe("engines: unbounded sources on Flink in streaming mode", function () {
  this.timeout(600_000);
  let server: RunningJobServer;
  const onFlink = () => ["--runner=portable", `--jobEndpoint=${server.endpoint}`, "--streaming"];

  before(async () => {
    server = await startJobServer("flink");
  });
  after(async () => {
    await server?.stop();
  });

  it("matchFiles continuously: files already there and one written while it runs are each read once, until cancelled", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-flink-watch-"));
    const out = tempFile("out.txt");
    const write = (name: string, n: number) =>
      fs.writeFileSync(path.join(dir, name), Array.from({ length: n }, (_, i) => `${name} line ${i}`).join("\n") + "\n");
    write("a.txt", 5);
    write("b.txt", 3);
    const result = watchedLines.create([...onFlink(), `--out=${out}`, `--input=${path.join(dir, "*.txt")}`]).run();
    await waitWhileRunning(() => lines(out).length >= 8, "the two first files read", result);
    write("c.txt", 4);
    await waitWhileRunning(() => lines(out).length >= 12, "the file written later read", result);
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    expect(lines(out).sort()).to.deep.equal(
      [
        ...Array.from({ length: 5 }, (_, i) => `A.TXT LINE ${i}`),
        ...Array.from({ length: 3 }, (_, i) => `B.TXT LINE ${i}`),
        ...Array.from({ length: 4 }, (_, i) => `C.TXT LINE ${i}`),
      ].sort(),
    );
  });

  it("io.kafka.read (unbounded, real broker): records there at the start and produced while it runs are each read once, until cancelled", async () => {
    const bootstrap = await kafkaBootstrap();
    const topic = uniqueTopic("flink-streaming-read");
    await createTopics(bootstrap, [topic], 2);
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ partition: (from + i) % 2, value: `v${from + i}`, timestamp: 1_000 + from + i }));
    await produce(bootstrap, topic, batch(0, 20));
    const out = tempFile("out.txt");
    const result = kafkaValuesUntilCancelled.create([...onFlink(), `--out=${out}`, `--bootstrap=${bootstrap}`, `--topic=${topic}`]).run();
    await waitWhileRunning(() => lines(out).length >= 20, "the records there at the start read", result);
    await produce(bootstrap, topic, batch(20, 10));
    await waitWhileRunning(() => lines(out).length >= 30, "the records produced while it runs read", result);
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    expect(lines(out).sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `V${i}`).sort());
  });
});
