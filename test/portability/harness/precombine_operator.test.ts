/**
 * The first phase of a lifted combine: partial accumulators per key and
 * window, emitted on flush, and (for windows the input watermark has passed)
 * as soon as the runner says the watermark moved.
 */
import { expect } from "chai";
import { PrecombineOperator } from "../../../portability/harness/precombine_operator";
import { JS_VALUE_CODER } from "../../../portability/coders";
import { combiners } from "../../../sdk/transforms/combiners";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { NO_FIRING } from "../../../model/pane";
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow } from "../../../model/windows";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";

interface Emitted {
  key: unknown;
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
}

function precombine(): { op: PrecombineOperator; out: Emitted[] } {
  const out: Emitted[] = [];
  const receiver: ElementReceiver = {
    receive: (v, timestamp, windows) => {
      const kv = v as { key: unknown; value: unknown };
      out.push({ key: kv.key, value: kv.value, timestamp, window: windows[0]! });
    },
  };
  const sum = combiners.sum() as CombineFn<unknown, unknown, unknown>;
  return { op: new PrecombineOperator("Sum", sum, JS_VALUE_CODER, "earliest", receiver), out };
}

const W0 = intervalWindow(0, 10);
const W1 = intervalWindow(10, 20);

describe("PrecombineOperator", () => {
  it("sums per key and window and emits everything on flush", () => {
    const { op, out } = precombine();
    op.receive({ key: "a", value: 1 }, 1, [W0], NO_FIRING);
    op.receive({ key: "a", value: 2 }, 2, [W0], NO_FIRING);
    op.receive({ key: "b", value: 5 }, 12, [W1], NO_FIRING);
    expect(out).to.deep.equal([]);
    expect(op.watermarkHold()).to.equal(1);
    op.flush();
    expect(out).to.have.deep.members([
      { key: "a", value: 3, timestamp: 1, window: W0 },
      { key: "b", value: 5, timestamp: 12, window: W1 },
    ]);
    expect(op.watermarkHold()).to.equal(Infinity);
  });

  it("emits the windows a watermark has passed, keeps the open ones, and holds the watermark by what it keeps", () => {
    const { op, out } = precombine();
    op.receive({ key: "a", value: 1 }, 3, [W0], NO_FIRING);
    op.receive({ key: "b", value: 4 }, 15, [W1], NO_FIRING);
    op.receive({ key: "a", value: 2 }, 5, [W0], NO_FIRING);
    // W0's last timestamp is 9: a watermark of 9 does not complete it.
    op.flushCompleteWindows(9);
    expect(out).to.deep.equal([]);
    op.flushCompleteWindows(10);
    expect(out).to.deep.equal([{ key: "a", value: 3, timestamp: 3, window: W0 }]);
    expect(op.watermarkHold()).to.equal(15);
    // A late element of W0 starts a new partial, emitted like any other.
    op.receive({ key: "a", value: 7 }, 8, [W0], NO_FIRING);
    expect(op.watermarkHold()).to.equal(8);
    op.flushCompleteWindows(11);
    expect(out.slice(1)).to.deep.equal([{ key: "a", value: 7, timestamp: 8, window: W0 }]);
    expect(op.watermarkHold()).to.equal(15);
    op.flushCompleteWindows(Infinity);
    expect(out.slice(2)).to.deep.equal([{ key: "b", value: 4, timestamp: 15, window: W1 }]);
    expect(op.watermarkHold()).to.equal(Infinity);
  });

  it("never emits the global window's partials on a watermark short of the end of time", () => {
    const { op, out } = precombine();
    op.receive({ key: "a", value: 1 }, 3, [GLOBAL_WINDOW], NO_FIRING);
    op.flushCompleteWindows(1e15);
    expect(out).to.deep.equal([]);
    op.flush();
    expect(out).to.deep.equal([{ key: "a", value: 1, timestamp: 3, window: GLOBAL_WINDOW }]);
  });
});
