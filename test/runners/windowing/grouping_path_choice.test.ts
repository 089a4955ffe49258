/**
 * The one place every runner gets its grouping logic, `groupingRunnerFor`:
 * the single-pane fast path for the windowed aggregations it fits, the
 * session fast path for sessions that fire once, the general ReduceFnRunner for the rest and whenever MILLRACE_WINDOW_FAST_PATH
 * is false. Pipelines go through toProto -> fromProto -> plan, as a runner sees them.
 */
import { expect } from "chai";
import * as mr from "../../../index";
import { NATIVE_COMPOSITES, planExecution } from "../../../runners/core/fusion";
import { groupingRunnerFor, type GroupingNode } from "../../../runners/core/windowing/grouping_runner";
import { ReduceFnRunner } from "../../../runners/core/windowing/reduce_fn_runner";
import { SinglePaneReduceRunner } from "../../../runners/core/windowing/single_pane_reduce_runner";
import { SessionReduceRunner } from "../../../runners/core/windowing/session_reduce_runner";
import { WINDOW_FAST_PATH_ENV } from "../../../runners/core/windowing/single_pane_eligibility";

/** The grouping runners a pipeline's grouping steps get, by class. */
function runnersOf(build: (p: mr.Pipeline) => void): string[] {
  const p = mr.Pipeline.create(["--runner=direct"]);
  build(p);
  const model = mr.portability.fromProto(mr.portability.toProto(p), { nativeComposites: NATIVE_COMPOSITES });
  const plan = planExecution(model);
  const nodes = plan.shuffles.filter((n): n is GroupingNode => n.kind === "groupByKey" || n.kind === "combine");
  return nodes.map(
    (node) =>
      groupingRunnerFor(
        model,
        node,
        p._userCode,
        () => undefined,
        () => undefined,
        true,
      ).constructor.name,
  );
}

const events = (p: mr.Pipeline) => p.apply(mr.createTimestamped([{ value: mr.kv("k", 1), timestamp: 5 }]));

describe("groupingRunnerFor: the grouping path, chosen in one place for every runner", () => {
  const saved = process.env[WINDOW_FAST_PATH_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[WINDOW_FAST_PATH_ENV];
    else process.env[WINDOW_FAST_PATH_ENV] = saved;
  });

  const cases: { name: string; build: (p: mr.Pipeline) => void; expected: string }[] = [
    {
      name: "a windowed count (lifted combine)",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.fixed(1000)))
          .apply(mr.countPerKey()),
      expected: SinglePaneReduceRunner.name,
    },
    { name: "GroupByKey in the global window", build: (p) => events(p).apply(mr.groupByKey()), expected: SinglePaneReduceRunner.name },
    {
      name: "sessions",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.sessions(10)))
          .apply(mr.groupByKey()),
      expected: SessionReduceRunner.name,
    },
    {
      name: "a session count (lifted combine)",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.sessions(100)))
          .apply(mr.countPerKey()),
      expected: SessionReduceRunner.name,
    },
    {
      name: "sessions with early firings",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.sessions(10), { trigger: mr.triggers.afterWatermark({ early: mr.triggers.afterCount(1) }) }))
          .apply(mr.groupByKey()),
      expected: ReduceFnRunner.name,
    },
    {
      name: "early firings",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.fixed(10), { trigger: mr.triggers.afterWatermark({ early: mr.triggers.afterCount(1) }) }))
          .apply(mr.groupByKey()),
      expected: ReduceFnRunner.name,
    },
    {
      name: "allowed lateness",
      build: (p) =>
        events(p)
          .apply(mr.windowInto(mr.windows.fixed(10), { allowedLatenessMs: 5 }))
          .apply(mr.groupByKey()),
      expected: ReduceFnRunner.name,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.expected}`, () => {
      const runners = runnersOf(c.build);
      expect(runners.length).to.be.greaterThan(0);
      expect(new Set(runners)).to.deep.equal(new Set([c.expected]));
    });
  }

  it("MILLRACE_WINDOW_FAST_PATH=false gives every grouping the general runner", () => {
    process.env[WINDOW_FAST_PATH_ENV] = "false";
    expect(runnersOf(cases[0]!.build)).to.deep.equal([ReduceFnRunner.name]);
    expect(runnersOf(cases[2]!.build)).to.deep.equal([ReduceFnRunner.name]);
  });
});
