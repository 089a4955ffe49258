/**
 * The shared Kafka client layer against a real broker: the transactional
 * producer and the raw transaction-coordinator calls that the
 * exactly-once sinks build on, including the two `@platformatic/kafka`
 * behaviours they work around (InitProducerId with 0 / 0, the transaction
 * timeout taken from the generic request timeout), and when records leave
 * the producer without a transaction (as they come; on close).
 */
import { expect } from "chai";
import { Producer } from "@platformatic/kafka";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommitted, readCommittedOnceVisible } from "../../support/kafka_topic_reader";
import { until } from "../../support/until";
import { RecordProducer } from "../../../sdk/io/kafka/record_producer";
import { TransactionCoordinators } from "../../../sdk/io/kafka/transaction_coordinator";
import { kafkaClientOptions } from "../../../sdk/io/kafka/client_options";

const value = (s: string) => Buffer.from(s, "utf8");

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("Kafka client layer (real broker)", function () {
  this.timeout(180_000);
  let bootstrap: string;
  let coordinators: TransactionCoordinators;

  before(async () => {
    bootstrap = await kafkaBootstrap();
    coordinators = new TransactionCoordinators([bootstrap], "millrace-test");
  });
  after(async () => coordinators?.close());

  it("a transaction flushed by one producer is committed later by its handle alone, once, even when the commit is repeated", async () => {
    const topic = uniqueTopic("txn-handle");
    await createTopics(bootstrap, [topic], 2);
    const txnId = uniqueTopic("txn");
    const producer = new RecordProducer({
      bootstrap: [bootstrap],
      clientId: "t",
      transform: "Write",
      guarantee: "exactly-once",
      transactionalId: txnId,
      transactionTimeoutMs: 60_000,
    });
    for (let i = 0; i < 10; i++) producer.send({ topic, value: value(`v${i}`), partition: i % 2 });
    const handle = await producer.flush();
    await producer.close();
    expect(handle?.transactionalId).to.equal(txnId);
    expect(await readCommitted(bootstrap, topic), "nothing is visible before the commit").to.deep.equal([]);

    expect(await coordinators.endTransaction(handle!, true)).to.equal("done");
    // A restore commits what its checkpoint recorded again: the second commit must be harmless.
    expect(await coordinators.endTransaction(handle!, true)).to.equal("done");
    const seen = (await readCommittedOnceVisible(bootstrap, topic, 10)).map((r) => r.value).sort();
    expect(seen).to.deep.equal(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
  });

  it("a newer producer of the same transactional id takes over (InitProducerId -1/-1), aborts the open transaction and fences the old producer", async () => {
    const topic = uniqueTopic("txn-fence");
    await createTopics(bootstrap, [topic]);
    const txnId = uniqueTopic("txn");
    const options = {
      bootstrap: [bootstrap],
      clientId: "t",
      transform: "Write",
      guarantee: "exactly-once" as const,
      transactionalId: txnId,
      transactionTimeoutMs: 60_000,
    };
    const old = new RecordProducer(options);
    old.send({ topic, value: value("old") });
    const oldHandle = await old.flush();
    await old.close();

    const newer = new RecordProducer(options);
    newer.send({ topic, value: value("new") });
    const newHandle = await newer.flush();
    await newer.close();
    expect(newHandle!.producerId).to.equal(oldHandle!.producerId);
    expect(newHandle!.producerEpoch).to.be.greaterThan(oldHandle!.producerEpoch);

    expect(await coordinators.endTransaction(oldHandle!, true), "the old attempt can no longer commit").to.equal("fenced");
    expect(await coordinators.endTransaction(newHandle!, true)).to.equal("done");
    expect((await readCommittedOnceVisible(bootstrap, topic, 1)).map((r) => r.value)).to.deep.equal(["new"]);
  });

  it("the library's own InitProducerId (producer id 0, epoch 0) cannot take over a transactional id another producer holds: the reason RecordProducer passes -1 / -1", async () => {
    const topic = uniqueTopic("txn-lib");
    await createTopics(bootstrap, [topic]);
    const txnId = uniqueTopic("txn");
    // Give the id a producer id other than 0, as any id has once the broker allocated a few.
    await coordinators.initProducerId(uniqueTopic("burn"), 60_000);
    const held = await coordinators.initProducerId(txnId, 60_000);
    expect(held.producerId).to.not.equal("0");
    const producer = new Producer({ ...kafkaClientOptions([bootstrap], "t"), idempotent: true, transactionalId: txnId, retries: 0 });
    try {
      const error = await rejection(producer.beginTransaction());
      expect(error.message + JSON.stringify((error as { errors?: unknown }).errors ?? "")).to.match(/InitProducerId|fenced|epoch/i);
    } finally {
      await producer.close().catch(() => undefined);
    }
  });

  it("a transaction gets the timeout asked for, not the library's generic 5 s request timeout", async () => {
    const topic = uniqueTopic("txn-timeout");
    await createTopics(bootstrap, [topic]);
    const txnId = uniqueTopic("txn");
    const producer = new RecordProducer({
      bootstrap: [bootstrap],
      clientId: "t",
      transform: "Write",
      guarantee: "exactly-once",
      transactionalId: txnId,
      transactionTimeoutMs: 47_000,
    });
    producer.send({ topic, value: value("x") });
    const handle = await producer.flush();
    await producer.close();
    const described = await coordinators.describe(txnId);
    expect(described.state).to.equal("Ongoing");
    expect(described.timeoutMs).to.equal(47_000);
    await coordinators.endTransaction(handle!, false);

    // What the library does on its own: the transaction timeout is its `timeout` option (default 5,000 ms).
    const libId = uniqueTopic("txn");
    const lib = new Producer({ ...kafkaClientOptions([bootstrap], "t"), idempotent: true, transactionalId: libId });
    try {
      const tx = await lib.beginTransaction({ producerId: -1n, producerEpoch: -1 });
      await tx.send({ messages: [{ topic, value: value("y") }] });
      expect((await coordinators.describe(libId)).timeoutMs).to.equal(5_000);
      await tx.abort();
    } finally {
      await lib.close().catch(() => undefined);
    }
  });

  it("at least once: records leave without waiting for a flush or a count, and a flush after many keeps them all, in order per partition", async () => {
    const topic = uniqueTopic("alo-eager");
    await createTopics(bootstrap, [topic], 2);
    const producer = new RecordProducer({ bootstrap: [bootstrap], clientId: "t", transform: "Write", guarantee: "at-least-once" });
    try {
      producer.send({ topic, value: value("first"), partition: 0 });
      // No flush: the record must reach the broker on its own (it used to wait for 500 more or the checkpoint).
      await until(async () => (await readCommitted(bootstrap, topic)).length === 1, "the first record without a flush");
      // Many sends in one go: they leave in requests behind one another, split by size, none lost or reordered.
      for (let i = 0; i < 12_000; i++) producer.send({ topic, value: value(`v${i}`), partition: i % 2 });
      await producer.flush();
      const seen = await readCommitted(bootstrap, topic);
      expect(seen.length).to.equal(12_001);
      for (const partition of [0, 1]) {
        const values = seen.filter((r) => r.partition === partition && r.value !== "first").map((r) => Number(r.value!.slice(1)));
        expect(values).to.deep.equal(Array.from({ length: 6_000 }, (_, i) => 2 * i + partition));
      }
    } finally {
      await producer.close();
    }
  });

  it("none: close sends what is queued (a sink closing its producer loses no record)", async () => {
    const topic = uniqueTopic("none-close");
    await createTopics(bootstrap, [topic], 1);
    const producer = new RecordProducer({ bootstrap: [bootstrap], clientId: "t", transform: "Write", guarantee: "none" });
    for (let i = 0; i < 300; i++) producer.send({ topic, value: value(`v${i}`) });
    await producer.close();
    expect((await readCommitted(bootstrap, topic)).map((r) => r.value)).to.deep.equal(Array.from({ length: 300 }, (_, i) => `v${i}`));
  });

  it("an unreachable broker fails the flush with an error naming the address", async () => {
    const producer = new RecordProducer({
      bootstrap: ["127.0.0.1:1"],
      clientId: "t",
      transform: "WriteClicks",
      guarantee: "at-least-once",
    });
    producer.send({ topic: "anything", value: value("x") });
    const error = await rejection(producer.flush());
    await producer.close();
    expect(error.message).to.contain("WriteClicks").and.to.contain("127.0.0.1:1");
  });

  it("a missing topic fails the flush with an error naming the topic", async () => {
    const producer = new RecordProducer({ bootstrap: [bootstrap], clientId: "t", transform: "WriteClicks", guarantee: "at-least-once" });
    const topic = uniqueTopic("no-such-topic");
    producer.send({ topic, value: value("x") });
    const error = await rejection(producer.flush());
    await producer.close();
    expect(error.message).to.contain("WriteClicks").and.to.contain(topic);
  });
});
