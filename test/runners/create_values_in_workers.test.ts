/**
 * A Create's values are made by the workers that read a split of them, and
 * by no other: a worker rebuilds the pipeline to run its functions, but
 * the split sizes come from the proto, so a worker without a split never
 * iterates the values (and does not hold them).
 */
import { expect } from "chai";
import * as mr from "../../index";
import { toPipelineMessage } from "../../portability/to_proto";
import { decodeMessage } from "../../portability/proto/messages";
import { createReading } from "../fixtures/create_reading_pipeline";

async function run(args: readonly string[]): Promise<{ iterations: number; counted: number }> {
  const result = createReading.create(args).run();
  await result.waitUntilFinish();
  const c = result.metrics().counters;
  return { iterations: c.iterations ?? 0, counted: c.counted ?? 0 };
}

describe("Create values in worker threads", function () {
  this.timeout(120_000);

  it("the proto carries a Create's number of values, so runners split it without the values", () => {
    const p = mr.Pipeline.create();
    p.apply("Three", mr.create(new Set(["a", "b", "c"])));
    p.apply("Two", mr.createTimestamped([1, 2].map((v) => ({ value: v, timestamp: v }))));
    const transforms = toPipelineMessage(p).components!.transforms!;
    const countOf = (name: string): unknown => {
      const doFn = decodeMessage("ParDoPayload", transforms[name]!.spec!.payload!).doFn!;
      return (JSON.parse(Buffer.from(doFn.payload).toString()) as { createCount?: number }).createCount;
    };
    expect(countOf("Three/Values")).to.equal(3);
    expect(countOf("Two/Values")).to.equal(2);
  });

  for (const runnerFlags of [
    ["--runner=stream", "--parallelism=2"],
    ["--runner=microbatch", "--executors=1"],
  ]) {
    it(`${runnerFlags[0]}: a rebuild that makes another number of values fails the job, naming the Create and both counts`, async () => {
      const result = createReading.create([...runnerFlags, "--counted=3", "--probes=1", "--extraInWorkers=2"]).run();
      let error: unknown;
      await result.waitUntilFinish().catch((e: unknown) => (error = e));
      expect(String((error as Error)?.message ?? error)).to.match(
        /'Counted\/Values' has 5 value\(s\) where the pipeline was rebuilt but 3 where it was submitted/,
      );
    });
  }

  it("stream: of two task managers, only the one with the single value's split iterates the values", async () => {
    // Two probes, one per subtask (each task manager runs one): the counter adds both threads' iterations.
    const r = await run(["--runner=stream", "--parallelism=2", "--counted=1", "--probes=2"]);
    expect(r.counted, "the value was read").to.equal(1);
    expect(r.iterations, "iterations of the values over both task managers").to.equal(1);
  });

  it("stream: with a split on every task manager, each iterates once and every value is read once", async () => {
    const r = await run(["--runner=stream", "--parallelism=2", "--counted=4", "--probes=2"]);
    expect(r.counted).to.equal(4);
    expect(r.iterations).to.equal(2);
  });

  it("stream: an empty Create is iterated by no task manager", async () => {
    const r = await run(["--runner=stream", "--parallelism=2", "--counted=0", "--probes=2"]);
    expect(r.counted).to.equal(0);
    expect(r.iterations).to.equal(0);
  });

  it("microbatch: the executor that reads the values iterates them once, and every value is read once", async () => {
    // The probe's stage may run before or after the counted one (their order is not promised), so it sees 0 or 1.
    const r = await run(["--runner=microbatch", "--executors=1", "--counted=3", "--probes=1"]);
    expect(r.counted).to.equal(3);
    expect(r.iterations).to.be.within(0, 1);
  });

  it("microbatch: an empty Create is iterated by no executor", async () => {
    const r = await run(["--runner=microbatch", "--executors=1", "--counted=0", "--probes=1"]);
    expect(r.counted).to.equal(0);
    expect(r.iterations).to.equal(0);
  });
});
