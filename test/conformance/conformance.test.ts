/**
 * The conformance suite: the judge of a runner. Every case (cases/*.ts) runs
 * on every runner configuration (runners.ts) through the public API, which
 * always goes through the proto bytes. A successful case must report exactly
 * its declared number of passed assertions; a failure case must fail with a
 * PipelineExecutionError that matches.
 */
import { expect } from "chai";
import * as mr from "../../index";
import type { ConformanceCase, RunnerCapability } from "./conformance_case";
import { RUNNERS } from "./runners";
import { ALL_CASES, CASE_GROUPS } from "./cases";
import { confirmDivergence } from "./prism_divergences";

const CASE_TIMEOUT_MS = 30_000;

function caseName(c: ConformanceCase): string {
  return c.definition.name;
}

/** Runs one case on one runner; throws (an assertion error) when the runner does not conform. */
async function runCase(c: ConformanceCase, args: readonly string[]): Promise<void> {
  const p = c.definition.create(args);
  const result = p.run();
  if (c.expectFailure === undefined) {
    const state = await result.waitUntilFinish();
    expect(state, "final state").to.equal("DONE");
    const passed = result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER] ?? 0;
    expect(passed, `assertions passed (counter ${mr.testing.ASSERTIONS_PASSED_COUNTER}); the case declares ${c.assertions}`).to.equal(
      c.assertions,
    );
    c.check?.(result);
    return;
  }
  let err: unknown;
  let state: unknown;
  try {
    state = await result.waitUntilFinish();
  } catch (e) {
    err = e;
  }
  expect(err, `the run should fail, but it ended in state ${String(state)}`).to.not.equal(undefined);
  expect(err, `the error should be a PipelineExecutionError: ${String(err)}`).to.be.instanceOf(mr.PipelineExecutionError);
  const pe = err as mr.PipelineExecutionError;
  if (c.expectFailure instanceof RegExp) {
    expect(pe.message, "error message").to.match(c.expectFailure);
  } else {
    try {
      c.expectFailure(pe);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- the error was:\n${pe.message}`, { cause: e });
    }
  }
  expect(result.state, "state after failure").to.equal("FAILED");
}

/** Runs `c`, which the runner refuses: it must fail with `refusal` and end FAILED. */
async function expectRefused(c: ConformanceCase, args: readonly string[], refusal: string): Promise<void> {
  const result = c.definition.create(args).run();
  const err = await result.waitUntilFinish().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "a refused case must fail").to.be.instanceOf(Error);
  expect((err as Error).message, "the refusal").to.contain(refusal);
  expect(result.state, "state after the refusal").to.equal("FAILED");
}

/** How many assertThat transforms the pipeline contains, read from its portable form. */
function assertionsInProto(c: ConformanceCase): number {
  const model = mr.portability.fromProto(mr.portability.toProto(c.definition.create(RUNNERS[0]!.args)), {
    supportedRequirements: SUPPORTED,
  });
  const names = Object.values(model.components.transforms).map((t) => t.uniqueName);
  return names.filter((n) => n.split("/").pop()!.startsWith("AssertThat(")).length;
}

/** Requirements the cases may list (runners refuse what they do not support; the harness only reads the proto). */
const SUPPORTED = ["beam:requirement:pardo:stateful:v1", "beam:requirement:pardo:splittable_dofn:v1"];

/** What a case needs of a runner: what it declares, plus "unbounded" when its pipeline has an unbounded PCollection. */
function requirementsOf(c: ConformanceCase): readonly RunnerCapability[] {
  const model = mr.portability.fromProto(mr.portability.toProto(c.definition.create()), { supportedRequirements: SUPPORTED });
  const unbounded = Object.values(model.components.pcollections).some((pc) => pc.isBounded === mr.runnerApi.IsBounded.UNBOUNDED);
  return [...(c.requires ?? []), ...(unbounded ? (["unbounded"] as const) : [])];
}

describe("conformance", function () {
  this.timeout(CASE_TIMEOUT_MS);

  it("case names are unique", () => {
    const names = ALL_CASES.map(caseName);
    expect(
      names.filter((n, i) => names.indexOf(n) !== i),
      "duplicate case names",
    ).to.deep.equal([]);
  });

  describe("case declarations", () => {
    for (const c of ALL_CASES) {
      it(`${caseName(c)}: declares as many assertions as it builds, and rebuilds identically from its module`, () => {
        expect(assertionsInProto(c)).to.equal(c.assertions);
        if (c.expectFailure === undefined) expect(c.assertions, "a successful case must assert something").to.be.greaterThan(0);
        // Workers rebuild the pipeline by loading the case module and calling the definition again:
        // it must be registered under that module, and building it must be deterministic.
        expect(c.definition.module ?? "", "the module that defines the case").to.match(/[\\/]conformance[\\/]cases[\\/][^\\/]+$/);
        const first = Buffer.from(mr.portability.toProto(c.definition.create(RUNNERS[0]!.args)));
        const second = Buffer.from(mr.portability.toProto(c.definition.create(RUNNERS[0]!.args)));
        expect(first.equals(second), "two builds of the case give the same proto bytes").to.equal(true);
      });
    }
  });

  for (const runner of RUNNERS) {
    describe(`runner: ${runner.name}`, () => {
      const args = runner.args;
      if (runner.precondition !== undefined) before(runner.precondition);
      for (const [group, cases] of Object.entries(CASE_GROUPS)) {
        describe(group, () => {
          // A case that needs a capability (e.g. the direct runner's mutation
          // checks) is not applicable to a configuration without it: it is
          // left out there, not skipped.
          for (const c of cases.filter((k) => requirementsOf(k).every((cap) => runner.capabilities.includes(cap)))) {
            const refusal = runner.refuses?.(c);
            if (refusal !== undefined) {
              // Refused by the engine (by name, with its reason: see prism_refusals.test.ts): the run must say so before starting.
              it(`${caseName(c)}: refused at submission: ${refusal}`, async function () {
                await expectRefused(c, args, refusal);
              });
              continue;
            }
            const divergence = runner.diverges?.(c);
            if (divergence !== undefined) {
              it(`${caseName(c)}: differs on ${runner.name}: ${divergence.reason}`, async function () {
                await confirmDivergence(c, divergence, () => runCase(c, args));
              });
              continue;
            }
            it(caseName(c), async function () {
              await runCase(c, args);
            });
          }
        });
      }
    });
  }
});

describe("conformance: naming (construction time)", () => {
  it("a duplicate given name throws when applied", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const pc = p.apply("Source", mr.create([1]));
    pc.apply(
      "Double",
      mr.map((x: number) => x * 2),
    );
    expect(() =>
      pc.apply(
        "Double",
        mr.map((x: number) => x * 3),
      ),
    ).to.throw(/duplicate[\s\S]*Double|Double[\s\S]*duplicate/i);
    expect(() => p.apply("Source", mr.create([2]))).to.throw(/duplicate[\s\S]*Source|Source[\s\S]*duplicate/i);
  });

  it("a duplicate given name inside a composite throws; the same name in different composites does not", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const pc = p.apply(mr.create([1]));
    const twice = mr.ptransform("Twice", (input: mr.PCollection<number>) => {
      const a = input.apply(
        "Step",
        mr.map((x: number) => x),
      );
      return a.apply(
        "Step",
        mr.map((x: number) => x),
      );
    });
    expect(() => pc.apply("T", twice)).to.throw(/duplicate[\s\S]*T\/Step|T\/Step[\s\S]*duplicate/i);
    const once = mr.ptransform("Once", (input: mr.PCollection<number>) =>
      input.apply(
        "Step",
        mr.map((x: number) => x),
      ),
    );
    expect(() => {
      pc.apply("A", once);
      pc.apply("B", once);
    }).to.not.throw();
  });

  it("unnamed transforms never collide", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    const pc = p.apply(mr.create([1]));
    expect(() => {
      for (let i = 0; i < 5; i++) pc.map((x) => x + i);
      p.apply(mr.create([2]));
      p.apply(mr.create([3]));
    }).to.not.throw();
    const model = mr.portability.fromProto(mr.portability.toProto(p), { supportedRequirements: SUPPORTED });
    const names = Object.values(model.components.transforms).map((t) => t.uniqueName);
    expect(new Set(names).size).to.equal(names.length);
  });

  it("a name with '/' or an empty name is rejected", () => {
    const p = mr.Pipeline.create(["--runner=direct"]);
    expect(() => p.apply("a/b", mr.create([1]))).to.throw(/name/);
    expect(() => p.apply("", mr.create([1]))).to.throw(/name/);
  });

  it("a duplicate pipeline definition name in one module throws", () => {
    mr.definePipeline("conformance: defined once", () => undefined);
    expect(() => mr.definePipeline("conformance: defined once", () => undefined)).to.throw(/already defined/);
  });
});
