/**
 * An at-least-once `io.kafka.write` whose broker goes away mid-run: the
 * records sent since the last acknowledgement cannot be confirmed, so the
 * job must fail, with an error naming the transform and the broker, and
 * never end as if they were written. Each test stops a broker of its own.
 */
import { expect } from "chai";
import { createTopics, startOwnBroker, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted } from "../../support/kafka_topic_reader";
import { until } from "../../support/until";
import { kafkaNumbers } from "../../fixtures/kafka_pipelines";

describe("io.kafka.write at least once when the broker goes away (a broker of its own)", function () {
  this.timeout(400_000);

  const runners: Record<string, string[]> = {
    stream: ["--runner=stream", "--restartAttempts=0", "--checkpointingIntervalMs=200"],
    microbatch: ["--runner=microbatch", "--maxTaskAttempts=1", "--batchIntervalMs=200"],
  };
  for (const [runner, args] of Object.entries(runners)) {
    it(`${runner}: the job fails, naming the transform and the broker, instead of finishing without the unacknowledged records`, async () => {
      const broker = startOwnBroker();
      try {
        const topic = uniqueTopic("loss");
        await createTopics(broker.bootstrap, [topic], 2);
        const result = kafkaNumbers
          .create([...args, `--bootstrap=${broker.bootstrap}`, `--topic=${topic}`, "--numbers=0", "--guarantee=at-least-once"])
          .run();
        const outcome = result.waitUntilFinish().then(
          (state) => ({ state, error: undefined as unknown }),
          (error: unknown) => ({ state: undefined, error }),
        );
        await until(async () => (await readCommitted(broker.bootstrap, topic)).length > 0, "the first records in the topic");
        broker.stop();
        const { state, error } = await outcome;
        expect(state, "the job must not end as if every record were written").to.equal(undefined);
        expect(String(error)).to.contain("Write").and.to.contain(broker.bootstrap);
        expect(result.state).to.equal("FAILED");
      } finally {
        broker.stop();
      }
    });
  }
});
