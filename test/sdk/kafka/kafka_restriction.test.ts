import { expect } from "chai";
import { KafkaRestrictionTracker, UNBOUNDED_OFFSET } from "../../../sdk/io/kafka/kafka_restriction";

const p0 = { topic: "t", partition: 0 };
const p1 = { topic: "t", partition: 1 };

describe("kafka source: restriction tracker", () => {
  it("a checkpoint (split at 0) keeps what was claimed and hands the rest on, skipped offsets included", () => {
    const tracker = new KafkaRestrictionTracker({ partitions: [{ ...p0, from: 5, to: UNBOUNDED_OFFSET }] });
    expect(tracker.tryClaim({ kind: "record", index: 0, offset: 5 })).to.equal(true);
    expect(tracker.tryClaim({ kind: "record", index: 0, offset: 7 })).to.equal(true);
    // An abort marker at 8 and an aborted batch at 9-10: the fetch skipped them.
    expect(tracker.tryClaim({ kind: "skip", index: 0, nextOffset: 11 })).to.equal(true);
    const split = tracker.trySplit(0)!;
    expect(split.primary.partitions).to.deep.equal([{ ...p0, from: 5, to: 11 }]);
    expect(split.residual.partitions).to.deep.equal([{ ...p0, from: 11, to: UNBOUNDED_OFFSET }]);
    expect(tracker.tryClaim({ kind: "record", index: 0, offset: 11 }), "nothing past the split").to.equal(false);
    tracker.checkDone();
  });

  it("a record budget (maxRecords) is shared by the partitions of the restriction and carried into the residual", () => {
    const tracker = new KafkaRestrictionTracker({
      partitions: [
        { ...p0, from: 0, to: UNBOUNDED_OFFSET },
        { ...p1, from: 0, to: UNBOUNDED_OFFSET },
      ],
      recordsLeft: 3,
    });
    expect(tracker.isBounded()).to.equal(true);
    expect(tracker.tryClaim({ kind: "record", index: 0, offset: 0 })).to.equal(true);
    expect(tracker.tryClaim({ kind: "record", index: 1, offset: 0 })).to.equal(true);
    const split = tracker.trySplit(0)!;
    expect(split.residual.recordsLeft).to.equal(1);
    const rest = new KafkaRestrictionTracker(split.residual);
    expect(rest.tryClaim({ kind: "record", index: 1, offset: 1 })).to.equal(true);
    expect(rest.tryClaim({ kind: "record", index: 0, offset: 1 }), "the budget is spent").to.equal(false);
    rest.tryClaim({ kind: "end" });
    rest.checkDone();
  });

  it("a bounded partition (end offsets at start) is done when its offsets are claimed or skipped to the end, and splits like an offset range", () => {
    const tracker = new KafkaRestrictionTracker({ partitions: [{ ...p0, from: 0, to: 10 }] });
    const half = tracker.trySplit(0.5)!;
    expect(half.primary.partitions[0]).to.deep.equal({ ...p0, from: 0, to: 5 });
    expect(half.residual.partitions[0]).to.deep.equal({ ...p0, from: 5, to: 10 });
    expect(() => tracker.checkDone()).to.throw(/topic 't' partition 0 from offset 0/);
    tracker.tryClaim({ kind: "record", index: 0, offset: 2 });
    tracker.tryClaim({ kind: "skip", index: 0, nextOffset: 99 });
    expect(tracker.partitionDone(0)).to.equal(true);
    tracker.checkDone();
  });

  it("partition discovery grows the restriction once per partition and keeps it unbounded until it ends", () => {
    const tracker = new KafkaRestrictionTracker({ partitions: [{ ...p0, from: 0, to: UNBOUNDED_OFFSET }], discovery: { known: ["t/0"] } });
    expect(tracker.isBounded()).to.equal(false);
    expect(tracker.tryClaim({ kind: "partition", range: { ...p1, from: 0, to: UNBOUNDED_OFFSET } })).to.equal(true);
    tracker.tryClaim({ kind: "partition", range: { ...p1, from: 0, to: UNBOUNDED_OFFSET } });
    expect(tracker.currentRestriction().partitions.map((r) => r.partition)).to.deep.equal([0, 1]);
    const split = tracker.trySplit(0)!;
    expect(split.residual.discovery).to.deep.equal({ known: ["t/0", "t/1"] });
    expect(split.primary.discovery).to.equal(undefined);
  });
});
