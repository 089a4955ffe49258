/**
 * Beam's DoFn lifecycle, once for every operator that runs a DoFn (ParDo,
 * stateful ParDo, splittable DoFn): `setup` and `teardown` around the
 * instance's life, `startBundle` and `finishBundle` around each bundle with
 * the context in bundle scope (outputs go to the global window), and
 * anything user code throws wrapped with the transform and the phase (and
 * the element, when there is one).
 */
import type { DoFnContext } from "./dofn_context";
import type { Operator } from "./operators";
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { wrapUserError } from "./user_code_error";

/** The lifecycle methods a DoFn may define (a DoFn class, a DoFn object, a splittable DoFn object). */
export interface DoFnLifecycleMethods {
  setup?(): void;
  startBundle?(ctx: never): void;
  finishBundle?(ctx: never): void;
  teardown?(): void;
}

/** An operator's lifecycle calls. */
export type OperatorLifecycle = Pick<Operator, "setup" | "startBundle" | "finishBundle" | "teardown">;

/** An operator whose lifecycle calls are those of `lifecycle` (a DoFn's, or none for a plain function). */
export abstract class LifecycleOperator implements Operator {
  /** The calls of the operator's lifecycle (set in its constructor). */
  protected abstract readonly lifecycle: OperatorLifecycle;
  constructor(readonly transform: string) {}
  setup(): void {
    this.lifecycle.setup();
  }
  startBundle(): void {
    this.lifecycle.startBundle();
  }
  finishBundle(): void {
    this.lifecycle.finishBundle();
  }
  teardown(): void {
    this.lifecycle.teardown();
  }
  abstract receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void;
}

/** The lifecycle of an operator that runs no DoFn. */
export const NO_LIFECYCLE: OperatorLifecycle = { setup() {}, startBundle() {}, finishBundle() {}, teardown() {} };

/** Runs `f`, user code of `transform` in `phase`: what it throws is wrapped with both (and `element`, when given). */
export function callUserCode<T>(transform: string, phase: string, f: () => T, element?: unknown): T {
  try {
    return f();
  } catch (e) {
    return wrapUserError(e, transform, phase, element === undefined ? undefined : { value: element });
  }
}

/** The lifecycle of `fn`, the DoFn of `transform`, with `ctx` as the context of its bundle methods. */
export function dofnLifecycle(transform: string, fn: DoFnLifecycleMethods, ctx: DoFnContext): OperatorLifecycle {
  // Looked up at each call, on fn (the methods may use `this`), as the DoFn defines them then.
  const inBundleScope = (phase: "startBundle" | "finishBundle") => (): void => {
    const method = fn[phase];
    if (!method) return;
    ctx.setBundleScope();
    callUserCode(transform, phase, () => method.call(fn, ctx as never));
  };
  return {
    setup: () => callUserCode(transform, "setup", () => fn.setup?.()),
    startBundle: inBundleScope("startBundle"),
    finishBundle: inBundleScope("finishBundle"),
    teardown: () => callUserCode(transform, "teardown", () => fn.teardown?.()),
  };
}
