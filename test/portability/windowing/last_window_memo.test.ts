import { expect } from "chai";
import { LastWindowMemo } from "../../../portability/windowing/last_window_memo";
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow } from "../../../model/windows";

describe("LastWindowMemo", () => {
  it("computes again only when the window changes, by identity or by equal bounds, and after clear", () => {
    const computed: BoundedWindow[] = [];
    const memo = new LastWindowMemo((w) => {
      computed.push(w);
      return computed.length;
    });
    const w = intervalWindow(0, 10);
    expect(memo.get(w)).to.equal(1);
    expect(memo.get(w)).to.equal(1);
    expect(memo.get(intervalWindow(0, 10)), "a decoded copy of the same window").to.equal(1);
    expect(memo.get(intervalWindow(10, 20))).to.equal(2);
    expect(memo.get(GLOBAL_WINDOW)).to.equal(3);
    expect(memo.get(GLOBAL_WINDOW)).to.equal(3);
    memo.clear();
    expect(memo.get(GLOBAL_WINDOW)).to.equal(4);
  });
});
