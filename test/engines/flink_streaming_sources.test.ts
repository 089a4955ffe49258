// Unbounded sources on Flink in streaming mode (--streaming; scripts/engines.sh
// prepare flink once): files watched continuously and an unbounded Kafka read
// (the broker of test/support/kafka_broker.ts) reach Flink's job server as
// splittable DoFns; the SDK harness runs their phases and checkpoints them,
// and Flink sends the residuals back. Each job runs until what it was given
// is in its output, takes more input while it runs, and is then cancelled.
import { expect } from "chai";
import { lines, runWatchedFilesUntilCancelled, tempFile, waitWhileRunning } from "../portability/fn_harness/job_output";
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
    await runWatchedFilesUntilCancelled(watchedLines, onFlink());
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
