/**
 * What a conformance case is: a pipeline defined once against the public API
 * (its expected outputs asserted inside it with `mr.testing.assertThat`) and
 * what the run must do on every runner.
 *
 * Case modules live in `cases/` and call `mr.definePipeline(name, build)` at
 * their top level, so that a runner that executes user code on worker
 * threads can load the module again and rebuild the pipeline by name. Keep
 * case modules free of side effects other than those definitions, and keep
 * builders deterministic (no randomness or clock reads while building).
 */
import type * as mr from "../../index";

/** Runner capabilities a case may depend on; see `runners.ts`. */
export type RunnerCapability =
  /** Fails the job when a transform mutates its input, or an element after outputting it. */
  | "immutabilityChecks"
  /** Encodes every element between transforms (even fused ones), so an element its coder cannot encode fails the job. */
  | "encodabilityChecks"
  /** User code runs in the test's own process and thread, so module-level state is shared with the test. */
  | "inProcess"
  /** Runs unbounded pipelines (TestStream, endless sequences). Needed by any case whose proto has an unbounded PCollection. */
  | "unbounded";

/** A conformance case; its display name is the definition's name. */
export interface ConformanceCase {
  /** The pipeline, defined at the top level of a case module. */
  readonly definition: mr.PipelineDefinition;
  /**
   * How many `assertThat(...)` assertions the pipeline builds (checked
   * against its proto). A successful run must report exactly this many
   * passed assertions, so a runner that skips work cannot pass.
   */
  readonly assertions: number;
  /**
   * The run must fail with a `PipelineExecutionError`: its message matches the
   * RegExp, or the function (which throws to reject) accepts the error.
   */
  readonly expectFailure?: RegExp | ((err: mr.PipelineExecutionError) => void);
  /** Further checks on a successful run's result (e.g. metrics); throws to fail. */
  readonly check?: (result: mr.PipelineResult) => void;
  /** Runs only on runners with all these capabilities (skipped elsewhere). */
  readonly requires?: readonly RunnerCapability[];
}
