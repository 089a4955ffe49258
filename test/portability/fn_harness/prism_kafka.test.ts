// Kafka on Prism (scripts/prism.sh install; the broker of
// test/support/kafka_broker.ts): io.kafka.read is a splittable DoFn whose
// restrictions are partitions' offset ranges; Prism expands it and the SDK
// harness reads each partition through the SDF phases, up to the end offsets
// at the start. The assertions run in the pipeline (assertThat), and their
// passed count comes back from Prism's metrics.
import { expect } from "chai";
import * as mr from "../../../index";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readValues } from "../../fixtures/kafka_read_pipelines";
import { produce } from "../../io/kafka/kafka_test_data";

describe("Kafka on Prism (real broker): io.kafka.read through the SDK harness's SDF phases", function () {
  this.timeout(240_000);

  it("reads every record of every partition once, up to the end offsets at its start", async () => {
    const bootstrap = await kafkaBootstrap();
    const topic = uniqueTopic("prism-read");
    await createTopics(bootstrap, [topic], 3);
    const values = Array.from({ length: 60 }, (_, i) => `v${i}`);
    await produce(
      bootstrap,
      topic,
      values.map((value, i) => ({ partition: i % 3, value, timestamp: 1_000 + i })),
    );
    const result = readValues.create(["--runner=prism", `--bootstrap=${bootstrap}`, `--topic=${topic}`, `--count=${values.length}`]).run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER]).to.equal(1);
  });
});
