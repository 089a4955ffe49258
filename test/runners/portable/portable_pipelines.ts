/**
 * Pipelines the portable runner's tests submit to engines. They are built
 * from this module, so the job client bundles and stages it as a user's.
 */
import * as mr from "../../../index";

/** Counts words: a ParDo and a combine, the smallest job an engine runs user code for. */
export const counting = mr.definePipeline("counting", (p) => {
  p.apply("Words", mr.create(["a", "b", "a"])).apply("Count", mr.countPerElement());
});

/**
 * Session windows fired every 2 elements: Prism refuses stateful triggers on
 * merging windows at submission (a documented Prism limit).
 */
export const sessionCounts = mr.definePipeline("sessionCounts", (p) => {
  p.apply("Events", mr.createTimestamped([{ value: "a", timestamp: 1 }]))
    .apply(
      "Sessions",
      mr.windowInto(mr.windows.sessions(1000), { trigger: mr.triggers.repeatedly(mr.triggers.afterCount(2)), allowedLatenessMs: 0 }),
    )
    .apply("Count", mr.countPerElement());
});

/** Two TestStreams in one pipeline, which Prism refuses when the job is prepared. */
export const twoTestStreams = mr.definePipeline("twoTestStreams", (p) => {
  const first = p.apply("First", mr.testing.testStream<number>().addElements(1).advanceWatermarkToInfinity());
  const second = p.apply("Second", mr.testing.testStream<number>().addElements(2).advanceWatermarkToInfinity());
  first.apply("Both", mr.flatten([second])).apply(
    "Double",
    mr.map((x: number) => x * 2),
  );
});
