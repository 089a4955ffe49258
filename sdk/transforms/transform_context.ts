import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { MetricsContext } from "../metrics/metrics_context";
import type { StateCells, StateDeclarations } from "../state/state_specs";
import type { TimerDeclarations, Timers } from "../state/timer_specs";
import type { SideInputDeclarations, SideInputValues } from "./views";
import type { OutputDeclarations, OutputTypes } from "./output_tag";

/**
 * What a DoFn declares, as types: the shape its context is typed by. `parDo`
 * infers it from the DoFn's `state` and `timers` fields and the `sideInputs`
 * and `outputs` options; a DoFn class names it, e.g.
 * `ProcessContext<string, { state: { n: ValueStateSpec<number> } }>` or
 * `ProcessContext<string, MyDoFn>` (a class with `state`/`timers` fields).
 *
 * A part left out is untyped, as in a hand-written `ProcessContext<Out>`; a
 * part declared (even empty) is checked: `ctx.state.<name>`, `ctx.timers.<name>`,
 * `ctx.sideInput(name)` and `ctx.outputTo(tag, v)` accept only declared names
 * and give or take the declared types.
 */
export interface DoFnDeclarations {
  /** The DoFn's state declarations (`mr.state.*`), by name. */
  readonly state?: StateDeclarations;
  /** The DoFn's timer declarations (`mr.timers.*`), by name. */
  readonly timers?: TimerDeclarations;
  /** The side input views, by name. */
  readonly sideInputs?: SideInputDeclarations;
  /** The additional outputs: tag names, or `mr.outputTag<T>()` by name. */
  readonly outputs?: OutputDeclarations;
}

/** `ctx.state` for declarations `D`: typed cells when `D` declares state, untyped otherwise. */
export type StateOf<D> = D extends Record<"state", infer S> ? StateCells<S> : any;

/** `ctx.timers` for declarations `D`: the declared timers when `D` declares timers, untyped otherwise. */
export type TimersOf<D> = D extends Record<"timers", infer T> ? Timers<T> : any;

/** Reads side inputs: only declared names, typed by their views, when `D` declares side inputs. */
export type SideInputAccess<D> =
  D extends Record<"sideInputs", infer V>
    ? {
        /** The value of the side input declared under `name`, for this element's window. */
        sideInput<Name extends keyof SideInputValues<V> & string>(name: Name): SideInputValues<V>[Name];
      }
    : {
        /** The value of the side input declared under `name`, for this element's window (untyped: the DoFn's declarations are not known here). */
        sideInput<T = unknown>(name: string): T;
      };

/** Emits to additional outputs: only declared tags (or `"main"`), with their element types, when `D` declares outputs. */
export type TaggedOutputAccess<Out, D> =
  D extends Record<"outputs", infer O>
    ? {
        /** Emits to the named additional output (or `"main"`). */
        outputTo<Tag extends (keyof OutputTypes<O> & string) | "main">(
          tag: Tag,
          value: Tag extends "main" ? Out : OutputTypes<O>[Tag & keyof OutputTypes<O>],
        ): void;
      }
    : {
        /** Emits to the named additional output (untyped: the DoFn's declarations are not known here). */
        outputTo(tag: string, value: unknown): void;
      };

/** The members of {@link ProcessContext} that do not depend on the DoFn's declarations. */
export interface ElementContext<Out> {
  /** The element's event time, ms since the epoch. */
  readonly timestamp: number;
  /** The window being processed (an element in several windows is processed once per window when it matters). */
  readonly window: BoundedWindow;
  /** Which firing of the window produced the element. */
  readonly pane: PaneInfo;
  /** The key, for a stateful DoFn or an `onTimer` call; undefined otherwise. */
  readonly key: unknown;
  /** Emits to the main output, with the input's timestamp and window. */
  output(value: Out): void;
  /** Emits with another timestamp; it may not be earlier than the input's. */
  outputWithTimestamp(value: Out, timestamp: number): void;
  /** Counters, distributions and gauges. */
  readonly metrics: MetricsContext;
}

/**
 * What a DoFn's `process` (and `onTimer` callbacks, and map, flatMap or
 * filter functions) sees about the element it is processing, and how it
 * emits outputs. `D` is what the DoFn declares ({@link DoFnDeclarations}):
 * `ctx.state`, `ctx.timers`, `ctx.sideInput` and `ctx.outputTo` are typed by it.
 *
 * The object is reused from one element to the next: read what you need
 * during the call, do not keep it.
 */
export type ProcessContext<Out = unknown, D = {}> = ElementContext<Out> &
  SideInputAccess<D> &
  TaggedOutputAccess<Out, D> & {
    /** The declared state cells of a stateful DoFn, by name. */
    readonly state: StateOf<D>;
    /** The declared timers of a stateful DoFn, by name. */
    readonly timers: TimersOf<D>;
  };

/** What `startBundle` and `finishBundle` see: outputs go to the global window unless a timestamp is given. */
export type BundleContext<Out = unknown, D = {}> = TaggedOutputAccess<Out, D> & {
  /** Emits to the main output (global window, minimum timestamp). */
  output(value: Out): void;
  /** Emits to the main output with a timestamp (global window). */
  outputWithTimestamp(value: Out, timestamp: number): void;
  /** Counters, distributions and gauges. */
  readonly metrics: MetricsContext;
};

/**
 * A map, flatMap or filter function. Written as a method type so that a
 * function whose `ctx` is annotated with the untyped `TransformContext` is
 * still accepted where the context is typed by side inputs.
 */
export type ElementFn<In, Result, V> = {
  /** The function. */
  fn(element: In, ctx: TransformContext<V>): Result;
}["fn"];

/** The context given to map, flatMap and filter functions; `V` are their side input views. */
export type TransformContext<V = undefined> = ProcessContext<unknown, [V] extends [undefined] ? {} : Record<"sideInputs", V>>;
