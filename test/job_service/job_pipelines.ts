/**
 * Pipelines the job service tests submit. They are rebuilt by the service
 * from a bundle of this module, so they use a local helper and a module
 * constant, as user code does.
 */
import * as mr from "../../index";
import { square } from "./job_helpers";

const OFFSET = 1000;

/** sum of (i^2 + OFFSET) for i in 1..200, checked inside the pipeline; counts elements in a metric. */
export const sumOfSquares = mr.definePipeline("sumOfSquares", (p) => {
  const total = p
    .apply("Numbers", mr.create(Array.from({ length: 200 }, (_, i) => i + 1)))
    .apply(
      "Square",
      mr.map((x: number, ctx) => {
        ctx.metrics.counter("squared").inc();
        return square(x) + OFFSET;
      }),
    )
    .apply("Sum", mr.combineGlobally(mr.combiners.sum()));
  mr.testing.assertThat(total).containsInAnyOrder([2_686_700 + 200 * OFFSET]);
});

/** Fails in user code on element 13. */
export const failing = mr.definePipeline("failing", (p) => {
  p.apply(mr.create([1, 2, 13, 4])).apply(
    "Explode",
    mr.map((x: number) => {
      if (x === 13) throw new Error("thirteen is unlucky");
      return x;
    }),
  );
});

/** Kills its own process from user code. */
export const crashing = mr.definePipeline("crashing", (p) => {
  p.apply(mr.create([1])).apply(
    "Exit",
    mr.map((x: number) => {
      process.exit(3);
      return x;
    }),
  );
});

/** Prints a line per element. */
export const printing = mr.definePipeline("printing", (p) => {
  p.apply(mr.create(["alpha", "beta"])).apply(
    "Print",
    mr.map((s: string) => {
      console.log(`printed ${s}`);
      return s;
    }),
  );
});

/** An endless stream: 200 numbers every 20 ms, keyed, in one-second windows, summed. Runs until cancelled. */
export const endless = mr.definePipeline("endless", (p) => {
  p.apply("Ticks", mr.generateSequence({ from: 0, periodMs: 20, elementsPerPeriod: 200 }))
    .apply(
      "Key",
      mr.withKeys((x: number) => x % 4),
    )
    .apply("Window", mr.windowInto(mr.windows.fixed(1000)))
    .apply("SumPerKey", mr.combinePerKey(mr.combiners.sum()))
    .apply(
      "Format",
      mr.map(({ key, value }: mr.KV<number, number>) => `${key}: ${value}`),
    );
});

/** A bounded job slow enough to be cancelled while it runs (about 1 ms per element, 30,000 elements). */
export const slow = mr.definePipeline("slow", (p) => {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  p.apply(mr.create(Array.from({ length: 30_000 }, (_, i) => i)))
    .apply(
      "Pause",
      mr.map((x: number) => {
        Atomics.wait(pause, 0, 0, 1);
        return x;
      }),
    )
    .apply(mr.countGlobally());
});

/** Prints 20,000 numbered lines, 1,000 from each of 20 elements, right before it ends. */
export const chatty = mr.definePipeline("chatty", (p) => {
  p.apply(mr.create(Array.from({ length: 20 }, (_, i) => i))).apply(
    "Print",
    mr.map((x: number) => {
      for (let j = 0; j < 1000; j++) console.log(`chatty ${x * 1000 + j}`);
      return x;
    }),
  );
});

/** Prints 3 MiB without a newline, then one short line. */
export const flooding = mr.definePipeline("flooding", (p) => {
  p.apply(mr.create([1])).apply(
    "Flood",
    mr.map((x: number) => {
      const chunk = "x".repeat(1024 * 1024);
      for (let i = 0; i < 3; i++) process.stdout.write(chunk);
      process.stdout.write("\nflood over\n");
      return x;
    }),
  );
});

/** Prints what it sees of MILLRACE_TEST_SECRET. */
export const envReading = mr.definePipeline("envReading", (p) => {
  p.apply(mr.create([1])).apply(
    "ReadEnv",
    mr.map((x: number) => {
      console.log(`secret seen: ${process.env.MILLRACE_TEST_SECRET ?? "none"}`);
      return x;
    }),
  );
});

/** Prints its process's pid, then holds its thread forever (until killed). */
export const busy = mr.definePipeline("busy", (p) => {
  p.apply(mr.create([1])).apply(
    "Spin",
    mr.map((x: number) => {
      console.log(`busy pid ${process.pid}`);
      const hold = new Int32Array(new SharedArrayBuffer(4));
      for (;;) Atomics.wait(hold, 0, 0, 1000);
      return x;
    }),
  );
});
