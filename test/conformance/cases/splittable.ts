/**
 * Splittable DoFns (Beam's SDF): restrictions split initially and by the
 * runner, read as a source from an Impulse or a Create, or inside a stage;
 * an unbounded SDF that checkpoints itself with `resume()` and sets its
 * watermark with a manual estimator; a process that leaves its restriction
 * unfinished without `resume()` fails naming the transform.
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range } from "./helpers";

/** The numbers [0, n) of each element n, split into ranges of 4. */
class CountTo extends mr.SplittableDoFn<number, number, mr.OffsetRange> {
  initialRestriction(n: number): mr.OffsetRange {
    return new mr.OffsetRange(0, n);
  }
  splitRestriction(_n: number, r: mr.OffsetRange): mr.OffsetRange[] {
    return r.split(4);
  }
  restrictionSize(_n: number, r: mr.OffsetRange): number {
    return r.size();
  }
  newTracker(r: mr.OffsetRange): mr.RestrictionTracker<mr.OffsetRange> {
    return new mr.OffsetRangeTracker(r);
  }
  process(n: number, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>): void {
    for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.output(n * 1000 + i);
  }
}

/**
 * An unbounded source of the numbers 0, 1, 2, ... at event time `i * 1000`:
 * each call reads at most 3 of the numbers "available" and checkpoints
 * itself with `resume(5)`; it ends (claims the end of its range) after `last`.
 */
class Ticks implements mr.SplittableDoFnObject<Uint8Array, number, mr.OffsetRange, number> {
  readonly boundedness = "unbounded";
  constructor(private readonly last: number) {}
  initialRestriction(): mr.OffsetRange {
    return new mr.OffsetRange(0, Infinity);
  }
  newTracker(r: mr.OffsetRange): mr.RestrictionTracker<mr.OffsetRange> {
    return new mr.GrowableOffsetRangeTracker(r, () => this.last + 1);
  }
  newWatermarkEstimator(state: number): mr.WatermarkEstimator<number> {
    return new mr.ManualWatermarkEstimator(state);
  }
  process(_: Uint8Array, ctx: mr.SplittableProcessContext<number, mr.OffsetRange, number>): mr.ProcessContinuation {
    const estimator = ctx.watermarkEstimator as mr.ManualWatermarkEstimator;
    let i = ctx.tracker.currentRestriction().from;
    for (let read = 0; read < 3; read++, i++) {
      if (i > this.last) {
        // The end of the source: claiming the end of the range finishes it.
        ctx.tracker.tryClaim(Infinity);
        return mr.ProcessContinuation.stop();
      }
      if (!ctx.tracker.tryClaim(i)) return mr.ProcessContinuation.stop();
      ctx.outputWithTimestamp(i, i * 1000);
      estimator.setWatermark(i * 1000);
    }
    return mr.ProcessContinuation.resume(5);
  }
}

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("splittable DoFn: bounded, over a Create's values, split into ranges", (p) => {
      const out = p.apply(mr.create([10, 25, 0])).apply(mr.parDo(new CountTo()));
      mr.testing.assertThat(out).containsInAnyOrder([...range(10).map((i) => 10_000 + i), ...range(25).map((i) => 25_000 + i)]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("splittable DoFn: bounded, inside a stage, after other steps", (p) => {
      const out = p
        .apply(mr.create([3, 5]))
        .map((n) => n * 2)
        .apply(mr.parDo(new CountTo()));
      mr.testing.assertThat(out).containsInAnyOrder([...range(6).map((i) => 6_000 + i), ...range(10).map((i) => 10_000 + i)]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("splittable DoFn: object form reading an impulse, output timestamps windowed", (p) => {
      const out = p.apply(mr.impulse()).apply(
        mr.splittableParDo({
          initialRestriction: () => new mr.OffsetRange(0, 30),
          newTracker: (r: mr.OffsetRange) => new mr.OffsetRangeTracker(r),
          process(_: Uint8Array, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>) {
            for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.outputWithTimestamp(i, i * 1000);
          },
        }),
      );
      const sums = out
        .apply(mr.windowInto(mr.windows.fixed(10_000)))
        .apply(mr.withKeys(() => "all"))
        .apply(mr.combinePerKey(mr.combiners.sum()))
        .apply(mr.values());
      mr.testing.assertThat(sums).containsInAnyOrder([45, 145, 245]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("splittable DoFn: unbounded, checkpoints itself with resume, manual watermark", (p) => {
      const ticks = p.apply(mr.impulse()).apply(mr.parDo(new Ticks(19)));
      const sums = ticks
        .apply(mr.windowInto(mr.windows.fixed(5000)))
        .apply(mr.withKeys(() => "all"))
        .apply(mr.combinePerKey(mr.combiners.sum()))
        .apply(mr.values());
      mr.testing
        .assertThat(sums)
        .containsInAnyOrder([0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9, 10 + 11 + 12 + 13 + 14, 15 + 16 + 17 + 18 + 19]);
    }),
    assertions: 1,
    requires: ["unbounded"],
  },
  {
    definition: mr.definePipeline("splittable DoFn: process that leaves its restriction unfinished fails", (p) => {
      p.apply(mr.create([4])).apply(
        "Lazy",
        mr.splittableParDo({
          initialRestriction: (n: number) => new mr.OffsetRange(0, n),
          newTracker: (r: mr.OffsetRange) => new mr.OffsetRangeTracker(r),
          process(_: number, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>) {
            ctx.tracker.tryClaim(ctx.tracker.currentRestriction().from);
          },
        }),
      );
    }),
    assertions: 0,
    expectFailure: /Lazy[\s\S]*process returned without finishing its restriction/,
  },
];
