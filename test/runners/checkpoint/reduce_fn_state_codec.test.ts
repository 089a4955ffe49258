/**
 * The ReduceFnRunner checkpoint pieces alone: the per-key blob and header
 * codec, and the changed-key tracker that delta checkpoints are made from.
 */
import { expect } from "chai";
import { JS_VALUE_CODER } from "../../../portability/coders";
import { identityOf } from "../../../portability/values/canonical_key";
import { ChangedKeyTracker } from "../../../runners/core/checkpoint/changed_keys";
import {
  decodeKeyState,
  decodeRunnerHeader,
  encodeKeyState,
  encodeRunnerHeader,
  keyOfIdentity,
  type ReduceStateCoders,
} from "../../../runners/core/checkpoint/reduce_fn_state_codec";
import { CheckpointFormatError } from "../../../runners/core/checkpoint/snapshot_codec";
import type { KeyState, Slot } from "../../../runners/core/windowing/reduce_fn_state";
import { triggerStateMachine } from "../../../runners/core/windowing/triggers/trigger_state_machine";
import { GLOBAL_WINDOWING } from "../../../sdk/windowing/windowing_strategy";
import { GLOBAL_WINDOW } from "../../../model/windows";

const coders: ReduceStateCoders = { keyCoder: JS_VALUE_CODER, windowCoder: undefined, stateCoder: JS_VALUE_CODER, combining: false };
const emptyTrigger = triggerStateMachine(GLOBAL_WINDOWING.trigger).newState();

function keyState(key: unknown, values: unknown[]): KeyState {
  const ks: KeyState = { key, windows: new Map() };
  const slot: Slot = {
    ks,
    window: GLOBAL_WINDOW,
    id: "global",
    values,
    acc: undefined,
    hasAcc: false,
    newElements: values.length,
    elementHold: 5,
    extraHold: undefined,
    lastPane: undefined,
    lastNonSpeculative: 0,
    trigger: triggerStateMachine(GLOBAL_WINDOWING.trigger).newState(),
    closed: false,
    eventTimers: new Set([100, 50]),
    processingTimers: new Set(),
    eventSeq: new Map([
      [100, 7],
      [50, 8],
    ]),
    processingSeq: new Map(),
  };
  ks.windows.set(slot.id, slot);
  return ks;
}

describe("ReduceFnRunner checkpoint codec", () => {
  it("a key's blob reads back as its slots, timers in the order they were set", () => {
    const bytes = encodeKeyState(keyState("k", [1, "two", { three: 3 }]), coders);
    let key: unknown;
    const slots = decodeKeyState(bytes, coders, "test", emptyTrigger, (k) => (key = k));
    expect(key).to.equal("k");
    expect(slots).to.have.length(1);
    const s = slots[0]!;
    expect(s.values).to.deep.equal([1, "two", { three: 3 }]);
    expect(s.newElements).to.equal(3);
    expect(s.elementHold).to.equal(5);
    expect(s.extraHold).to.equal(undefined);
    expect(s.eventTimers).to.deep.equal([
      [100, 7],
      [50, 8],
    ]);
  });

  it("refuses bytes of another layout, and lets the caller refuse the key before the slots are read", () => {
    const header = encodeRunnerHeader({
      inputWatermark: 1,
      outputWatermark: 0,
      processingTime: 2,
      timerSeq: 3,
      droppedDueToClosedWindow: 4,
    });
    expect(() => decodeKeyState(header, coders, "key 'k'", emptyTrigger, () => undefined)).to.throw(CheckpointFormatError, /key 'k'/);
    const bytes = encodeKeyState(keyState("k", [1]), coders);
    expect(() =>
      decodeKeyState(bytes, coders, "x", emptyTrigger, () => {
        throw new Error("wrong key");
      }),
    ).to.throw("wrong key");
  });

  it("the header round-trips, infinities included", () => {
    const h = { inputWatermark: -Infinity, outputWatermark: Infinity, processingTime: 12.5, timerSeq: 9, droppedDueToClosedWindow: 2 };
    expect(decodeRunnerHeader(encodeRunnerHeader(h), "h")).to.deep.equal(h);
  });

  it("an identity names its key back; anything else is refused naming the transform", () => {
    expect(keyOfIdentity(identityOf(JS_VALUE_CODER, "abc"), JS_VALUE_CODER, "G")).to.equal("abc");
    expect(keyOfIdentity(identityOf(JS_VALUE_CODER, [1, 2]), JS_VALUE_CODER, "G")).to.deep.equal([1, 2]);
    expect(() => keyOfIdentity("zz", JS_VALUE_CODER, "G")).to.throw("ReduceFnRunner 'G': 'zz' is not a key identity");
  });
});

describe("ChangedKeyTracker", () => {
  interface K {
    id: string;
    holds: boolean;
  }
  const tracker = (fromStart: boolean): ChangedKeyTracker<K> =>
    new ChangedKeyTracker<K>(
      fromStart,
      (k) => k.holds,
      (k) => k.id,
    );

  it("records nothing until started, then reports every key holding state on the first drain", () => {
    const t = tracker(false);
    const a = { id: "a", holds: true };
    const b = { id: "b", holds: false };
    t.mark(a);
    expect(t.has(a)).to.equal(false);
    const first = t.drain([a, b]);
    expect([...first.changed]).to.deep.equal(["a"]);
    expect([...first.removed]).to.deep.equal([]);
    expect([...t.drain([a, b]).changed], "nothing since").to.deep.equal([]);
  });

  it("from the start: only what was touched, split into changed and removed", () => {
    const t = tracker(true);
    const a = { id: "a", holds: true };
    const b = { id: "b", holds: false };
    const c = { id: "c", holds: true };
    t.mark(a);
    t.mark(b);
    const d = t.drain([a, b, c]);
    expect([...d.changed]).to.deep.equal(["a"]);
    expect([...d.removed]).to.deep.equal(["b"]);
  });

  it("a key emptied and re-created in one interval counts as changed", () => {
    const t = tracker(true);
    t.mark({ id: "a", holds: false });
    t.mark({ id: "a", holds: true });
    const d = t.drain([]);
    expect([...d.changed]).to.deep.equal(["a"]);
    expect([...d.removed]).to.deep.equal([]);
  });

  it("a full snapshot starts tracking clean: the next drain reports only later changes", () => {
    const t = tracker(false);
    const a = { id: "a", holds: true };
    t.startFromFullSnapshot();
    expect([...t.drain([a]).changed]).to.deep.equal([]);
  });

  it("a forgotten key is not reported", () => {
    const t = tracker(true);
    const a = { id: "a", holds: true };
    t.mark(a);
    t.forget(a);
    expect([...t.drain([a]).changed]).to.deep.equal([]);
  });
});
