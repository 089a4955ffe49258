/**
 * Differential test at the pipeline level: random windowed pipelines
 * (window fn, timestamp combiner, trigger, GroupByKey or a lifted or unlifted
 * combine, random timestamped input) run on the direct runner with the
 * single-pane fast path and with the general ReduceFnRunner
 * (`MILLRACE_WINDOW_FAST_PATH=false`); every output's key, value, timestamp,
 * window and pane must be the same, as a multiset. The direct runner builds
 * its grouping runners in this process, so the environment switch applies to
 * the run that follows it.
 */
import { expect } from "chai";
import * as mr from "../../../index";
import { WINDOW_FAST_PATH_ENV } from "../../../runners/core/windowing/single_pane_eligibility";
import { seededRandom as random } from "../../support/seeded_random";

interface Shape {
  windowFn: mr.WindowFnSpec;
  timestampCombiner: "endOfWindow" | "earliest";
  trigger: "default" | "afterWatermark";
  grouping: "groupByKey" | "sum" | "count";
  events: { key: string; value: number; timestamp: number }[];
}

function randomShape(seed: number): Shape {
  const r = random(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const windowFns: mr.WindowFnSpec[] = [
    mr.windows.global(),
    mr.windows.fixed(int(2, 20), int(0, 1)),
    mr.windows.sliding(int(4, 20), int(2, 4)),
  ];
  const n = int(1, 60);
  return {
    windowFn: windowFns[int(0, windowFns.length - 1)]!,
    timestampCombiner: r() < 0.5 ? "endOfWindow" : "earliest",
    trigger: r() < 0.5 ? "default" : "afterWatermark",
    grouping: (["groupByKey", "sum", "count"] as const)[int(0, 2)]!,
    events: Array.from({ length: n }, () => ({ key: `k${int(0, 5)}`, value: int(1, 9), timestamp: int(0, 60) })),
  };
}

/** The outputs of one run, each described in full (window and pane included), as a sorted list. */
async function outputsOf(shape: Shape): Promise<string[]> {
  const p = mr.Pipeline.create(["--runner=direct"]);
  const windowed = p.apply(mr.createTimestamped(shape.events.map((e) => ({ value: mr.kv(e.key, e.value), timestamp: e.timestamp })))).apply(
    mr.windowInto(shape.windowFn, {
      timestampCombiner: shape.timestampCombiner,
      ...(shape.trigger === "afterWatermark" ? { trigger: mr.triggers.afterWatermark() } : {}),
    }),
  );
  const grouped: mr.PCollection<mr.KV<string, unknown>> =
    shape.grouping === "groupByKey"
      ? windowed.apply(mr.groupByKey()).apply(
          mr.map((kv: mr.KV<string, number[]>) =>
            mr.kv(
              kv.key,
              [...kv.value].sort((a, b) => a - b),
            ),
          ),
        )
      : shape.grouping === "sum"
        ? windowed.apply(mr.combinePerKey(mr.combiners.sum()))
        : windowed.apply(mr.combinePerKey((values: number[]) => values.length));
  // Each output becomes a counter named by its full description: the metrics are then the output multiset.
  grouped.apply(
    mr.map((kv: mr.KV<string, unknown>, ctx) => {
      ctx.metrics.counter(JSON.stringify([kv.key, kv.value, ctx.timestamp, ctx.window, ctx.pane])).inc();
    }),
  );
  const result = p.run();
  await result.waitUntilFinish();
  const out: string[] = [];
  for (const [name, count] of Object.entries(result.metrics().counters))
    if (name.startsWith("[")) for (let i = 0; i < count; i++) out.push(name);
  return out.sort();
}

describe("single-pane fast path vs the general ReduceFnRunner: random windowed pipelines on the direct runner", () => {
  const saved = process.env[WINDOW_FAST_PATH_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[WINDOW_FAST_PATH_ENV];
    else process.env[WINDOW_FAST_PATH_ENV] = saved;
  });

  const SEEDS = 25;
  it(`gives the same outputs, windows and panes (${SEEDS} seeds)`, async () => {
    let outputs = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const shape = randomShape(seed);
      process.env[WINDOW_FAST_PATH_ENV] = "true";
      const fast = await outputsOf(shape);
      process.env[WINDOW_FAST_PATH_ENV] = "false";
      const general = await outputsOf(shape);
      expect(fast, `seed ${seed}: ${JSON.stringify(shape)}`).to.deep.equal(general);
      outputs += fast.length;
    }
    expect(outputs).to.be.greaterThan(SEEDS);
  });
});
