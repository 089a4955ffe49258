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
