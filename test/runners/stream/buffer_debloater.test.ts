/**
 * Buffer debloating alone, with a hand-driven clock: the buffer size a
 * receiver announces follows its measured throughput so that a channel's
 * credit's worth of buffers takes about the target time to consume.
 */
import { expect } from "chai";
import {
  BufferDebloater,
  DEBLOAT_PERIOD_MS,
  debloatedBufferRecords,
  MIN_DEBLOATED_RECORDS,
} from "../../../runners/stream/network/buffer_debloater";

describe("stream runner: buffer debloating", () => {
  it("sizes buffers so that `capacity` of them take the target time at the measured rate, within the minimum and the maximum", () => {
    expect(debloatedBufferRecords(2, 100, 4, 8, 2048)).to.equal(50); // 2 records/ms x 100 ms over 4 buffers
    expect(debloatedBufferRecords(0.01, 100, 4, 8, 2048)).to.equal(8);
    expect(debloatedBufferRecords(1000, 100, 4, 8, 2048)).to.equal(2048);
  });

  it("starts small, grows with the throughput it measures, shrinks when the consumer slows down, and says nothing within a period or for small changes", () => {
    const d = new BufferDebloater(100, 4, 2048, 0);
    expect(d.announced).to.equal(MIN_DEBLOATED_RECORDS);
    expect(d.sample(1000, DEBLOAT_PERIOD_MS - 1), "before a period has passed").to.equal(undefined);
    // 20 records/ms: 2,000 records in flight over 4 buffers.
    expect(d.sample(1000, DEBLOAT_PERIOD_MS)).to.equal(500);
    expect(d.sample(2000, 2 * DEBLOAT_PERIOD_MS), "the same rate again: no news").to.equal(undefined);
    // The consumer slows to 1 record/ms: the estimate halves towards it each period, until the size settles at 25.
    let taken = 2000;
    let now = 2 * DEBLOAT_PERIOD_MS;
    const sizes: number[] = [];
    for (let i = 0; i < 12; i++) {
      taken += DEBLOAT_PERIOD_MS;
      now += DEBLOAT_PERIOD_MS;
      const size = d.sample(taken, now);
      if (size !== undefined) sizes.push(size);
    }
    expect(sizes[0]).to.be.below(500);
    expect(sizes).to.deep.equal([...sizes].sort((a, b) => b - a));
    expect(d.announced).to.be.within(25, 28);
  });

  it("never announces more than a buffer can hold", () => {
    const d = new BufferDebloater(1000, 4, 64, 0);
    expect(d.sample(1_000_000, DEBLOAT_PERIOD_MS)).to.equal(64);
  });
});
