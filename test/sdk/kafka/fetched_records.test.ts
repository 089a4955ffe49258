import { expect } from "chai";
import { PartitionRecordDecoder, type RawRecordBatch } from "../../../sdk/io/kafka/fetched_records";

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;

function dataBatch(
  firstOffset: number,
  values: string[],
  opts: { producerId?: number; transactional?: boolean; attributes?: number } = {},
): RawRecordBatch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: values.length - 1,
    attributes: (opts.transactional ? TRANSACTIONAL : 0) | (opts.attributes ?? 0),
    firstTimestamp: 1000n,
    maxTimestamp: 5000n,
    producerId: BigInt(opts.producerId ?? -1),
    records: values.map((v, i) => ({ timestampDelta: BigInt(i), offsetDelta: i, key: null, value: Buffer.from(v), headers: [] })),
  };
}

/** A control batch: type 0 is an abort marker, 1 a commit marker. */
function marker(offset: number, producerId: number, type: 0 | 1): RawRecordBatch {
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    attributes: TRANSACTIONAL | CONTROL,
    firstTimestamp: 9000n,
    maxTimestamp: 9000n,
    producerId: BigInt(producerId),
    records: [
      { timestampDelta: 0n, offsetDelta: 0, key: Buffer.from([0, 0, 0, type]), value: Buffer.from([0, 0, 0, 0, 0, 0]), headers: [] },
    ],
  };
}

const values = (r: { records: { value: Uint8Array | null }[] }) => r.records.map((x) => Buffer.from(x.value!).toString());

describe("kafka source: decoding fetched batches", () => {
  it("read_committed drops an aborted transaction whose abort marker comes in a later fetch response", () => {
    // Offsets: 0 plain, 1-2 aborted txn of producer 7, 3 its abort marker, 4 committed txn of 7, 5 commit marker.
    const decoder = new PartitionRecordDecoder(true);
    const aborted = [{ producerId: 7n, firstOffset: 1n }];
    const first = decoder.decode(0n, [dataBatch(0, ["plain"]), dataBatch(1, ["a1"], { producerId: 7, transactional: true })], aborted);
    expect(values(first)).to.deep.equal(["plain"]);
    expect(first.nextOffset).to.equal(2n);
    const second = decoder.decode(2n, [dataBatch(2, ["a2"], { producerId: 7, transactional: true })], aborted);
    expect(values(second)).to.deep.equal([]);
    expect(second.nextOffset).to.equal(3n);
    const third = decoder.decode(
      3n,
      [marker(3, 7, 0), dataBatch(4, ["c1"], { producerId: 7, transactional: true }), marker(5, 7, 1)],
      aborted,
    );
    expect(values(third)).to.deep.equal(["c1"]);
    expect(third.nextOffset).to.equal(6n);
  });

  it("an aborted transaction listed only in the response that reaches its first batch is still dropped", () => {
    const decoder = new PartitionRecordDecoder(true);
    expect(values(decoder.decode(0n, [dataBatch(0, ["x"], { producerId: 3, transactional: true }), marker(1, 3, 1)], []))).to.deep.equal([
      "x",
    ]);
    const r = decoder.decode(2n, [dataBatch(2, ["y", "z"], { producerId: 3, transactional: true })], [{ producerId: 3n, firstOffset: 2n }]);
    expect(values(r)).to.deep.equal([]);
    const after = decoder.decode(4n, [marker(4, 3, 0), dataBatch(5, ["w"], { producerId: 3, transactional: true }), marker(6, 3, 1)], []);
    expect(values(after)).to.deep.equal(["w"]);
  });

  it("read_uncommitted delivers aborted records but never control records", () => {
    const decoder = new PartitionRecordDecoder(false);
    const r = decoder.decode(
      0n,
      [dataBatch(0, ["a"], { producerId: 7, transactional: true }), marker(1, 7, 0)],
      [{ producerId: 7n, firstOffset: 0n }],
    );
    expect(values(r)).to.deep.equal(["a"]);
    expect(r.nextOffset).to.equal(2n);
  });

  it("a batch that starts before the fetch offset yields only the records from the offset on", () => {
    const decoder = new PartitionRecordDecoder(true);
    const r = decoder.decode(12n, [dataBatch(10, ["a", "b", "c", "d"])], []);
    expect(r.records.map((x) => x.offset)).to.deep.equal([12n, 13n]);
    expect(r.nextOffset).to.equal(14n);
  });

  it("LogAppendTime batches give the broker's time, CreateTime batches the producer's", () => {
    const decoder = new PartitionRecordDecoder(true);
    const r = decoder.decode(0n, [dataBatch(0, ["a", "b"], { attributes: LOG_APPEND_TIME }), dataBatch(2, ["c", "d"])], []);
    expect(r.records.map((x) => [x.timestamp, x.timestampType])).to.deep.equal([
      [5000, "LogAppendTime"],
      [5000, "LogAppendTime"],
      [1000, "CreateTime"],
      [1001, "CreateTime"],
    ]);
  });
});
