/**
 * `mr.io.kafka.read` against a real broker: bounded reads on every runner,
 * metadata, start positions, read_committed (aborted transactions whose
 * abort marker comes in a later fetch, and across a segment roll),
 * LogAppendTime topics, and bad input (an unreachable broker, a missing
 * topic, a record that does not deserialize).
 */
import { expect } from "chai";
import { Admin, Consumer } from "@platformatic/kafka";
import * as mr from "../../../index";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommittedTags, readValues, readWithDeadLetters } from "../../fixtures/kafka_read_pipelines";
import { produce, produceTransactions } from "./kafka_test_data";

const RUNNERS: readonly (readonly string[])[] = [
  ["--runner=direct"],
  ["--runner=stream", "--parallelism=2"],
  ["--runner=microbatch", "--executors=2", "--partitions=2"],
];

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the run to fail");
}

describe("mr.io.kafka.read (real broker)", function () {
  this.timeout(180_000);
  let bootstrap: string;

  before(async () => {
    bootstrap = await kafkaBootstrap();
  });

  for (const args of RUNNERS) {
    it(`reads every partition up to the end offsets at its start, on ${args.join(" ")}`, async () => {
      const topic = uniqueTopic("read-all");
      await createTopics(bootstrap, [topic], 3);
      const values = Array.from({ length: 60 }, (_, i) => `v${i}`);
      await produce(
        bootstrap,
        topic,
        values.map((value, i) => ({ partition: i % 3, value, timestamp: 1_000 + i })),
      );
      await readValues
        .create([...args, `--bootstrap=${bootstrap}`, `--topic=${topic}`, `--count=${values.length}`])
        .run()
        .waitUntilFinish();
    });
  }

  for (const args of RUNNERS) {
    it(`maxRecords bounds the read in all partitions together, on ${args.join(" ")}`, async () => {
      const topic = uniqueTopic("read-max");
      await createTopics(bootstrap, [topic], 2);
      await produce(
        bootstrap,
        topic,
        Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, value: `v${i}` })),
      );
      await readValues
        .create([...args, `--bootstrap=${bootstrap}`, `--topic=${topic}`, "--maxRecords=25"])
        .run()
        .waitUntilFinish();
    });
  }

  it("withMetadata gives KafkaRecords: topic, partition, offset, timestamp and its type, key, value, headers; the timestamp is the event time", async () => {
    const topic = uniqueTopic("read-meta");
    await createTopics(bootstrap, [topic], 2);
    await produce(bootstrap, topic, [
      { partition: 0, key: "k0", value: '{"n":0}', timestamp: 5_000, headers: { source: "test" } },
      { partition: 1, key: "k1", value: '{"n":1}', timestamp: 6_000 },
      { partition: 1, value: '{"n":2}', timestamp: 7_000 },
    ]);
    const p = mr.Pipeline.create();
    const records = p.apply(
      mr.io.kafka.read<{ n: number }>({
        bootstrapServers: bootstrap,
        topics: [topic],
        withMetadata: true,
        valueDeserializer: "json",
        stopAtEndOffsets: true,
      }),
    );
    const shown = records.map((r, ctx) => ({
      where: `${r.topic === topic ? "T" : r.topic}/${r.partition}/${r.offset}`,
      ts: r.timestamp,
      eventTime: ctx.timestamp,
      type: r.timestampType,
      key: r.key,
      value: r.value,
      headers: r.headers.map((h) => `${h.key}=${Buffer.from(h.value!).toString()}`),
    }));
    mr.testing.assertThat(shown).containsInAnyOrder([
      { where: "T/0/0", ts: 5_000, eventTime: 5_000, type: "CreateTime", key: "k0", value: { n: 0 }, headers: ["source=test"] },
      { where: "T/1/0", ts: 6_000, eventTime: 6_000, type: "CreateTime", key: "k1", value: { n: 1 }, headers: [] },
      { where: "T/1/1", ts: 7_000, eventTime: 7_000, type: "CreateTime", key: null, value: { n: 2 }, headers: [] },
    ]);
    await p.run().waitUntilFinish();
  });

  it("startFrom a timestamp reads from the first record at or after it (ListOffsets); 'latest' reads nothing of what was there", async () => {
    const topic = uniqueTopic("read-start");
    await createTopics(bootstrap, [topic], 1);
    await produce(
      bootstrap,
      topic,
      [1_000, 2_000, 3_000, 4_000].map((timestamp) => ({ partition: 0, value: `at${timestamp}`, timestamp })),
    );
    const p = mr.Pipeline.create();
    const fromTime = p.apply(
      "FromTime",
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], startFrom: { timestampMs: 2_500 }, stopAtEndOffsets: true }),
    );
    const latest = p.apply(
      "Latest",
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], startFrom: "latest", stopAtEndOffsets: true }),
    );
    mr.testing.assertThat(fromTime).containsInAnyOrder(["at3000", "at4000"]);
    mr.testing.assertThat(latest).isEmpty();
    await p.run().waitUntilFinish();
  });

  it("with a groupId, read offsets go to the group once the bundle is committed, and startFrom 'committed' goes on from them", async () => {
    const topic = uniqueTopic("read-group");
    const groupId = uniqueTopic("group");
    await createTopics(bootstrap, [topic], 1);
    await produce(
      bootstrap,
      topic,
      [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `v${i}` })),
    );
    const first = mr.Pipeline.create();
    mr.testing
      .assertThat(first.apply(mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], groupId, stopAtEndOffsets: true })))
      .containsInAnyOrder(["v0", "v1", "v2", "v3", "v4"]);
    await first.run().waitUntilFinish();
    await waitForGroupOffset(bootstrap, groupId, topic, 5);

    await produce(
      bootstrap,
      topic,
      [5, 6].map((i) => ({ partition: 0, value: `v${i}` })),
    );
    const second = mr.Pipeline.create();
    const read = second.apply(
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], groupId, startFrom: "committed", stopAtEndOffsets: true }),
    );
    mr.testing.assertThat(read).containsInAnyOrder(["v5", "v6"]);
    await second.run().waitUntilFinish();
  });

  it("read_committed never shows aborted records, though the abort marker arrives in a later fetch (which the client library gets wrong)", async () => {
    const topic = uniqueTopic("read-aborted");
    await createTopics(bootstrap, [topic], 1);
    await produceTransactions(
      bootstrap,
      topic,
      [
        { records: [{ partition: 0, value: "c1" }], commit: true },
        { records: [0, 1, 2, 3].map((i) => ({ partition: 0, value: `aborted${i}` })), commit: false },
        {
          records: [
            { partition: 0, value: "c2" },
            { partition: 0, value: "c3" },
          ],
          commit: true,
        },
      ],
      uniqueTopic("txn"),
    );
    // The case is real: the library's own read_committed fetch, one batch at a time, delivers an aborted record.
    expect(await libraryReadCommitted(bootstrap, topic)).to.include("aborted0");
    const p = mr.Pipeline.create();
    // One batch per fetch: every aborted batch comes in a response without its abort marker.
    const read = p.apply(
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], stopAtEndOffsets: true, maxPartitionFetchBytes: 1 }),
    );
    mr.testing.assertThat(read).containsInAnyOrder(["c1", "c2", "c3"]);
    const uncommitted = p.apply(
      "Uncommitted",
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], isolation: "read_uncommitted", stopAtEndOffsets: true }),
    );
    mr.testing.assertThat(uncommitted).containsInAnyOrder(["c1", "aborted0", "aborted1", "aborted2", "aborted3", "c2", "c3"]);
    await p.run().waitUntilFinish();
  });

  it("read_committed drops an aborted transaction that spans a segment roll", async () => {
    const topic = uniqueTopic("read-segments");
    // The smallest segments Kafka allows (1 MiB) and 400 KB records: the aborted transaction's
    // batches and its marker land in different segment files.
    await createTopics(bootstrap, [topic], 1, { "segment.bytes": String(1 << 20) });
    const big = (tag: string) => `${tag}-${"x".repeat(400_000)}`;
    await produceTransactions(
      bootstrap,
      topic,
      [
        { records: [{ partition: 0, value: big("c1") }], commit: true },
        { records: [0, 1, 2, 3, 4, 5].map((i) => ({ partition: 0, value: big(`aborted${i}`) })), commit: false },
        { records: [{ partition: 0, value: big("c2") }], commit: true },
      ],
      uniqueTopic("txn"),
    );
    await readCommittedTags
      .create(["--runner=stream", "--parallelism=1", `--bootstrap=${bootstrap}`, `--topic=${topic}`])
      .run()
      .waitUntilFinish();
  });

  it("LogAppendTime topics give the broker's append time, not the producer's timestamp", async () => {
    const topic = uniqueTopic("read-logappend");
    await createTopics(bootstrap, [topic], 1, { "message.timestamp.type": "LogAppendTime" });
    const before = Date.now();
    await produce(bootstrap, topic, [{ partition: 0, value: "a", timestamp: 1_000 }]);
    const p = mr.Pipeline.create();
    const read = p.apply(mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], withMetadata: true, stopAtEndOffsets: true }));
    mr.testing
      .assertThat(read.map((r, ctx) => ({ type: r.timestampType, ts: r.timestamp, eventTime: ctx.timestamp })))
      .satisfies((rows) => {
        expect(rows).to.have.length(1);
        const row = rows[0]!;
        expect(row.type).to.equal("LogAppendTime");
        // The broker's clock (the same machine's), not the 1000 the producer wrote.
        expect(row.ts).to.be.at.least(before - 60_000);
        expect(row.eventTime).to.equal(row.ts);
      });
    await p.run().waitUntilFinish();
  });

  it("an unreachable broker fails the run within the connect timeout, naming the address", async () => {
    const p = mr.Pipeline.create();
    p.apply(mr.io.kafka.read({ bootstrapServers: "127.0.0.1:1", topics: ["t"], stopAtEndOffsets: true, connectTimeoutMs: 3_000 }));
    const started = Date.now();
    const e = await failure(() => p.run().waitUntilFinish());
    expect(e).to.be.instanceOf(mr.PipelineExecutionError);
    expect(e.message).to.include("127.0.0.1:1");
    // Bounded: a few connect timeouts and retries, never the mocha timeout.
    expect(Date.now() - started).to.be.below(60_000);
  });

  it("a missing topic fails the run naming the topic", async () => {
    const p = mr.Pipeline.create();
    const missing = uniqueTopic("no-such-topic");
    p.apply(mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [missing], stopAtEndOffsets: true }));
    const e = await failure(() => p.run().waitUntilFinish());
    expect(e.message).to.include(`'${missing}' not found`);
  });

  it("a record that does not deserialize fails the run naming the transform, topic, partition and offset", async () => {
    const topic = uniqueTopic("read-bad-json");
    await createTopics(bootstrap, [topic], 1);
    await produce(bootstrap, topic, [
      { partition: 0, value: '{"ok":1}' },
      { partition: 0, value: "{not json" },
    ]);
    const p = mr.Pipeline.create();
    p.apply(
      "ReadClicks",
      mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], valueDeserializer: "json", stopAtEndOffsets: true }),
    );
    const e = await failure(() => p.run().waitUntilFinish());
    expect(e.message).to.include("ReadClicks");
    expect(e.message).to.include(`topic '${topic}' partition 0`);
    expect(e.message).to.include("offset 1");
  });

  it("with onDeserializationError: 'deadLetter', bad records go to the dead-letter output and the rest are read", async () => {
    const topic = uniqueTopic("read-dead-letter");
    await createTopics(bootstrap, [topic], 1);
    await produce(bootstrap, topic, [
      { partition: 0, value: '{"ok":1}' },
      { partition: 0, value: "{not json" },
      { partition: 0, value: '{"ok":2}' },
    ]);
    await readWithDeadLetters
      .create(["--runner=stream", "--parallelism=1", `--bootstrap=${bootstrap}`, `--topic=${topic}`])
      .run()
      .waitUntilFinish();
  });
});

/** The values the client library's own read_committed fetch returns, one batch per fetch. */
async function libraryReadCommitted(bootstrap: string, topic: string): Promise<string[]> {
  const consumer = new Consumer({ clientId: "millrace-test-library", bootstrapBrokers: [bootstrap], groupId: uniqueTopic("g") });
  try {
    const md = await consumer.metadata({ topics: [topic] });
    const t = md.topics.get(topic)!;
    const seen: string[] = [];
    let offset = 0n;
    for (;;) {
      const response = await consumer.fetch({
        node: t.partitions[0]!.leader,
        maxWaitTime: 0,
        isolationLevel: 1,
        topics: [
          {
            topicId: t.id,
            partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 1 }],
          },
        ],
      });
      const batches = response.responses[0]!.partitions[0]!.records ?? [];
      if (batches.length === 0) return seen;
      for (const b of batches) {
        if ((b.attributes & 0x20) === 0) for (const r of b.records) seen.push(r.value!.toString());
        offset = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
      }
    }
  } finally {
    await consumer.close();
  }
}

/** Waits until `groupId` has committed `offset` for partition 0 of `topic` (commits come after the bundle, asynchronously). */
async function waitForGroupOffset(bootstrap: string, groupId: string, topic: string, offset: number): Promise<void> {
  const admin = new Admin({ clientId: "millrace-test-group", bootstrapBrokers: [bootstrap] });
  try {
    const deadline = Date.now() + 60_000; // a guard against a hang, not a speed requirement
    for (;;) {
      const groups = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [0] }] }] });
      const committed = groups[0]?.topics[0]?.partitions[0]?.committedOffset;
      if (committed === BigInt(offset)) return;
      if (Date.now() > deadline) throw new Error(`group ${groupId} has offset ${String(committed)}, not ${offset}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.close();
  }
}
