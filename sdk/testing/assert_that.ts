import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { impulse } from "../transforms/create";
import { declareParDo } from "../transforms/pardo";
import { views } from "../transforms/views";
import type { ProcessContext } from "../transforms/transform_context";
import { compareMultisets, formatMultisetDiff } from "./multiset_diff";
import { previewValue } from "../../portability/values/preview";

/** The counter every successful assertion increments, so a test can check that its assertions ran. */
export const ASSERTIONS_PASSED_COUNTER = "millrace.testing.assertionsPassed";

/** Thrown inside the pipeline when an assertion fails; the job then fails with this message. */
export class AssertionFailedError extends Error {
  /** Always `"AssertionFailedError"`. */
  override readonly name = "AssertionFailedError";
}

type Check<T> = (actual: T[]) => void;

class AssertTransform<T> extends PTransform<PCollection<T>, void> {
  constructor(
    private readonly label: string,
    private readonly check: Check<T>,
  ) {
    super();
  }
  override defaultName(): string {
    return `AssertThat(${this.label})`;
  }
  expand(input: PCollection<T>): void {
    const { check } = this;
    // The actual elements arrive as an iterable side input of an impulse:
    // the check runs exactly once, even when the collection is empty.
    const actual = views.iterable(input);
    const p = input.pipeline;
    const root = p.apply("Impulse", impulse());
    root.apply(
      "Check",
      new (class extends PTransform<PCollection<Uint8Array>, void> {
        expand(imp: PCollection<Uint8Array>): void {
          declareParDo(imp as PCollection<unknown>, {
            fn: {
              process(_: Uint8Array, ctx: ProcessContext) {
                check(ctx.sideInput("actual") as T[]);
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
  constructor(private readonly pcoll: PCollection<T>) {}

  /** The collection holds exactly these elements, in any order (compared by value). */
  containsInAnyOrder(expected: Iterable<T>): void {
    const exp = Array.from(expected);
    this.add("containsInAnyOrder", (actual) => {
      const diff = compareMultisets(exp, actual);
      if (!diff.equal) {
        throw new AssertionFailedError(`assertThat(${this.pcoll.id}).containsInAnyOrder failed:\n${formatMultisetDiff(exp, actual, diff)}`);
      }
    });
  }

  /** The collection holds exactly the one element, or exactly these elements in this order when given an array of one per window. */
  equals(expected: T | readonly T[]): void {
    const exp = Array.isArray(expected) ? [...expected] : [expected as T];
    this.add("equals", (actual) => {
      const diff = compareMultisets(exp, actual);
      if (!diff.equal) {
        throw new AssertionFailedError(`assertThat(${this.pcoll.id}).equals failed:\n${formatMultisetDiff(exp, actual, diff)}`);
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
          `assertThat(${this.pcoll.id}).satisfies failed: ${(e as Error).message ?? String(e)}\n  actual (${actual.length}): ${previewValue(actual, 400)}`,
        );
      }
    });
  }

  /** The collection is empty. */
  isEmpty(): void {
    this.add("isEmpty", (actual) => {
      if (actual.length !== 0) {
        throw new AssertionFailedError(`assertThat(${this.pcoll.id}).isEmpty failed: it has ${actual.length} elements: ${previewValue(actual, 400)}`);
      }
    });
  }

  private add(what: string, check: Check<T>): void {
    this.pcoll.apply(new AssertTransform<T>(what, check));
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
