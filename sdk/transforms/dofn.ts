import type { BundleContext, DoFnDeclarations, ProcessContext } from "./transform_context";
import type { ProcessContinuation } from "./splittable/process_continuation";

/**
 * The per-element function of a ParDo, with Beam's lifecycle: `setup` once
 * per instance, `startBundle` and `finishBundle` around each bundle,
 * `process` per element, `teardown` when the instance is discarded.
 *
 * `process` emits with `ctx.output(v)` (or `ctx.outputTo(tag, v)`,
 * `ctx.outputWithTimestamp(v, ts)`), or by returning an iterable.
 *
 * `D` types the context by what the DoFn declares ({@link DoFnDeclarations}):
 * a stateful class can name itself, as in `ProcessContext<Out, MyDoFn>`.
 *
 * @example
 * ```ts
 * class SplitWords extends mr.DoFn<string, string> {
 *   process(line: string, ctx: mr.ProcessContext<string>) {
 *     for (const w of line.split(" ")) ctx.output(w);
 *   }
 * }
 * lines.apply(mr.parDo(new SplitWords()));
 * ```
 */
export abstract class DoFn<In, Out, D = DoFnDeclarations> {
  /** Called once before the instance processes anything. */
  setup?(): void;
  /** Called before each bundle. */
  startBundle?(ctx: BundleContext<Out, D>): void;
  /** Called for each element (and each of its windows). */
  abstract process(element: In, ctx: ProcessContext<Out, D>): Iterable<Out> | void | ProcessContinuation;
  /** Called after each bundle; may emit. */
  finishBundle?(ctx: BundleContext<Out, D>): void;
  /** Called once when the instance is discarded. */
  teardown?(): void;
}

/**
 * A DoFn written as an object literal, with the same optional lifecycle
 * methods. `D` is what it declares ({@link DoFnDeclarations}); `parDo`
 * infers it, so `ctx.state`, `ctx.timers`, `ctx.sideInput` and
 * `ctx.outputTo` are typed by the declarations.
 */
export interface DoFnObject<In, Out, D extends DoFnDeclarations = DoFnDeclarations> {
  /** Called once before the object processes anything. */
  setup?(): void;
  /** Called before each bundle. */
  startBundle?(ctx: BundleContext<Out, D>): void;
  /** Called for each element (and each of its windows); emit with `ctx.output` or return an iterable. */
  process(element: In, ctx: ProcessContext<Out, D>): Iterable<Out> | void | ProcessContinuation;
  /** Called after each bundle; may emit. */
  finishBundle?(ctx: BundleContext<Out, D>): void;
  /** Called once when the object is discarded. */
  teardown?(): void;
  /** State cells, for stateful processing. */
  state?: D["state"];
  /** Timers, for stateful processing. */
  timers?: D["timers"];
  /** Timer callbacks by timer name: one for each declared timer. */
  onTimer?: TimerCallbacks<Out, D>;
}

/** The `onTimer` field of a DoFn: a callback for each declared timer, called with the timer's key and window. */
export type TimerCallbacks<Out, D extends DoFnDeclarations> = {
  readonly [Name in keyof NonNullable<D["timers"]>]: (ctx: ProcessContext<Out, D>) => void;
};

/** Either form of DoFn. */
export type AnyDoFn<In, Out, D extends DoFnDeclarations = DoFnDeclarations> = DoFn<In, Out, D> | DoFnObject<In, Out, D>;
