/**
 * The DoFn lifecycle shared by the ParDo, stateful and splittable operators:
 * bundle methods run in bundle scope with the DoFn as `this`, missing methods
 * are skipped, and what user code throws names the transform, the phase and
 * the element.
 */
import { expect } from "chai";
import { callUserCode, dofnLifecycle } from "../../../portability/harness/dofn_lifecycle";
import { DoFnContext } from "../../../portability/harness/dofn_context";
import { UserCodeError, RunnerCheckError } from "../../../portability/harness/user_code_error";
import { MetricsContainer } from "../../../portability/harness/metrics_container";
import { GLOBAL_WINDOW, IN_GLOBAL_WINDOW } from "../../../model/windows";
import { MIN_TIMESTAMP } from "../../../model/time";

function context(): { ctx: DoFnContext; outputs: { value: unknown; timestamp: number }[] } {
  const outputs: { value: unknown; timestamp: number }[] = [];
  const main = { receive: (value: unknown, timestamp: number) => void outputs.push({ value, timestamp }) };
  const noSideInputs = {
    get: () => {
      throw new Error("no side inputs");
    },
  } as never;
  return { ctx: new DoFnContext("T", { main, tagged: new Map() }, noSideInputs, new MetricsContainer(), 0), outputs };
}

function thrown(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("DoFn lifecycle (shared by the DoFn operators)", () => {
  it("calls the methods in order on the DoFn itself, bundle methods in bundle scope (outputs in the global window)", () => {
    const { ctx, outputs } = context();
    const calls: string[] = [];
    const fn = {
      name: "fn",
      setup(this: { name: string }) {
        calls.push(`setup:${this.name}`);
      },
      startBundle(c: DoFnContext) {
        calls.push("start");
        c.output("from start");
      },
      finishBundle(this: { name: string }, c: DoFnContext) {
        calls.push(`finish:${this.name}`);
        c.output("from finish");
      },
      teardown() {
        calls.push("teardown");
      },
    };
    const life = dofnLifecycle("T", fn as never, ctx);
    ctx.setElement(42, [{ start: 0, end: 10 } as never], ctx.pane);
    life.setup();
    life.startBundle();
    ctx.setElement(42, [{ start: 0, end: 10 } as never], ctx.pane);
    life.finishBundle();
    life.teardown();
    expect(calls).to.deep.equal(["setup:fn", "start", "finish:fn", "teardown"]);
    expect(outputs).to.deep.equal([
      { value: "from start", timestamp: MIN_TIMESTAMP },
      { value: "from finish", timestamp: MIN_TIMESTAMP },
    ]);
    expect(ctx.windows).to.equal(IN_GLOBAL_WINDOW);
    expect(ctx.windows[0]).to.equal(GLOBAL_WINDOW);
  });

  it("a DoFn without lifecycle methods: every call is a no-op that leaves the context alone", () => {
    const { ctx } = context();
    const life = dofnLifecycle("T", {}, ctx);
    ctx.setElement(7, IN_GLOBAL_WINDOW, ctx.pane);
    life.setup();
    life.startBundle();
    life.finishBundle();
    life.teardown();
    expect(ctx.timestamp, "no bundle scope set for a missing method").to.equal(7);
  });

  for (const phase of ["setup", "startBundle", "finishBundle", "teardown"] as const) {
    it(`what ${phase} throws is a UserCodeError naming the transform and the phase`, () => {
      const { ctx } = context();
      const life = dofnLifecycle("My/ParDo", { [phase]: () => void JSON.parse("{") }, ctx);
      const e = thrown(() => life[phase]());
      expect(e).to.be.instanceOf(UserCodeError);
      expect((e as UserCodeError).transform).to.equal("My/ParDo");
      expect((e as Error).message)
        .to.match(new RegExp(`failed in ${phase}`))
        .and.match(/JSON/);
      expect((e as Error).cause).to.be.instanceOf(SyntaxError);
    });
  }

  it("callUserCode returns the value, shows the element in the error, and lets runner checks through unwrapped", () => {
    expect(callUserCode("T", "restrictionSize", () => 3, { id: 1 })).to.equal(3);
    const e = thrown(() =>
      callUserCode(
        "T",
        "newTracker",
        () => {
          throw new Error("bad restriction");
        },
        { id: 1 },
      ),
    );
    expect((e as Error).message)
      .to.contain("failed in newTracker of element")
      .and.contain("id")
      .and.contain("bad restriction");
    const check = new RunnerCheckError("T", "mutated");
    expect(
      thrown(() =>
        callUserCode("T", "processing", () => {
          throw check;
        }),
      ),
    ).to.equal(check);
  });
});
