/**
 * The one watermark rule of every runner (runners/core/watermarks): input
 * watermarks are the lowest of inputs and queued timestamps; output
 * watermarks are held by side inputs, holds (after flushing partial
 * combines) and pushed-back elements; neither ever goes back.
 */
import { expect } from "chai";
import { lowestWatermark, nextInputWatermark, nextOutputWatermark, type WatermarkHolds } from "../../../runners/core/watermarks";

/** A node's holds: a partial combine at `partial` (emitted by flush) and a timer hold at `timer`. */
function holdsOf(partial: number, timer: number): WatermarkHolds & { flushes: number } {
  return {
    flushes: 0,
    watermarkHold() {
      return Math.min(partial, timer);
    },
    flush() {
      this.flushes++;
      partial = Infinity;
    },
  };
}

describe("runners/core: watermarks", () => {
  describe("input watermark", () => {
    it("is the lowest of the inputs and of the queued timestamps", () => {
      expect(nextInputWatermark(-Infinity, 100, 40)).to.equal(40);
      expect(nextInputWatermark(-Infinity, 30, 40)).to.equal(30);
      expect(nextInputWatermark(-Infinity, 30)).to.equal(30);
    });

    it("never goes back: a late element queued does not pull it back", () => {
      expect(nextInputWatermark(50, 100, 10)).to.equal(50);
      expect(nextInputWatermark(50, 20)).to.equal(50);
    });

    it("reads the lowest watermark of several PCollections, an unknown one at -infinity, none at +infinity", () => {
      const wms = new Map([
        ["a", 10],
        ["b", 5],
      ]);
      expect(lowestWatermark(["a", "b"], (pc) => wms.get(pc))).to.equal(5);
      expect(lowestWatermark(["a", "c"], (pc) => wms.get(pc))).to.equal(-Infinity);
      expect(lowestWatermark([], (pc) => wms.get(pc))).to.equal(Infinity);
    });
  });

  describe("output watermark", () => {
    it("is the input when nothing holds it", () => {
      expect(nextOutputWatermark({ input: 70, sideInputs: Infinity, pushedBack: Infinity, previous: -Infinity })).to.equal(70);
    });

    it("is held by the side inputs and by pushed-back elements", () => {
      expect(nextOutputWatermark({ input: 70, sideInputs: 60, pushedBack: Infinity, previous: -Infinity })).to.equal(60);
      expect(nextOutputWatermark({ input: 70, sideInputs: 60, pushedBack: 55, previous: -Infinity })).to.equal(55);
    });

    it("flushes partial combines that hold it back, then is held only by what remains (timers)", () => {
      const holds = holdsOf(20, 40);
      expect(nextOutputWatermark({ input: 70, sideInputs: Infinity, pushedBack: Infinity, previous: -Infinity }, holds)).to.equal(40);
      expect(holds.flushes).to.equal(1);
    });

    it("does not flush partial combines that do not hold it back", () => {
      const holds = holdsOf(90, 95);
      expect(nextOutputWatermark({ input: 70, sideInputs: Infinity, pushedBack: Infinity, previous: -Infinity }, holds)).to.equal(70);
      expect(holds.flushes).to.equal(0);
    });

    it("emits complete windows' partials first, with the input watermark, and then flushes nothing when the open windows' partials do not hold it back", () => {
      // Partials of a complete window (held at 20) and of an open one (held at its end, 90).
      const partials = new Map([
        [20, "complete"],
        [90, "open"],
      ]);
      const calls: string[] = [];
      const holds: WatermarkHolds = {
        watermarkHold: () => Math.min(...partials.keys()),
        flushCompleteWindows: (input) => {
          calls.push(`complete before ${input}`);
          for (const at of [...partials.keys()]) if (at < input) partials.delete(at);
        },
        flush: () => {
          calls.push("flush");
          partials.clear();
        },
      };
      expect(nextOutputWatermark({ input: 70, sideInputs: 60, pushedBack: Infinity, previous: -Infinity }, holds)).to.equal(60);
      expect(calls).to.deep.equal(["complete before 70"]);
      expect([...partials.values()]).to.deep.equal(["open"]);
    });

    it("is held by a hold that cannot be flushed (a grouping's panes)", () => {
      expect(
        nextOutputWatermark({ input: 70, sideInputs: Infinity, pushedBack: Infinity, previous: -Infinity }, { watermarkHold: () => 30 }),
      ).to.equal(30);
    });

    it("never goes back: a late element pushed back does not pull it back", () => {
      expect(nextOutputWatermark({ input: 70, sideInputs: Infinity, pushedBack: 10, previous: 50 })).to.equal(50);
    });
  });
});
