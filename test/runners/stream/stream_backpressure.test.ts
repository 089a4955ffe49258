/**
 * Flow control on the stream runner: with a fast source and a slow sink,
 * the credit-based channels stop the source instead of buffering, so no
 * channel ever holds more buffers than its capacity, and the job still
 * delivers every element exactly once.
 */
import { expect } from "chai";
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
});
