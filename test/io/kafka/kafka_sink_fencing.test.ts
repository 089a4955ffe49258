/**
 * The stream runner's Kafka sink against a newer attempt: restoring an
 * older checkpoint aborts the transactions a later attempt began (fencing
 * its producer), and the fenced attempt can no longer commit: it fails
 * with an error naming the transform and the transaction, and nothing it
 * wrote becomes visible.
 */
import { expect } from "chai";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { readCommittedOnceVisible } from "../../support/kafka_topic_reader";
import { TwoPhaseKafkaSink } from "../../../runners/stream/sinks/two_phase_kafka_sink";
import type { KafkaSinkPayload } from "../../../sdk/io/kafka/kafka_sink_payload";

describe("stream Kafka sink: a producer fenced by a newer attempt (real broker)", function () {
  this.timeout(120_000);
  let bootstrap: string;
  before(async () => (bootstrap = await kafkaBootstrap()));

  it("a restore of an earlier checkpoint aborts the later attempt's transaction; that attempt's commit fails naming the transform", async () => {
    const topic = uniqueTopic("fenced");
    await createTopics(bootstrap, [topic]);
    const sink: KafkaSinkPayload = {
      bootstrapServers: [bootstrap],
      deliveryGuarantee: "exactly-once",
      transactionalIdPrefix: uniqueTopic("fence-prefix"),
      transactionTimeoutMs: 60_000,
    };
    const value = (s: string) => new Uint8Array(Buffer.from(s));

    // The first attempt writes and pre-commits at checkpoint 1 ...
    const old = new TwoPhaseKafkaSink("WriteOut", sink, 0);
    old.receive({ topic, value: value("from the old attempt") });
    const snapshot = old.preCommit(1) as { pending: readonly unknown[] };
    expect(snapshot.pending).to.have.length(1);

    // ... but a newer attempt starts from the state before it (no checkpoint yet) and aborts what it finds.
    const newer = new TwoPhaseKafkaSink("WriteOut", sink, 0);
    newer.restore({ kind: "kafka", nextSequence: 0, pending: [] });

    expect(() => old.commitUpTo(1)).to.throw(/WriteOut: cannot commit Kafka transaction '.*-0-0'.*newer producer/);

    newer.receive({ topic, value: value("from the new attempt") });
    newer.preCommit(1);
    newer.commitUpTo(1);
    old.teardown();
    newer.teardown();
    expect((await readCommittedOnceVisible(bootstrap, topic, 1)).map((r) => r.value)).to.deep.equal(["from the new attempt"]);
  });
});
