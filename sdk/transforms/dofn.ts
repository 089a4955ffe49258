import type { BundleContext, ProcessContext } from "./transform_context";

/**
 * The per-element function of a ParDo, with Beam's lifecycle: `setup` once
 * per instance, `startBundle` and `finishBundle` around each bundle,
 * `process` per element, `teardown` when the instance is discarded.
 *
 * `process` emits with `ctx.output(v)` (or `ctx.outputTo(tag, v)`,
 * `ctx.outputWithTimestamp(v, ts)`), or by returning an iterable.
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
export abstract class DoFn<In, Out> {
  /** Called once before the instance processes anything. */
  setup?(): void;
  /** Called before each bundle. */
  startBundle?(ctx: BundleContext<Out>): void;
  /** Called for each element (and each of its windows). */
  abstract process(element: In, ctx: ProcessContext<Out>): Iterable<Out> | void;
  /** Called after each bundle; may emit. */
  finishBundle?(ctx: BundleContext<Out>): void;
  /** Called once when the instance is discarded. */
  teardown?(): void;
}

/** A DoFn written as an object literal, with the same optional lifecycle methods. */
export interface DoFnObject<In, Out> {
  /** Called once before the object processes anything. */
  setup?(): void;
  /** Called before each bundle. */
  startBundle?(ctx: BundleContext<Out>): void;
  /** Called for each element (and each of its windows); emit with `ctx.output` or return an iterable. */
  process(element: In, ctx: ProcessContext<Out>): Iterable<Out> | void;
  /** Called after each bundle; may emit. */
  finishBundle?(ctx: BundleContext<Out>): void;
  /** Called once when the object is discarded. */
  teardown?(): void;
  /** State cells, for stateful processing. */
  state?: Record<string, unknown>;
  /** Timers, for stateful processing. */
  timers?: Record<string, unknown>;
  /** Timer callbacks by timer name. */
  onTimer?: Record<string, (ctx: ProcessContext<Out>) => void>;
}

/** Either form of DoFn. */
export type AnyDoFn<In, Out> = DoFn<In, Out> | DoFnObject<In, Out>;
