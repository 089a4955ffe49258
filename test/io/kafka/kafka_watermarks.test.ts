/**
 * The Kafka source's per-partition watermarks against a real broker, on the
 * direct runner (which runs user code in this process, so the test watches
 * the outputs as they come): a record that is late for the fastest
 * partition but not for its own is on time (per-partition watermarks), and
 * a partition without records stops holding the watermark back after
 * `idleTimeoutMs` (idleness). Flink's WatermarkStrategy semantics.
 */
import { expect } from "chai";
import * as mr from "../../../index";
import { createTopics, kafkaBootstrap, uniqueTopic } from "../../support/kafka_broker";
import { produce } from "./kafka_test_data";

interface Fired {
  readonly windowStart: number;
  readonly count: number;
  readonly timing: string;
}

/** Waits until `condition()` holds, checking every 50 ms; fails after `limitMs` (a hang, not a timing assertion). */
async function waitUntil(what: string, condition: () => boolean, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads the topic unbounded, counts records per 10 s event-time window, and reports values read and windows fired into the arrays. */
function countWindows(p: mr.Pipeline, read: mr.PTransform<mr.PBegin, mr.PCollection<string>>, seen: string[], fired: Fired[]): void {
  p.apply(read)
    .map((v) => {
      seen.push(v);
      return mr.kv("all", 1);
    })
    .apply(mr.windowInto(mr.windows.fixed(10_000)))
    .apply(mr.combinePerKey(mr.combiners.sum()))
    .map((kv, ctx) => {
      fired.push({ windowStart: (ctx.window as { start: number }).start, count: kv.value, timing: ctx.pane.timing });
      return kv;
    });
}

describe("mr.io.kafka.read watermarks (real broker)", function () {
  this.timeout(180_000);
  let bootstrap: string;

  before(async () => {
    bootstrap = await kafkaBootstrap();
  });

  it("keeps a watermark per partition: a record behind another partition's time is on time in its own partition", async () => {
    const topic = uniqueTopic("wm-partitions");
    await createTopics(bootstrap, [topic], 2);
    await produce(bootstrap, topic, [
      { partition: 0, value: "a", timestamp: 1_000 },
      { partition: 0, value: "b", timestamp: 25_000 },
    ]);
    const seen: string[] = [];
    const fired: Fired[] = [];
    const p = mr.Pipeline.create(["--runner=direct"]);
    countWindows(p, mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic] }), seen, fired);
    const result = p.run();
    try {
      await waitUntil("partition 0's records", () => seen.includes("b"));
      // Partition 1 has no record yet: without idleness it holds the watermark, so nothing has fired.
      expect(fired).to.deep.equal([]);
      // 4000 is far behind partition 0's 25000, but on time for partition 1; 30000 moves partition 1 past the first window.
      await produce(bootstrap, topic, [
        { partition: 1, value: "c", timestamp: 4_000 },
        { partition: 1, value: "d", timestamp: 30_000 },
      ]);
      await waitUntil("the first window to fire", () => fired.some((f) => f.windowStart === 0));
      expect(fired.filter((f) => f.windowStart === 0)).to.deep.equal([{ windowStart: 0, count: 2, timing: "ON_TIME" }]);
      // The watermark is partition 0's (24999): the window of 25000 is still open.
      expect(fired.some((f) => f.windowStart === 20_000)).to.equal(false);
    } finally {
      result.cancel();
      await result.waitUntilFinish().catch(() => undefined);
    }
  });

  it("a partition without records for idleTimeoutMs does not hold the watermark back", async () => {
    const topic = uniqueTopic("wm-idle");
    await createTopics(bootstrap, [topic], 2);
    await produce(bootstrap, topic, [
      { partition: 0, value: "a", timestamp: 1_000 },
      { partition: 0, value: "b", timestamp: 2_000 },
      { partition: 0, value: "c", timestamp: 15_000 },
    ]);
    const seen: string[] = [];
    const fired: Fired[] = [];
    const p = mr.Pipeline.create(["--runner=direct"]);
    countWindows(p, mr.io.kafka.read({ bootstrapServers: bootstrap, topics: [topic], idleTimeoutMs: 1_000 }), seen, fired);
    const result = p.run();
    // Partition 0 stays active (records one after another, all in the second window): as in Flink, a source
    // whose partitions are all idle holds its watermark, so idleness shows only beside an active partition.
    let producing = true;
    const keepActive = (async () => {
      for (let i = 1; producing && i < 4_000; i++)
        await produce(bootstrap, topic, [{ partition: 0, value: `more${i}`, timestamp: 15_000 + i }]);
    })();
    try {
      // Partition 1 never gets a record: only idleness lets the first window fire.
      await waitUntil("the first window to fire", () => fired.some((f) => f.windowStart === 0));
      expect(fired.filter((f) => f.windowStart === 0)).to.deep.equal([{ windowStart: 0, count: 2, timing: "ON_TIME" }]);
      // The watermark follows partition 0 (below 20000), not the end of time: the window of 15000 is open.
      expect(fired.some((f) => f.windowStart === 10_000)).to.equal(false);
    } finally {
      producing = false;
      await keepActive;
      result.cancel();
      await result.waitUntilFinish().catch(() => undefined);
    }
  });
});
