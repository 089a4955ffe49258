/**
 * WatermarkValve, a subtask's input time: the minimum over its channels,
 * only ever moving forward, optionally counting only channels that spoke
 * (scripted clocks), and raised on restore.
 */
import { expect } from "chai";
import { WatermarkValve } from "../../../runners/stream/watermark_valve";

describe("stream runner: watermark valve", () => {
  it("is the minimum over the channels, held at the initial value until every channel has spoken", () => {
    const v = new WatermarkValve(3, -Infinity);
    expect(v.value).to.equal(-Infinity);
    expect(v.update(0, 10)).to.equal(false);
    expect(v.update(1, 20)).to.equal(false);
    expect(v.value).to.equal(-Infinity);
    expect(v.update(2, 5)).to.equal(true);
    expect(v.value).to.equal(5);
    expect(v.update(2, 30)).to.equal(true);
    expect(v.value).to.equal(10);
    expect(v.update(0, 25)).to.equal(true);
    expect(v.value).to.equal(20);
  });

  it("reports a move only when the minimum moves, not when another channel does", () => {
    const v = new WatermarkValve(2, -Infinity);
    v.update(0, 1);
    v.update(1, 1);
    expect(v.update(1, 50)).to.equal(false);
    expect(v.value).to.equal(1);
    expect(v.update(0, 40)).to.equal(true);
    expect(v.value).to.equal(40);
  });

  it("only moves forward: a channel going back, or repeating itself, changes nothing", () => {
    const v = new WatermarkValve(2, -Infinity);
    v.update(0, 100);
    v.update(1, 100);
    expect(v.value).to.equal(100);
    expect(v.update(0, 50)).to.equal(false);
    expect(v.update(0, 100)).to.equal(false);
    expect(v.value).to.equal(100);
    // The ignored value does not count later either: channel 0 is still at 100, not 50.
    expect(v.update(1, 200)).to.equal(false);
    expect(v.value).to.equal(100);
    expect(v.update(0, 150)).to.equal(true);
    expect(v.value).to.equal(150);
  });

  it("reaches +Infinity once every channel has ended", () => {
    const v = new WatermarkValve(2, -Infinity);
    v.update(0, Infinity);
    expect(v.value).to.equal(-Infinity);
    expect(v.update(1, Infinity)).to.equal(true);
    expect(v.value).to.equal(Infinity);
  });

  it("without channels, a normal valve has nothing to wait for (+Infinity)", () => {
    expect(new WatermarkValve(0, -Infinity).value).to.equal(Infinity);
    expect(new WatermarkValve(0, -Infinity).anySpoke).to.equal(false);
  });

  describe("only speakers (scripted clocks)", () => {
    it("ignores channels that never spoke: the minimum is over those that did", () => {
      const v = new WatermarkValve(3, 0, true);
      expect(v.value).to.equal(0);
      expect(v.anySpoke).to.equal(false);
      expect(v.update(1, 1000)).to.equal(true);
      expect(v.anySpoke).to.equal(true);
      expect(v.value).to.equal(1000);
      expect(v.update(2, 3000)).to.equal(false);
      expect(v.value).to.equal(1000);
      expect(v.update(1, 5000)).to.equal(true);
      expect(v.value).to.equal(3000);
    });

    it("still only moves forward", () => {
      const v = new WatermarkValve(2, 0, true);
      v.update(0, 2000);
      // A new speaker behind the current value cannot pull it back.
      expect(v.update(1, 500)).to.equal(false);
      expect(v.value).to.equal(2000);
    });

    it("without channels keeps its initial value", () => {
      const v = new WatermarkValve(0, 0, true);
      expect(v.value).to.equal(0);
    });
  });

  describe("raiseTo (a restored subtask resumes where it was)", () => {
    it("raises the current value, never lowers it", () => {
      const v = new WatermarkValve(2, -Infinity);
      v.raiseTo(500);
      expect(v.value).to.equal(500);
      v.raiseTo(100);
      expect(v.value).to.equal(500);
    });

    it("keeps the restored value until the channels' minimum passes it", () => {
      const v = new WatermarkValve(2, -Infinity);
      v.raiseTo(500);
      expect(v.update(0, 300)).to.equal(false);
      expect(v.update(1, 400)).to.equal(false);
      expect(v.value).to.equal(500);
      expect(v.update(0, 700)).to.equal(false);
      expect(v.update(1, 600)).to.equal(true);
      expect(v.value).to.equal(600);
    });
  });

  describe("idle channels (Flink's WatermarkStatus.IDLE)", () => {
    it("an idle channel does not hold the minimum back; active again, it counts from its next value", () => {
      const v = new WatermarkValve(2, -Infinity);
      v.update(0, 100);
      expect(v.value).to.equal(-Infinity);
      expect(v.setIdle(1, true)).to.equal(true);
      expect(v.value).to.equal(100);
      expect(v.update(0, 200)).to.equal(true);
      expect(v.value).to.equal(200);
      // Back with an older value: the minimum never goes back, and waits for the channel to catch up.
      expect(v.setIdle(1, false)).to.equal(false);
      expect(v.update(1, 150)).to.equal(false);
      expect(v.update(0, 400)).to.equal(false);
      expect(v.value).to.equal(200);
      expect(v.update(1, 300)).to.equal(true);
      expect(v.value).to.equal(300);
    });

    it("when every channel is idle the minimum stays, and the valve says it is idle", () => {
      const v = new WatermarkValve(2, -Infinity);
      v.update(0, 100);
      v.update(1, 50);
      expect(v.allIdle).to.equal(false);
      expect(v.setIdle(1, true)).to.equal(true);
      expect(v.value).to.equal(100);
      expect(v.setIdle(0, true)).to.equal(false);
      expect(v.value).to.equal(100);
      expect(v.allIdle).to.equal(true);
      expect(v.setIdle(0, false)).to.equal(false);
      expect(v.allIdle).to.equal(false);
    });

    it("a finished channel beside idle ones does not move the minimum to the end of time", () => {
      const v = new WatermarkValve(3, -Infinity);
      v.update(0, 100);
      v.update(1, 100);
      expect(v.update(2, Infinity)).to.equal(true);
      expect(v.value).to.equal(100);
      v.setIdle(0, true);
      expect(v.value).to.equal(100);
      expect(v.setIdle(1, true)).to.equal(false);
      expect(v.value).to.equal(100);
      expect(v.allIdle).to.equal(true);
      // Once the idle channels finish too, the end of time comes through.
      v.setIdle(0, false);
      v.setIdle(1, false);
      v.update(0, Infinity);
      expect(v.update(1, Infinity)).to.equal(true);
      expect(v.value).to.equal(Infinity);
    });

    it("a channel that never spoke and is idle does not hold the minimum back", () => {
      const v = new WatermarkValve(2, -Infinity);
      v.setIdle(1, true);
      expect(v.update(0, 10)).to.equal(true);
      expect(v.value).to.equal(10);
    });
  });
});
