/**
 * Idleness across stream source subtasks, against a real broker: a topic of
 * three partitions read on the stream runner with parallelism 2, 3 and 4,
 * one partition of which stops receiving records. The subtask reading only
 * that partition goes idle (Flink's `WatermarkStatus.IDLE`, passed through
 * the channels) and the window operator's valve leaves it out, so the first
 * window fires after `idleTimeoutMs` while the other partitions go on; with
 * parallelism 4 one subtask has no partition at all and must not hold the
 * watermark either. The watermark follows the active partitions, not the
 * end of time: the window they are still in stays open.
 */
import { expect } from "chai";
import { windowCountsToKafka } from "../../fixtures/kafka_read_pipelines";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted } from "../../support/kafka_topic_reader";
import { waitUntil } from "./kafka_test_runs";
import { produce } from "./kafka_test_data";

describe("mr.io.kafka.read idleness across stream subtasks (real broker)", function () {
  this.timeout(300_000);
  let bootstrap: string;

  before(async () => {
    bootstrap = await kafkaBootstrap();
  });

  for (const parallelism of [2, 3, 4]) {
    const what = parallelism === 4 ? " (one subtask has no partition)" : "";
    it(`stream --parallelism=${parallelism}${what}: partition 1 stops, the first window fires after idleTimeoutMs, the next one stays open`, async () => {
      const input = uniqueTopic("idle-in");
      const output = uniqueTopic("idle-out");
      await createTopics(bootstrap, [input], 3);
      await createTopics(bootstrap, [output], 1);
      // Every partition has records in the first window; partition 1 gets none after them.
      await produce(bootstrap, input, [
        { partition: 0, value: "a", timestamp: 1_000 },
        { partition: 1, value: "b", timestamp: 2_000 },
        { partition: 2, value: "c", timestamp: 3_000 },
        { partition: 0, value: "d", timestamp: 15_000 },
        { partition: 2, value: "e", timestamp: 15_000 },
      ]);
      const result = windowCountsToKafka
        .create([
          "--runner=stream",
          `--parallelism=${parallelism}`,
          "--checkpointingIntervalMs=1000",
          `--bootstrap=${bootstrap}`,
          `--topic=${input}`,
          `--output=${output}`,
          "--idleTimeoutMs=1000",
        ])
        .run();
      // Partitions 0 and 2 stay active, all their records in the second window: only partition 1's idleness lets
      // the first window fire.
      let producing = true;
      const keepActive = (async () => {
        for (let i = 1; producing && i < 4_000; i++) {
          await produce(bootstrap, input, [
            { partition: 0, value: `p0-${i}`, timestamp: 15_000 + i },
            { partition: 2, value: `p2-${i}`, timestamp: 15_000 + i },
          ]);
        }
      })();
      const firings = async () => (await readCommitted(bootstrap, output)).map((r) => r.value!);
      try {
        await waitUntil("the first window to fire", async () => (await firings()).some((f) => f.startsWith("0:")));
        const fired = await firings();
        expect(fired.filter((f) => f.startsWith("0:"))).to.deep.equal(["0:3:ON_TIME"]);
        // The watermark is the active partitions' (below 20000), not the end of time: the window of 15000 is open.
        expect(fired.filter((f) => f.startsWith("10000:"))).to.deep.equal([]);
      } finally {
        producing = false;
        await keepActive;
        result.cancel();
        await result.waitUntilFinish().catch(() => undefined);
      }
    });
  }
});
