/**
 * Flow control on the stream runner: with a fast source and a slow sink,
 * the credit-based channels stop the source instead of buffering, so no
 * channel ever holds more buffers than its capacity, and the job still
 * delivers every element exactly once.
 */
import { expect } from "chai";
import type * as mr from "../../../index";
import { slowSink } from "../../fixtures/stream_pipelines";

describe("stream runner: backpressure", function () {
  this.timeout(60_000);

  it("a slow sink makes the fast source wait: buffers in flight never exceed the capacity, and the job finishes correctly", async () => {
    const capacity = 2;
    const bufferSizeBytes = 128;
    const result = slowSink
      .create([
        "--runner=stream",
        "--parallelism=2",
        `--channelCapacity=${capacity}`,
        `--bufferSizeBytes=${bufferSizeBytes}`,
        "--count=20000",
        "--sinkMicros=40",
      ])
      .run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    const m = result.metrics();
    expect(m.counters["millrace.testing.assertionsPassed"], "count and sum of what the sink saw").to.equal(2);
    // The source's stage writes into the exchange before the slow sink.
    const source = Object.keys(m.gauges).find((g) => /^stream\/stage0\/maxBuffersInFlight$/.test(g))!;
    expect(source, "the source task reports its buffers").to.not.equal(undefined);
    expect(m.gauges[source]!.value, "the source hit the channel capacity: backpressure engaged").to.equal(capacity);
    for (const [name, g] of Object.entries(m.gauges)) {
      if (name.endsWith("/maxBuffersInFlight")) expect(g.value, name).to.be.at.most(capacity);
      // A buffer is sent once it holds bufferSizeBytes; an encoded element takes at least 10 bytes (timestamp, window, pane, value).
      if (name.endsWith("/maxRecordsInFlight")) expect(g.value, name).to.be.at.most(capacity * Math.ceil(bufferSizeBytes / 10 + 1));
    }
    // Nor does the source pile records up on its side: it stops within a few dozen records of a full channel.
    expect(m.gauges["stream/stage0/maxBacklogRecords"]!.value, "records the source held back").to.be.at.most(64);
  });

  /** The highest value of a per-task gauge over every task. */
  const highest = (m: ReturnType<mr.PipelineResult["metrics"]>, gauge: string): number =>
    Math.max(
      ...Object.entries(m.gauges)
        .filter(([name]) => name.endsWith(`/${gauge}`))
        .map(([, g]) => g.value),
    );

  // The sink busy-waits 1 ms per element, so no channel is consumed faster than 1 record per ms, however loaded the machine is.
  const sinkMicros = 1000;
  const count = 3000;
  const targetMs = 50;
  // About targetMs records in flight per channel. The bound allows three times that for the throughput sampling (whole
  // buffers per 50-ms period) and what a producer adds to its backlog from one input buffer or source piece.
  const bound = 3 * targetMs * (1000 / sinkMicros);
  const slowCheckpointed = (extra: string[]): mr.PipelineResult =>
    slowSink
      .create([
        "--runner=stream",
        "--parallelism=2",
        `--count=${count}`,
        `--sinkMicros=${sinkMicros}`,
        "--checkpointingIntervalMs=20",
        ...extra,
      ])
      .run();

  it("buffer debloating: under backpressure a checkpoint barrier waits behind about --bufferDebloatTargetMs of records, not full buffers, and every element arrives once", async () => {
    const result = slowCheckpointed([`--bufferDebloatTargetMs=${targetMs}`]);
    expect(await result.waitUntilFinish()).to.equal("DONE");
    const m = result.metrics();
    expect(m.counters["millrace.testing.assertionsPassed"], "count and sum of what the sink saw").to.equal(2);
    expect(m.counters["stream/checkpoints"], "checkpoints completed under backpressure").to.be.greaterThan(1);
    expect(highest(m, "maxRecordsAheadOfBarrier"), "records a barrier waited behind on one channel")
      .to.be.greaterThan(0)
      .and.at.most(bound);
    // Not only the barriers that happened to be measured: no channel ever held more than a barrier may wait behind.
    expect(
      highest(m, "maxRecordsInFlight") + highest(m, "maxBacklogRecords"),
      "records in flight and held back on one channel",
    ).to.be.at.most(bound);
  });

  it("without buffer debloating the same job keeps full buffers in flight to the slow sink: what a barrier would wait behind", async () => {
    const result = slowCheckpointed([]);
    expect(await result.waitUntilFinish()).to.equal("DONE");
    const m = result.metrics();
    expect(m.counters["millrace.testing.assertionsPassed"]).to.equal(2);
    // The source emits its 3,000 numbers in a few milliseconds; the sink needs at least 3 s for them.
    expect(m.gauges["stream/Reshuffle/maxRecordsInFlight"]!.value, "records in flight into the slow sink").to.be.greaterThan(bound);
  });
});
