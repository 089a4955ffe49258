/**
 * The splittable DoFn (Beam's SDF): a DoFn whose work for an element is
 * described by a restriction (an offset range, or a type of your own) that
 * the runner can split, checkpoint and resume. This is how sources are
 * written: bounded ones (a file's byte range) and unbounded ones (a log
 * that keeps growing), with their own watermark.
 */
import type { BundleContext, ProcessContext } from "../transform_context";
import type { Coder } from "../../../portability/coders/coder";
import type { RestrictionTracker } from "./restriction_tracker";
import type { WatermarkEstimator } from "./watermark_estimators";
import type { BundleFinalizer } from "./bundle_finalizer";
import type { ProcessContinuation } from "./process_continuation";

/** What a splittable DoFn's `process` sees: the usual context, plus its restriction's tracker, watermark estimator and bundle finalizer. */
export type SplittableProcessContext<Out, R, W = unknown> = ProcessContext<Out> & {
  /** Claims positions of the restriction being processed (claim before doing the work at a position). */
  readonly tracker: RestrictionTracker<R>;
  /** The estimator of this restriction's output watermark (a `ManualWatermarkEstimator` takes `setWatermark`). */
  readonly watermarkEstimator: WatermarkEstimator<W>;
  /** Registers callbacks to run once this bundle's output is durably committed. */
  readonly bundleFinalizer: BundleFinalizer;
};

/**
 * The methods of a splittable DoFn (object or class form). `R` is the
 * restriction type, `W` the watermark estimator's state.
 *
 * - `initialRestriction(element)`: all the work for an element;
 * - `splitRestriction(element, restriction)`: the initial split, into parts
 *   the runner may process in parallel (default: none);
 * - `restrictionSize(element, restriction)`: how big a part is (default: the
 *   tracker's remaining work);
 * - `newTracker(restriction)`: the tracker `process` claims through;
 * - `process(element, ctx)`: does the work it claims through `ctx.tracker`;
 *   returns `ProcessContinuation.resume(ms)` to be called again later with
 *   the unclaimed rest, or `stop()` / nothing when its restriction is done;
 * - `initialWatermarkEstimatorState` / `newWatermarkEstimator`: the output
 *   watermark (default: a monotonically increasing estimator over the
 *   output timestamps);
 * - `restrictionCoder`: how restrictions are encoded for checkpoints and
 *   offset logs (default: {@link OffsetRange}s and plain data);
 * - `boundedness`: `"unbounded"` for a source that never ends (its output
 *   is an unbounded PCollection); default `"bounded"`.
 */
export interface SplittableDoFnObject<In, Out, R, W = unknown> {
  /** Called once before the object processes anything. */
  setup?(): void;
  /** Called before each bundle. */
  startBundle?(ctx: BundleContext<Out>): void;
  /** Called after each bundle; may emit. */
  finishBundle?(ctx: BundleContext<Out>): void;
  /** Called once when the object is discarded. */
  teardown?(): void;
  /** All the work for `element`. */
  initialRestriction(element: In): R;
  /** The initial split of an element's restriction into parts (default: the restriction itself). */
  splitRestriction?(element: In, restriction: R): Iterable<R>;
  /** The size of a restriction, in units of work (default: the tracker's estimate of the remaining work). */
  restrictionSize?(element: In, restriction: R): number;
  /** A tracker of the claims on `restriction`. */
  newTracker(restriction: R): RestrictionTracker<R>;
  /** Processes the part of `element`'s restriction it claims through `ctx.tracker`. */
  process(element: In, ctx: SplittableProcessContext<Out, R, W>): ProcessContinuation | Iterable<Out> | void;
  /** The watermark estimator state a restriction starts with (default: the beginning of time). */
  initialWatermarkEstimatorState?(element: In, restriction: R): W;
  /** The watermark estimator of a restriction, from its (checkpointed) state. */
  newWatermarkEstimator?(state: W): WatermarkEstimator<W>;
  /** The coder of restrictions (default: OffsetRange and plain data). */
  readonly restrictionCoder?: Coder<R>;
  /** `"unbounded"` for a source that never ends; default `"bounded"`. */
  readonly boundedness?: "bounded" | "unbounded";
}

/**
 * A splittable DoFn written as a class; apply it with `mr.parDo`.
 *
 * @example
 * ```ts
 * // Reads the numbers [0, n) of each element n, splittable into ranges.
 * class CountTo extends mr.SplittableDoFn<number, number, mr.OffsetRange> {
 *   initialRestriction(n: number) { return new mr.OffsetRange(0, n); }
 *   splitRestriction(_n: number, r: mr.OffsetRange) { return r.split(100); }
 *   newTracker(r: mr.OffsetRange) { return new mr.OffsetRangeTracker(r); }
 *   process(_n: number, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>) {
 *     for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.output(i);
 *   }
 * }
 * p.apply(mr.create([10, 20])).apply(mr.parDo(new CountTo()));
 * ```
 */
export abstract class SplittableDoFn<In, Out, R, W = unknown> implements SplittableDoFnObject<In, Out, R, W> {
  /** All the work for `element`. */
  abstract initialRestriction(element: In): R;
  /** A tracker of the claims on `restriction`. */
  abstract newTracker(restriction: R): RestrictionTracker<R>;
  /** Processes the part of `element`'s restriction it claims through `ctx.tracker`. */
  abstract process(element: In, ctx: SplittableProcessContext<Out, R, W>): ProcessContinuation | Iterable<Out> | void;
}

/** True when `fn` is a splittable DoFn (it has `initialRestriction` and `newTracker`). */
export function isSplittableDoFn(fn: unknown): fn is SplittableDoFnObject<unknown, unknown, unknown> {
  const f = fn as { initialRestriction?: unknown; newTracker?: unknown } | null | undefined;
  return !!f && typeof f.initialRestriction === "function" && typeof f.newTracker === "function";
}
