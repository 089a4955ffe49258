// State cells kept in the engine (State API), as user code sees them between load and persist.
import { expect } from "chai";
import * as mr from "../../../index";
import { VarIntCoder } from "../../../portability/coders/standard/varint";
import type { Coder } from "../../../portability/coders/coder";
import { remoteCell } from "../../../portability/fn_harness/remote_state_cells";
import type { StateChannel } from "../../../portability/fn_harness/state_channel";
import type { CombiningState } from "../../../sdk/state/state_specs";

describe("Fn API harness: remote state cells", () => {
  it("a combining cell read while empty stays empty, and is not written back", async () => {
    const coder = new VarIntCoder() as unknown as Coder<unknown>;
    const cell = remoteCell(
      { transformId: "T", userStateId: "sum", key: new Uint8Array([1]), window: new Uint8Array([0]) },
      { kind: "combining", combineFn: mr.combiners.sum() as never, coder },
      "T",
      coder,
    );
    const calls: string[] = [];
    const channel = {
      get: async () => {
        calls.push("get");
        return new Uint8Array(0);
      },
      clear: async () => void calls.push("clear"),
      append: async () => void calls.push("append"),
    } as unknown as StateChannel;
    await cell.load(channel, "b1");
    const state = cell.api as CombiningState<number, number>;
    expect(state.read()).to.equal(0);
    expect(state.isEmpty(), "reading an empty cell leaves it empty").to.equal(true);
    await cell.persist(channel, "b1");
    expect(calls).to.deep.equal(["get"]);
    state.add(4);
    expect(state.isEmpty()).to.equal(false);
    expect(state.read()).to.equal(4);
  });
});
