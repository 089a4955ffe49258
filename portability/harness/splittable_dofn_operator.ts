/**
 * Runs a splittable DoFn (Beam's SDF): the semantics every runner shares.
 *
 * An element becomes work: its initial restriction, split by the DoFn's
 * `splitRestriction`. Processing one piece of work creates its tracker and
 * watermark estimator, optionally splits the restriction at a fraction the
 * runner chooses (the split-off residual is more work), calls `process`,
 * and then either checkpoints (`ProcessContinuation.resume`: the unclaimed
 * rest becomes a residual due after the resume delay) or checks that the
 * restriction is done (a `process` that returns without finishing and
 * without `resume()` is an error naming the transform).
 *
 * Two ways to drive it:
 * - a source (the SDF reads an Impulse or a Create): the runner holds the
 *   work, in its checkpoint or offset log, and calls {@link processWork};
 * - inside a stage (a bounded SDF after other steps): {@link receive}
 *   processes an element's work until none is left.
 */
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { MIN_TIMESTAMP } from "../../model/time";
import type { SplittableDoFnObject } from "../../sdk/transforms/splittable/splittable_dofn";
import type { RestrictionTracker } from "../../sdk/transforms/splittable/restriction_tracker";
import { ProcessContinuation } from "../../sdk/transforms/splittable/process_continuation";
import { MonotonicallyIncreasingWatermarkEstimator, type WatermarkEstimator } from "../../sdk/transforms/splittable/watermark_estimators";
import type { BundleFinalizer } from "../../sdk/transforms/splittable/bundle_finalizer";
import type { MetricsContext } from "../../sdk/metrics/metrics_context";
import type { ElementReceiver } from "./element_receiver";
import { DoFnContext } from "./dofn_context";
import type { SideInputReader } from "./side_input_reader";
import type { SplittableWork } from "./splittable_work";
import { PendingFinalizations, type Finalization } from "./bundle_finalizations";
import { UserCodeError, wrapUserError } from "./user_code_error";
import { sliceTracker, type ProcessSlice } from "./process_slice";
import { callUserCode, dofnLifecycle, LifecycleOperator, type OperatorLifecycle } from "./dofn_lifecycle";

/** Where the runner wants a restriction split before it is processed: a fraction of the remainder, or undefined for no split. */
export type SplitPolicy = () => number | undefined;

/** Work left after processing one piece: a checkpoint's residual, or a part split off. */
export interface Residual {
  readonly work: SplittableWork;
  /** How long (ms) the runner waits before processing it. */
  readonly delayMs: number;
  /** True when the runner's process slice ended (not the DoFn's `resume()`): the runner goes on with it at once. */
  readonly sliced?: boolean;
}

/** The `ctx` of a splittable DoFn: a DoFn's, plus the restriction's tracker, watermark estimator and the bundle finalizer. */
class SplittableDoFnContext extends DoFnContext {
  tracker!: RestrictionTracker<unknown>;
  watermarkEstimator!: WatermarkEstimator;
  constructor(
    transform: string,
    main: ElementReceiver,
    sideInputs: SideInputReader,
    metrics: MetricsContext,
    readonly bundleFinalizer: BundleFinalizer,
  ) {
    super(transform, { main, tagged: new Map() }, sideInputs, metrics, 0);
  }
}

/** Runs one splittable DoFn. */
export class SplittableDoFnOperator extends LifecycleOperator {
  protected readonly lifecycle: OperatorLifecycle;
  private readonly ctx: SplittableDoFnContext;
  private readonly finalizations = new PendingFinalizations();
  /** The estimator of the work being processed: it observes every output's timestamp. */
  private observing: WatermarkEstimator | undefined;
  /** How many elements the DoFn has output so far: a source's input rows, for a runner's progress. */
  outputCount = 0;

  /**
   * @param unbounded the DoFn's output is unbounded: its work never ends, so
   *   it can only run as a source the runner drives.
   * @param splitPolicy where the runner splits each restriction before
   *   processing it (the direct runner's random splits); none by default.
   */
  constructor(
    transform: string,
    private readonly fn: SplittableDoFnObject<unknown, unknown, unknown>,
    main: ElementReceiver,
    sideInputs: SideInputReader,
    metrics: MetricsContext,
    readonly unbounded: boolean,
    private readonly splitPolicy?: SplitPolicy,
  ) {
    super(transform);
    const observed: ElementReceiver = {
      receive: (value, timestamp, windows, pane) => {
        this.observing?.observeTimestamp?.(timestamp);
        this.outputCount++;
        main.receive(value, timestamp, windows, pane);
      },
    };
    this.ctx = new SplittableDoFnContext(transform, observed, sideInputs, metrics, this.finalizations.finalizerFor(transform));
    this.lifecycle = dofnLifecycle(transform, fn, this.ctx);
  }

  /** The finalization callbacks registered since the last call (run them once the bundle is committed). */
  takeFinalizations(): Finalization[] {
    return this.finalizations.take();
  }

  /** An element's work: its initial restriction, split by `splitRestriction`. */
  initialWork(element: unknown, timestamp: number, windows: readonly BoundedWindow[]): SplittableWork[] {
    const { restriction } = this.pairWithRestriction(element);
    return this.splitRestriction(element, restriction).map((r) => ({
      element,
      timestamp,
      windows,
      restriction: r,
      watermarkState: this.initialWatermarkState(element, r),
    }));
  }

  /** Beam's pair-with-restriction phase: the element's initial restriction and its watermark estimator's initial state. */
  pairWithRestriction(element: unknown): { restriction: unknown; watermarkState: unknown } {
    const restriction = this.call("initialRestriction", () => this.fn.initialRestriction(element), element);
    return { restriction, watermarkState: this.initialWatermarkState(element, restriction) };
  }

  /** The initial split of a restriction (`splitRestriction`, or the restriction itself). */
  splitRestriction(element: unknown, restriction: unknown): unknown[] {
    const fn = this.fn;
    return fn.splitRestriction
      ? this.call("splitRestriction", () => [...fn.splitRestriction!(element, restriction)], element)
      : [restriction];
  }

  /**
   * What is left of work when the runner drains (Beam's truncate phase): a
   * bounded restriction is finished, an unbounded one is dropped (undefined).
   */
  truncate(work: SplittableWork): SplittableWork | undefined {
    return this.isBounded(work) ? work : undefined;
  }

  private initialWatermarkState(element: unknown, restriction: unknown): unknown {
    const fn = this.fn;
    return this.call(
      "initialWatermarkEstimatorState",
      () => fn.initialWatermarkEstimatorState?.(element, restriction) ?? MIN_TIMESTAMP,
      element,
    );
  }

  /** How big a piece of work is (`restrictionSize`, or the tracker's estimate of the work left). */
  sizeOf(work: SplittableWork): number {
    const fn = this.fn;
    return this.call(
      "restrictionSize",
      () =>
        fn.restrictionSize
          ? fn.restrictionSize(work.element, work.restriction)
          : fn.newTracker(work.restriction).getProgress().workRemaining,
      work.element,
    );
  }

  /** The output watermark of pending work: its estimator's, from its state. */
  watermarkOf(work: SplittableWork): number {
    return this.call("newWatermarkEstimator", () => this.newEstimator(work.watermarkState).currentWatermark(), work.element);
  }

  /** The output watermark of pending work and whether its estimator says it is idle at `nowMs`, from its state. */
  watermarkStatusOf(work: SplittableWork, nowMs: number): { readonly watermark: number; readonly idle: boolean } {
    return this.call(
      "newWatermarkEstimator",
      () => {
        const estimator = this.newEstimator(work.watermarkState);
        return { watermark: estimator.currentWatermark(), idle: estimator.isIdle?.(nowMs) ?? false };
      },
      work.element,
    );
  }

  /** True when the work's restriction is finite (its tracker says so). */
  isBounded(work: SplittableWork): boolean {
    return this.call("newTracker", () => this.fn.newTracker(work.restriction).isBounded(), work.element);
  }

  /**
   * Processes one piece of work (call inside a bundle): returns what is left,
   * the residual of a checkpoint and the part a split took off.
   */
  processWork(work: SplittableWork, pane?: PaneInfo, slice?: ProcessSlice): Residual[] {
    const fn = this.fn;
    const element = work.element;
    const tracker = this.call("newTracker", () => fn.newTracker(work.restriction), element);
    const sliced = slice ? sliceTracker(tracker, slice) : undefined;
    const residuals: Residual[] = [];
    const fraction = this.splitPolicy?.();
    if (fraction !== undefined) {
      const split = this.call("trySplit", () => tracker.trySplit(fraction), element);
      if (split) residuals.push({ work: { ...work, restriction: split.residual }, delayMs: 0 });
    }
    const estimator = this.call("newWatermarkEstimator", () => this.newEstimator(work.watermarkState), element);
    const ctx = this.ctx;
    ctx.tracker = tracker;
    ctx.watermarkEstimator = estimator;
    ctx.setElement(work.timestamp, work.windows, pane ?? ctx.pane);
    this.observing = estimator;
    let result: ProcessContinuation | Iterable<unknown> | void;
    try {
      result = fn.process(element, ctx as never);
      if (result !== undefined && result !== null && !ProcessContinuation.is(result)) {
        for (const o of result as Iterable<unknown>) ctx.output(o);
      }
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value: element });
    } finally {
      this.observing = undefined;
    }
    if (sliced?.residual !== undefined) {
      residuals.push({ work: { ...work, restriction: sliced.residual, watermarkState: estimator.getState() }, delayMs: 0, sliced: true });
    }
    if (ProcessContinuation.is(result) && result.shouldResume) {
      const rest = this.call("trySplit", () => tracker.trySplit(0), element);
      if (rest)
        residuals.push({
          work: { ...work, restriction: rest.residual, watermarkState: estimator.getState() },
          delayMs: result.resumeDelayMs,
        });
      return residuals;
    }
    try {
      tracker.checkDone();
    } catch (e) {
      throw new UserCodeError(
        this.transform,
        "processing",
        { value: element },
        new Error(
          `process returned without finishing its restriction and without ProcessContinuation.resume(): ${(e as Error).message}` +
            ` (claim every position with ctx.tracker.tryClaim until it returns false, or return mr.ProcessContinuation.resume())`,
          { cause: e },
        ),
      );
    }
    return residuals;
  }

  /**
   * Splits pending work (not being processed) at `fractionOfRemainder` of
   * it, as the runner asks: what this bundle keeps and what it gives away;
   * undefined when the restriction cannot be split.
   */
  splitWork(work: SplittableWork, fractionOfRemainder: number): { primary: SplittableWork; residual: SplittableWork } | undefined {
    const tracker = this.call("newTracker", () => this.fn.newTracker(work.restriction), work.element);
    const split = this.call("trySplit", () => tracker.trySplit(fractionOfRemainder), work.element);
    return split ? { primary: { ...work, restriction: split.primary }, residual: { ...work, restriction: split.residual } } : undefined;
  }

  /** Inside a stage: processes all of the element's work, per window, residuals included. */
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    for (const window of windows) {
      const queue = this.initialWork(value, timestamp, [window]);
      while (queue.length > 0) {
        const work = queue.shift()!;
        for (const r of this.processWork(work, pane)) queue.push(r.work);
      }
    }
  }

  private newEstimator(state: unknown): WatermarkEstimator {
    const estimator = this.fn.newWatermarkEstimator
      ? this.fn.newWatermarkEstimator(state)
      : new MonotonicallyIncreasingWatermarkEstimator(state as number);
    if (!estimator || typeof estimator.currentWatermark !== "function" || typeof estimator.getState !== "function") {
      throw new TypeError(
        `newWatermarkEstimator must return a WatermarkEstimator (currentWatermark(), getState()), got ${String(estimator)}`,
      );
    }
    return estimator;
  }

  private call<T>(phase: string, f: () => T, element?: unknown): T {
    return callUserCode(this.transform, phase, f, element);
  }
}
