/**
 * A channel between two subtasks on different threads, without the
 * threads: a RemoteOutputChannel whose transport pushes straight into an
 * InputChannel that returns credits to it. Credit-based flow control bounds
 * the buffers in flight, a sender without credit keeps finished buffers in
 * its backlog and reports itself unwritable, events stay behind the data
 * sent before them, and returned credits drain the backlog.
 */
import { expect } from "chai";
import { GlobalWindowCoder, VarIntCoder, WindowedValueCoder, type Coder } from "../../../portability/coders";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import { InputChannel, type ChannelItem } from "../../../runners/stream/network/input_channel";
import { RemoteOutputChannel } from "../../../runners/stream/network/output_channel";
import type { StreamEvent } from "../../../runners/stream/network/stream_event";

const coder = new WindowedValueCoder(new VarIntCoder(), new GlobalWindowCoder()) as unknown as Coder<unknown>;

interface Link {
  readonly out: RemoteOutputChannel;
  readonly input: InputChannel;
  /** Everything the transport delivered, in order. */
  readonly delivered: ChannelItem[];
  /** Sets the clock the sender stamps buffers with. */
  setNow(t: number): void;
}

function link(capacity: number, bufferSizeBytes = 1 << 16): Link {
  let now = 0;
  const delivered: ChannelItem[] = [];
  let out: RemoteOutputChannel | undefined;
  const input = new InputChannel("0:0:1", 0, coder, () => out!.returnCredit());
  out = new RemoteOutputChannel(
    "0:0:1",
    capacity,
    (item) => {
      delivered.push(item);
      input.push(item);
    },
    coder,
    bufferSizeBytes,
    () => now,
  );
  return { out, input, delivered, setNow: (t) => (now = t) };
}

const add = (out: RemoteOutputChannel, ...values: number[]): void => {
  for (const v of values) out.add(v, 1000 + v, IN_GLOBAL_WINDOW, NO_FIRING);
};

/** Takes one item from the input: its record values, or its event. */
function take(input: InputChannel): number[] | StreamEvent {
  const item = input.take();
  return "records" in item ? item.records.map((r) => r.value as number) : item.event;
}

describe("stream runner: channels with credit-based flow control", () => {
  it("carries records encoded in byte buffers and decodes them on the receiving side, with timestamps and windows", () => {
    const { out, input, delivered } = link(4);
    add(out, 1, 2, 300);
    expect(delivered).to.have.length(0); // batched until flushed
    out.flush();
    expect(delivered).to.have.length(1);
    expect(delivered[0]!.kind).to.equal("bytes");
    const item = input.take();
    expect("records" in item && item.records.map((r) => ({ v: r.value, t: r.timestamp, w: r.windows }))).to.deep.equal([
      { v: 1, t: 1001, w: IN_GLOBAL_WINDOW },
      { v: 2, t: 1002, w: IN_GLOBAL_WINDOW },
      { v: 300, t: 1300, w: IN_GLOBAL_WINDOW },
    ]);
  });

  it("sends a buffer of its own ArrayBuffer, exactly its size (so it can be transferred without carrying or detaching anything else)", () => {
    const { out, delivered } = link(4);
    add(out, 1, 2, 3);
    out.flush();
    add(out, 4);
    out.flush();
    const [a, b] = delivered.map((d) => (d as Extract<ChannelItem, { kind: "bytes" }>).bytes);
    for (const bytes of [a!, b!]) {
      expect(bytes.byteOffset).to.equal(0);
      expect(bytes.buffer.byteLength).to.equal(bytes.byteLength);
    }
    expect(a!.buffer).to.not.equal(b!.buffer);
  });

  it("sends a buffer once it holds --bufferSizeBytes, without waiting for a flush", () => {
    const { out, delivered } = link(100, 64);
    let added = 0;
    while (delivered.length === 0) add(out, added++);
    expect(added).to.be.above(1);
    const bytes = (delivered[0] as Extract<ChannelItem, { kind: "bytes" }>).bytes;
    expect(bytes.byteLength).to.be.at.least(64);
    expect(out.openedAt).to.equal(undefined); // nothing left in the current buffer
  });

  it("remembers when the current buffer got its first record (for the buffer timeout), and forgets it when sent", () => {
    const l = link(4);
    expect(l.out.openedAt).to.equal(undefined);
    l.setNow(10);
    add(l.out, 1);
    l.setNow(15);
    add(l.out, 2);
    expect(l.out.openedAt).to.equal(10);
    l.out.flush();
    expect(l.out.openedAt).to.equal(undefined);
    l.out.flush(); // an empty buffer sends nothing
    expect(l.delivered).to.have.length(1);
  });

  it("bounds the buffers in flight by the credits: a sender without credit is unwritable and keeps finished buffers in its backlog", () => {
    const { out, input, delivered } = link(2);
    expect(out.writable).to.equal(true);
    add(out, 1);
    out.flush();
    add(out, 2);
    out.flush();
    expect(out.buffersInFlight).to.equal(2);
    expect(out.writable).to.equal(false);
    add(out, 3);
    out.flush();
    add(out, 4, 5);
    out.flush();
    expect(delivered).to.have.length(2);
    expect(input.queuedBuffers).to.equal(2);
    expect(out.backlogLength).to.equal(2);
    expect(out.buffersInFlight).to.equal(2);
    expect(out.stats.maxBuffersInFlight).to.equal(2);
    expect(out.stats.maxRecordsInFlight).to.equal(2);
  });

  it("drains the backlog as the receiver consumes buffers and returns credit, in order, and becomes writable once it is empty", () => {
    const { out, input } = link(2);
    for (const v of [1, 2, 3, 4]) {
      add(out, v);
      out.flush();
    }
    expect(out.backlogLength).to.equal(2);
    expect(take(input)).to.deep.equal([1]); // one credit back: buffer 3 goes out
    expect(out.backlogLength).to.equal(1);
    expect(out.writable).to.equal(false);
    expect(input.queuedBuffers).to.equal(2);
    expect(take(input)).to.deep.equal([2]);
    expect(out.backlogLength).to.equal(0);
    expect(out.writable).to.equal(false); // both credits are used by buffers 3 and 4
    expect(take(input)).to.deep.equal([3]);
    expect(out.writable).to.equal(true);
    expect(take(input)).to.deep.equal([4]);
    expect(out.buffersInFlight).to.equal(0);
    expect(input.hasItem).to.equal(false);
    expect(out.stats.buffersSent).to.equal(4);
    expect(out.stats.recordsSent).to.equal(4);
    expect(out.stats.maxBuffersInFlight).to.equal(2);
  });

  it("keeps events behind the data sent before them, even while that data waits for credit", () => {
    const { out, input, delivered } = link(1);
    add(out, 1);
    out.flush(); // uses the only credit
    add(out, 2, 3);
    out.event({ kind: "watermark", timestamp: 5000 }); // flushes [2, 3] into the backlog, then the watermark behind it
    add(out, 4);
    out.event({ kind: "barrier", checkpointId: 7 });
    expect(delivered.map((d) => d.kind)).to.deep.equal(["bytes"]);
    expect(out.backlogLength).to.equal(4);
    const seen: (number[] | StreamEvent)[] = [];
    while (input.hasItem) seen.push(take(input));
    expect(seen).to.deep.equal([[1], [2, 3], { kind: "watermark", timestamp: 5000 }, [4], { kind: "barrier", checkpointId: 7 }]);
    expect(out.backlogLength).to.equal(0);
  });

  it("lets an event through without credit when no data waits (events take no buffer credit)", () => {
    const { out, input } = link(1);
    add(out, 1);
    out.flush();
    expect(out.writable).to.equal(false);
    out.event({ kind: "watermark", timestamp: 1 });
    expect(out.backlogLength).to.equal(0);
    expect(input.queuedBuffers).to.equal(1); // events are not counted as buffers
    expect(take(input)).to.deep.equal([1]);
    expect(take(input)).to.deep.equal({ kind: "watermark", timestamp: 1 });
    expect(out.stats.buffersSent).to.equal(1);
  });

  it("counts records in flight by the buffers that hold them", () => {
    const { out, input } = link(3);
    add(out, 1, 2, 3);
    out.flush();
    add(out, 4, 5);
    out.flush();
    expect(out.stats.maxRecordsInFlight).to.equal(5);
    take(input); // frees the 3 records of the first buffer
    add(out, 6);
    out.flush();
    expect(out.stats.maxRecordsInFlight).to.equal(5); // 2 + 1 in flight now
    add(out, 7, 8, 9);
    out.flush();
    expect(out.stats.maxRecordsInFlight).to.equal(6);
  });

  it("does not return credit for events it takes, only for buffers", () => {
    let credits = 0;
    const input = new InputChannel("k", 0, coder, () => credits++);
    input.push({ kind: "event", event: { kind: "watermark", timestamp: 1 } });
    input.push({ kind: "records", records: [{ value: 1, timestamp: 0, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }] });
    expect(input.queuedBuffers).to.equal(1);
    input.take();
    expect(credits).to.equal(0);
    input.take();
    expect(credits).to.equal(1);
    expect(input.queuedBuffers).to.equal(0);
  });

  it("keeps arrival order over many items (the queue compacts as it goes)", () => {
    const input = new InputChannel("k", 0, coder, () => undefined);
    const n = 5000;
    let next = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < n / 10; i++)
        input.push({
          kind: "records",
          records: [{ value: round * (n / 10) + i, timestamp: 0, windows: IN_GLOBAL_WINDOW, pane: NO_FIRING }],
        });
      for (let i = 0; i < n / 20; i++) expect(take(input)).to.deep.equal([next++]);
    }
    while (input.hasItem) expect(take(input)).to.deep.equal([next++]);
    expect(next).to.equal(n);
  });
});
