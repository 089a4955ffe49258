/**
 * Side input pushback (runners/core/side_input_pushback), the one rule of
 * every runner: a main window is fed when each side input's own watermark
 * has passed the end of the side window it maps to; the others wait,
 * window by window, and hold the output watermark.
 */
import { expect } from "chai";
import { SideInputPushback } from "../../../runners/core/side_input_pushback";
import type { SideWindowFn } from "../../../runners/core/side_input_views";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { WindowedValue } from "../../../model/windowed_value";
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

const FIXED_10: SideWindowFn = { kind: "fixed", sizeMs: 10, offsetMs: 0 };
const FIXED_100: SideWindowFn = { kind: "fixed", sizeMs: 100, offsetMs: 0 };

function element(value: unknown, timestamp: number, ...windows: BoundedWindow[]): WindowedValue {
  return { value, timestamp, windows, pane: NO_FIRING };
}

/** Records what is fed. */
function recorder(): ElementReceiver & { got: { value: unknown; windows: readonly BoundedWindow[] }[] } {
  const got: { value: unknown; windows: readonly BoundedWindow[] }[] = [];
  return { got, receive: (value, _ts, windows) => got.push({ value, windows }) };
}

describe("runners/core: side input pushback", () => {
  it("feeds every element as it is when the stage reads no side input", () => {
    const pushback = new SideInputPushback(new Map());
    const out = recorder();
    const two = [intervalWindow(0, 10), intervalWindow(5, 15)];
    pushback.feed([element("a", 7, ...two)], () => -Infinity, out);
    expect(out.got).to.deep.equal([{ value: "a", windows: two }]);
    expect(pushback.size).to.equal(0);
  });

  it("keeps an element of a window whose group was released in a new group (one window object, many elements)", () => {
    const pushback = new SideInputPushback(new Map([["side", FIXED_10]]));
    const wms = new Map([["side", 0]]);
    const wmOf = (pc: string): number => wms.get(pc)!;
    const out = recorder();
    const w = intervalWindow(0, 10);
    pushback.feed([element("a", 1, w), element("b", 2, w)], wmOf, out);
    wms.set("side", 10);
    expect(pushback.release(wmOf, out)).to.equal(2);
    // A restored element of the same window, kept as it is: it must land in a live group and come out again.
    pushback.keep(element("c", 3, w));
    expect(pushback.size).to.equal(1);
    expect(pushback.release(wmOf, out)).to.equal(1);
    expect(out.got.map((g) => g.value)).to.deep.equal(["a", "b", "c"]);
  });

  it("feeds a window once the side window it maps to is complete, and keeps the others until then", () => {
    const pushback = new SideInputPushback(new Map([["side", FIXED_10]]));
    const wms = new Map([["side", 9]]);
    const wmOf = (pc: string): number => wms.get(pc)!;
    const out = recorder();
    // [0,10) is complete once the side watermark passes 9; [10,20) once it passes 19.
    pushback.feed([element("early", 3, intervalWindow(0, 10)), element("late", 13, intervalWindow(10, 20))], wmOf, out);
    expect(out.got.map((g) => g.value)).to.deep.equal([]);
    expect(pushback.size).to.equal(2);
    expect(pushback.minTimestamp).to.equal(3);

    wms.set("side", 10);
    expect(pushback.hasReleasable(wmOf)).to.equal(true);
    expect(pushback.release(wmOf, out)).to.equal(1);
    expect(out.got.map((g) => g.value)).to.deep.equal(["early"]);
    expect(pushback.minTimestamp).to.equal(13);
    expect(pushback.hasReleasable(wmOf)).to.equal(false);

    wms.set("side", Infinity);
    pushback.release(wmOf, out);
    expect(out.got.map((g) => g.value)).to.deep.equal(["early", "late"]);
    expect(pushback.size).to.equal(0);
    expect(pushback.minTimestamp).to.equal(Infinity);
  });

  it("splits an element in several windows and feeds each window when it is ready", () => {
    const pushback = new SideInputPushback(new Map([["side", FIXED_10]]));
    const out = recorder();
    const w1 = intervalWindow(0, 10);
    const w2 = intervalWindow(5, 15);
    pushback.feed([element("x", 7, w1, w2)], () => 10, out);
    expect(out.got).to.deep.equal([{ value: "x", windows: [w1] }]);
    expect(pushback.elements()).to.deep.equal([element("x", 7, w2)]);
  });

  it("judges each side input against its own watermark (Beam's rule), not the lowest of all", () => {
    // Main window [0,10) reads side window [0,10) of "fast" (complete after 9)
    // and [0,100) of "slow" (complete after 99).
    const pushback = new SideInputPushback(
      new Map([
        ["fast", FIXED_10],
        ["slow", FIXED_100],
      ]),
    );
    const wms = new Map([
      ["fast", 50],
      ["slow", 50],
    ]);
    const wmOf = (pc: string): number => wms.get(pc)!;
    const out = recorder();
    pushback.feed([element("a", 1, intervalWindow(0, 10))], wmOf, out);
    expect(out.got).to.have.length(0);
    // "fast" stays at 50 (far past its window), "slow" passes 99: ready, though the lowest watermark is 50.
    wms.set("slow", 100);
    expect(pushback.release(wmOf, out)).to.equal(1);
    expect(out.got.map((g) => g.value)).to.deep.equal(["a"]);
  });

  it("waits for every side input: one complete side input does not release an element", () => {
    const pushback = new SideInputPushback(
      new Map([
        ["a", FIXED_10],
        ["b", FIXED_10],
      ]),
    );
    const wms = new Map([
      ["a", Infinity],
      ["b", 5],
    ]);
    const out = recorder();
    pushback.feed([element("v", 1, intervalWindow(0, 10))], (pc) => wms.get(pc)!, out);
    expect(pushback.hasReleasable((pc) => wms.get(pc)!)).to.equal(false);
    expect(out.got).to.have.length(0);
  });

  it("reads a globally windowed side input only at the end of time", () => {
    const pushback = new SideInputPushback(new Map([["side", { kind: "global" } as SideWindowFn]]));
    const out = recorder();
    pushback.feed([element("g", 0, GLOBAL_WINDOW)], () => 1e15, out);
    expect(out.got).to.have.length(0);
    pushback.release(() => Infinity, out);
    expect(out.got.map((g) => g.value)).to.deep.equal(["g"]);
  });

  it("keeps restored elements where they wait, recomputed from their windows", () => {
    const pushback = new SideInputPushback(new Map([["side", FIXED_10]]));
    pushback.keep(element("r", 12, intervalWindow(10, 20)));
    const out = recorder();
    expect(pushback.release(() => 19, out)).to.equal(0);
    expect(pushback.release(() => 20, out)).to.equal(1);
  });
});
