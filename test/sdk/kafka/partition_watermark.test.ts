import { expect } from "chai";
import { MIN_TIMESTAMP } from "../../../model/time";
import { CombinedWatermark, PartitionWatermark } from "../../../sdk/io/kafka/partition_watermark";

describe("kafka source: per-partition watermarks (Flink's WatermarkStrategy)", () => {
  it("bounded out-of-orderness: the largest timestamp seen, minus the bound, minus 1 ms, never going back", () => {
    const w = new PartitionWatermark({ maxOutOfOrdernessMs: 100 }, 0);
    expect(w.watermark()).to.equal(MIN_TIMESTAMP);
    w.onRecord(1000, 1);
    expect(w.watermark()).to.equal(899);
    w.onRecord(500, 2);
    expect(w.watermark()).to.equal(899);
    w.onRecord(2000, 3);
    expect(w.watermark()).to.equal(1899);
  });

  it("the combined watermark is the slowest active partition's, and a partition idle past the timeout stops holding it", () => {
    const a = new PartitionWatermark({ idleTimeoutMs: 1000 }, 0);
    const b = new PartitionWatermark({ idleTimeoutMs: 1000 }, 0);
    const combined = new CombinedWatermark();
    a.onRecord(5000, 10);
    b.onRecord(2000, 10);
    expect(combined.current([a, b], 20)).to.equal(1999);
    a.onRecord(8000, 900);
    // b has been silent for 1000 ms of processing time at 1010: idle.
    expect(combined.current([a, b], 1009)).to.equal(1999);
    expect(combined.current([a, b], 1010)).to.equal(7999);
    // b comes back with an older record: active again, but the combined watermark never goes back.
    b.onRecord(3000, 1100);
    expect(combined.current([a, b], 1100)).to.equal(7999);
  });

  it("a partition that never had a record holds the watermark until it is idle", () => {
    const a = new PartitionWatermark({ idleTimeoutMs: 500 }, 0);
    const empty = new PartitionWatermark({ idleTimeoutMs: 500 }, 0);
    const combined = new CombinedWatermark();
    a.onRecord(100, 400);
    expect(combined.current([a, empty], 400)).to.equal(MIN_TIMESTAMP);
    expect(combined.current([a, empty], 500)).to.equal(99);
  });

  it("without an idle timeout a silent partition holds the watermark forever; restored state keeps the largest timestamp", () => {
    const a = new PartitionWatermark({}, 0);
    const b = new PartitionWatermark({}, 0);
    a.onRecord(100, 0);
    b.onRecord(50, 0);
    expect(new CombinedWatermark().current([a, b], 1e12)).to.equal(49);
    const restored = new PartitionWatermark({}, 0, b.state());
    expect(restored.watermark()).to.equal(49);
  });
});
