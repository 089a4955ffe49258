/**
 * The Kafka source's watermark estimator says when its restriction is idle
 * (every partition without records for `idleTimeoutMs`, or no partition
 * yet), which the stream runner passes on as an idle channel; a record
 * makes it active again.
 */
import { expect } from "chai";
import { KafkaWatermarkEstimator } from "../../../sdk/io/kafka/kafka_watermark_estimator";
import { MIN_TIMESTAMP } from "../../../model/time";

describe("Kafka watermark estimator: idleness", () => {
  let clock = 0;
  const now = (): number => clock;
  let reads = 0;
  const readId = (): string => `test-read-${reads++}`;

  beforeEach(() => {
    clock = 1_000_000;
  });

  it("is idle once every partition has been without records for idleTimeoutMs, and active again with a record", () => {
    const start = { maxTimestamp: MIN_TIMESTAMP, lastActivityMs: clock };
    const e = new KafkaWatermarkEstimator(readId(), { idleTimeoutMs: 1_000 }, { partitions: { "t/0": start, "t/1": start } }, now);
    expect(e.isIdle(clock)).to.equal(false);
    clock += 600;
    e.onRecord("t/0", 5_000);
    clock += 600;
    // t/1 is idle, t/0 is not (a record 600 ms ago).
    expect(e.isIdle(clock)).to.equal(false);
    clock += 400;
    expect(e.isIdle(clock)).to.equal(true);
    e.onRecord("t/1", 6_000);
    expect(e.isIdle(clock)).to.equal(false);
  });

  it("keeps its idleness clock in its state: an estimator rebuilt from it (as the runner does) agrees", () => {
    const e = new KafkaWatermarkEstimator(readId(), { idleTimeoutMs: 1_000 }, { partitions: {} }, now);
    e.onRecord("t/0", 5_000);
    const state = e.getState();
    clock += 1_000;
    expect(new KafkaWatermarkEstimator(readId(), { idleTimeoutMs: 1_000 }, state, now).isIdle(clock)).to.equal(true);
    expect(new KafkaWatermarkEstimator(readId(), { idleTimeoutMs: 1_000 }, state, now).isIdle(clock - 1)).to.equal(false);
  });

  it("without idleTimeoutMs a partition is never idle; a restriction with no partition yet (discovery only) always is", () => {
    const start = { maxTimestamp: MIN_TIMESTAMP, lastActivityMs: clock };
    const e = new KafkaWatermarkEstimator(readId(), {}, { partitions: { "t/0": start } }, now);
    expect(e.isIdle(clock + 1e9)).to.equal(false);
    expect(new KafkaWatermarkEstimator(readId(), {}, { partitions: {} }, now).isIdle(clock)).to.equal(true);
  });
});
