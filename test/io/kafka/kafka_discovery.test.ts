/**
 * Partition discovery against a real broker, on the stream and micro-batch
 * runners: a running read of a topic pattern picks up the partitions added
 * to its topic with CreatePartitions and a topic created later that matches
 * the pattern, reading each from its first offset, and every record of
 * every partition reaches the exactly-once output once.
 */
import { expect } from "chai";
import { Admin } from "@platformatic/kafka";
import { readPatternThroughKafka } from "../../fixtures/kafka_read_pipelines";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted } from "../../support/kafka_topic_reader";
import { UNBOUNDED_RUNNERS, waitUntil } from "./kafka_test_runs";
import { produce, type TestRecord } from "./kafka_test_data";

async function increasePartitions(bootstrap: string, topic: string, count: number): Promise<void> {
  const admin = new Admin({ clientId: "millrace-test-admin", bootstrapBrokers: [bootstrap] });
  try {
    await admin.createPartitions({ topics: [{ name: topic, count }] });
  } finally {
    await admin.close();
  }
}

/** `n` records `<prefix><from>` ... spread over `partitions` partitions. */
function records(prefix: string, from: number, n: number, partitions: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ partition: (from + i) % partitions, value: `${prefix}${from + i}` }));
}

describe("mr.io.kafka.read partition discovery (real broker)", function () {
  this.timeout(300_000);
  let bootstrap: string;

  before(async () => {
    bootstrap = await kafkaBootstrap();
  });

  for (const args of UNBOUNDED_RUNNERS) {
    it(`${args[0]}: a pattern read picks up partitions added with CreatePartitions and a new matching topic while running, each record once`, async () => {
      const base = uniqueTopic("discovery");
      const first = `${base}-a`;
      const later = `${base}-b`;
      const output = uniqueTopic("discovery-out");
      await createTopics(bootstrap, [first], 1);
      await createTopics(bootstrap, [output], 1);
      await produce(bootstrap, first, records("a", 0, 10, 1));
      const result = readPatternThroughKafka
        .create([...args, `--bootstrap=${bootstrap}`, `--pattern=^${base}-`, `--output=${output}`, "--discoveryMs=300"])
        .run();
      const outputValues = async () => (await readCommitted(bootstrap, output)).map((r) => r.value!);
      let expected = records("a", 0, 10, 1).map((r) => `${first}/${r.value as string}`);
      try {
        await waitUntil("the first topic's records in the output", async () => (await outputValues()).length >= 10);

        // Two new partitions in the topic being read, with records in every partition.
        await increasePartitions(bootstrap, first, 3);
        await produce(bootstrap, first, records("a", 10, 12, 3));
        expected = [...expected, ...records("a", 10, 12, 3).map((r) => `${first}/${r.value as string}`)];
        await waitUntil("the new partitions' records in the output", async () => (await outputValues()).length >= expected.length);

        // A new topic that matches the pattern.
        await createTopics(bootstrap, [later], 2);
        await produce(bootstrap, later, records("b", 0, 10, 2));
        expected = [...expected, ...records("b", 0, 10, 2).map((r) => `${later}/${r.value as string}`)];
        await waitUntil("the new topic's records in the output", async () => (await outputValues()).length >= expected.length);
      } finally {
        result.cancel();
        await result.waitUntilFinish().catch(() => undefined);
      }
      // Every record once: a partition found twice, or read again from its start, would show here.
      expect((await outputValues()).sort()).to.deep.equal(expected.sort());
    });
  }
});
