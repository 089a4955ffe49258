/**
 * The operators of a fused stage: one per ParDo shape. Each invokes user
 * code for an element, per window when the element is in several, and
 * wraps anything the user code throws with the transform's name and the
 * element.
 */
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { AnyDoFn } from "../../sdk/transforms/dofn";
import type { TransformContext } from "../../sdk/transforms/transform_context";
import type { ElementReceiver } from "./element_receiver";
import type { DoFnContext } from "./dofn_context";
import { wrapUserError } from "./user_code_error";
import { dofnLifecycle, LifecycleOperator, NO_LIFECYCLE, type OperatorLifecycle } from "./dofn_lifecycle";

/** An operator: receives elements, and has a lifecycle around bundles. */
export interface Operator extends ElementReceiver {
  readonly transform: string;
  setup(): void;
  startBundle(): void;
  finishBundle(): void;
  teardown(): void;
}

abstract class ElementWiseOperator extends LifecycleOperator {
  constructor(
    transform: string,
    protected readonly ctx: DoFnContext,
    /** A function (map, flatMap, filter) has no lifecycle; a DoFn has its own. */
    protected readonly lifecycle: OperatorLifecycle = NO_LIFECYCLE,
  ) {
    super(transform);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (windows.length === 1) {
      this.ctx.setElement(timestamp, windows, pane);
      this.invoke(value);
      return;
    }
    // An element in several windows is processed once per window, each output in that window only.
    for (let i = 0; i < windows.length; i++) {
      this.ctx.setElement(timestamp, [windows[i]!], pane);
      this.invoke(value);
    }
  }

  protected abstract invoke(value: unknown): void;
}

/** `map`: one output per element. */
export class MapOperator extends ElementWiseOperator {
  constructor(
    transform: string,
    ctx: DoFnContext,
    private readonly fn: (el: unknown, ctx: TransformContext) => unknown,
  ) {
    super(transform, ctx);
  }
  protected invoke(value: unknown): void {
    let out: unknown;
    try {
      out = this.fn(value, this.ctx);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value });
    }
    this.ctx.output(out);
  }
}

/** `flatMap`: the elements of the returned iterable. */
export class FlatMapOperator extends ElementWiseOperator {
  constructor(
    transform: string,
    ctx: DoFnContext,
    private readonly fn: (el: unknown, ctx: TransformContext) => Iterable<unknown>,
  ) {
    super(transform, ctx);
  }
  protected invoke(value: unknown): void {
    let out: Iterable<unknown>;
    try {
      out = this.fn(value, this.ctx);
      checkIterable(out, "flatMap function");
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value });
    }
    if (Array.isArray(out)) {
      for (let i = 0; i < out.length; i++) this.ctx.output(out[i]);
    } else {
      for (const o of out) this.ctx.output(o);
    }
  }
}

/** `filter`: the element itself when the predicate holds. */
export class FilterOperator extends ElementWiseOperator {
  constructor(
    transform: string,
    ctx: DoFnContext,
    private readonly fn: (el: unknown, ctx: TransformContext) => boolean,
  ) {
    super(transform, ctx);
  }
  protected invoke(value: unknown): void {
    let keep: boolean;
    try {
      keep = this.fn(value, this.ctx);
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value });
    }
    if (keep) this.ctx.output(value);
  }
}

/** A general DoFn, with its whole lifecycle. */
export class DoFnOperator extends ElementWiseOperator {
  constructor(
    transform: string,
    ctx: DoFnContext,
    private readonly fn: AnyDoFn<unknown, unknown>,
  ) {
    super(transform, ctx, dofnLifecycle(transform, fn, ctx));
  }
  protected invoke(value: unknown): void {
    let out: Iterable<unknown> | void;
    try {
      // A ProcessContinuation (only a splittable DoFn's process returns one) fails the iterable check below.
      out = this.fn.process(value, this.ctx) as Iterable<unknown> | void;
      if (out !== undefined && out !== null) checkIterable(out, "process");
    } catch (e) {
      wrapUserError(e, this.transform, "processing", { value });
    }
    if (out !== undefined && out !== null) for (const o of out) this.ctx.output(o);
  }
}

function checkIterable(x: unknown, what: string): asserts x is Iterable<unknown> {
  if (typeof x === "string") {
    throw new TypeError(`${what} returned a string; return an array of outputs (or emit with ctx.output)`);
  }
  if (x === null || x === undefined || typeof (x as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${what} must return an iterable (e.g. an array), got ${x === null ? "null" : typeof x}`);
  }
}
