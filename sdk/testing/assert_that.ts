import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { impulse } from "../transforms/create";
import { declareParDo } from "../transforms/pardo";
import { views } from "../transforms/views";
import type { ProcessContext } from "../transforms/transform_context";
import { compareMultisets, formatMultisetDiff } from "./multiset_diff";
import { previewValue } from "../../portability/values/preview";
import { ParDoTransform } from "../transforms/pardo";
import { windowInto } from "../windowing/window_into";
import { windows } from "../windowing/windows";
import { windowsEqual, windowToString, type BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";

/** The counter every successful assertion increments, so a test can check that its assertions ran. */
export const ASSERTIONS_PASSED_COUNTER = "millrace.testing.assertionsPassed";

/** Thrown inside the pipeline when an assertion fails; the job then fails with this message. */
export class AssertionFailedError extends Error {
  /** Always `"AssertionFailedError"`. */
  override readonly name = "AssertionFailedError";
}

type Check<T> = (actual: T[]) => void;

/** An element with the window and pane it was in, as the assertion sees it. */
interface Reified {
  value: unknown;
  window: BoundedWindow;
  pane: PaneInfo;
}

/** Which elements an assertion looks at. */
interface Scope {
  /** Only this window's elements; all windows when absent. */
  readonly window?: BoundedWindow;
  /** Which panes: all of them, the on-time pane, or the final pane. */
  readonly panes: "all" | "onTime" | "final";
  /** How the scope reads in messages. */
  readonly label: string;
}

const ALL: Scope = { panes: "all", label: "" };

function inScope(r: Reified, scope: Scope): boolean {
  if (scope.window && !windowsEqual(r.window, scope.window)) return false;
  if (scope.panes === "onTime") return r.pane.timing === "ON_TIME";
  if (scope.panes === "final") return r.pane.isLast;
  return true;
}

class AssertTransform<T> extends PTransform<PCollection<T>, void> {
  constructor(
    private readonly label: string,
    private readonly scope: Scope,
    private readonly check: Check<T>,
  ) {
    super();
  }
  override defaultName(): string {
    return `AssertThat(${this.label})`;
  }
  expand(input: PCollection<T>): void {
    const { check, scope } = this;
    // Each element is reified with its window and pane, then moved into the
    // global window; the elements arrive as an iterable side input of an
    // impulse, so the check runs exactly once, even when there are none.
    const reified = input
      .apply(
        "ReifyWindows",
        new ParDoTransform<T, Reified>("ReifyWindows", {
          fn: {
            process(value: T, ctx: ProcessContext<Reified>) {
              ctx.output({ value, window: ctx.window, pane: ctx.pane });
            },
          },
          shape: "dofn",
        }),
      )
      .apply("IntoGlobalWindow", windowInto(windows.global()));
    const actual = views.iterable(reified);
    const p = input.pipeline;
    const root = p.apply("Impulse", impulse());
    root.apply(
      "Check",
      new (class extends PTransform<PCollection<Uint8Array>, void> {
        expand(imp: PCollection<Uint8Array>): void {
          declareParDo(imp as PCollection<unknown>, {
            fn: {
              process(_: Uint8Array, ctx: ProcessContext) {
                const all = ctx.sideInput("actual") as Reified[];
                check(all.filter((r) => inScope(r, scope)).map((r) => r.value as T));
                ctx.metrics.counter(ASSERTIONS_PASSED_COUNTER).inc();
              },
            },
            shape: "dofn",
            sideInputs: { actual: actual as never },
          });
        }
      })(),
    );
  }
}

/** Assertions on the contents of a PCollection, checked when the pipeline runs. */
export class PAssert<T> {
  /** @internal */
  constructor(
    private readonly pcoll: PCollection<T>,
    private readonly scope: Scope = ALL,
  ) {}

  /** Narrows the assertion to the elements of window `w`, from all its panes. */
  inWindow(w: BoundedWindow): PAssert<T> {
    return new PAssert<T>(this.pcoll, { window: w, panes: "all", label: `.inWindow(${windowToString(w)})` });
  }

  /** Narrows the assertion to the on-time pane of window `w`. */
  inOnTimePane(w: BoundedWindow): PAssert<T> {
    return new PAssert<T>(this.pcoll, { window: w, panes: "onTime", label: `.inOnTimePane(${windowToString(w)})` });
  }

  /** Narrows the assertion to the final pane of window `w`. */
  inFinalPane(w: BoundedWindow): PAssert<T> {
    return new PAssert<T>(this.pcoll, { window: w, panes: "final", label: `.inFinalPane(${windowToString(w)})` });
  }

  /** The collection holds exactly these elements, in any order (compared by value). */
  containsInAnyOrder(expected: Iterable<T>): void {
    const exp = Array.from(expected);
    this.add("containsInAnyOrder", (actual) => {
      const diff = compareMultisets(exp, actual);
      if (!diff.equal) {
        throw new AssertionFailedError(
          `assertThat(${this.pcoll.id})${this.scope.label}.containsInAnyOrder failed:\n${formatMultisetDiff(exp, actual, diff)}`,
        );
      }
    });
  }

  /** The collection holds exactly the one element, or exactly these elements in this order when given an array of one per window. */
  equals(expected: T | readonly T[]): void {
    const exp = Array.isArray(expected) ? [...expected] : [expected as T];
    this.add("equals", (actual) => {
      const diff = compareMultisets(exp, actual);
      if (!diff.equal) {
        throw new AssertionFailedError(
          `assertThat(${this.pcoll.id})${this.scope.label}.equals failed:\n${formatMultisetDiff(exp, actual, diff)}`,
        );
      }
    });
  }

  /** `check(elements)` does not throw; it receives all elements. */
  satisfies(check: (elements: T[]) => void): void {
    this.add("satisfies", (actual) => {
      try {
        check(actual);
      } catch (e) {
        throw new AssertionFailedError(
          `assertThat(${this.pcoll.id})${this.scope.label}.satisfies failed: ${(e as Error).message ?? String(e)}\n  actual (${actual.length}): ${previewValue(actual, 400)}`,
        );
      }
    });
  }

  /** The collection is empty. */
  isEmpty(): void {
    this.add("isEmpty", (actual) => {
      if (actual.length !== 0) {
        throw new AssertionFailedError(
          `assertThat(${this.pcoll.id})${this.scope.label}.isEmpty failed: it has ${actual.length} elements: ${previewValue(actual, 400)}`,
        );
      }
    });
  }

  private add(what: string, check: Check<T>): void {
    this.pcoll.apply(new AssertTransform<T>(what, this.scope, check));
  }
}

/**
 * Asserts on a PCollection's contents from inside the pipeline; a failed
 * assertion fails the run with a readable diff of expected and actual.
 *
 * @example
 * ```ts
 * mr.testing.assertThat(counts).containsInAnyOrder([mr.kv("a", 2), mr.kv("b", 1)]);
 * await p.run().waitUntilFinish();
 * ```
 */
export function assertThat<T>(pcoll: PCollection<T>): PAssert<T> {
  return new PAssert<T>(pcoll);
}
