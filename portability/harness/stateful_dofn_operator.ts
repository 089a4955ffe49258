/**
 * A stateful DoFn: elements are processed per key and window with the
 * declared state cells and timers of that namespace; timers fire through
 * `onTimer.<name>(ctx)` with the key, window, timestamp and state. Elements
 * of expired windows are dropped (and counted), as in Beam. One element or
 * timer at a time: a timer and an element of a key never interleave.
 */
import type { BoundedWindow } from "../../model/windows";
import { garbageCollectionTime, windowKey } from "../../model/windows";
import { NO_FIRING, type PaneInfo } from "../../model/pane";
import type { DoFnObject } from "../../sdk/transforms/dofn";
import type { Timer } from "../../sdk/state/timer_specs";
import { isKV } from "../../model/kv";
import type { Coder } from "../coders/coder";
import { identityOf } from "../values/canonical_key";
import type { FiredTimer, KeyedRuntime } from "./keyed_runtime";
import type { KeyedSpecs } from "./state_cell_specs";
import type { DoFnContext } from "./dofn_context";
import { RunnerCheckError, wrapUserError } from "./user_code_error";
import { previewValue } from "../values/preview";
import { callUserCode, dofnLifecycle, LifecycleOperator, type OperatorLifecycle } from "./dofn_lifecycle";

export type { KeyedRuntime } from "./keyed_runtime";

/**
 * The state namespace of `key` in `window`: what a runner's state backend
 * and timers are keyed by (keys compare by their encoding, as everywhere).
 */
export function stateNamespace(keyCoder: Coder<unknown>, key: unknown, window: BoundedWindow): string {
  return `${identityOf(keyCoder, key)}\u0000${windowKey(window)}`;
}

/** The operator of a stateful ParDo. */
export class StatefulDoFnOperator extends LifecycleOperator {
  private readonly timerAccessors = new Map<string, Record<string, Timer>>();
  protected readonly lifecycle: OperatorLifecycle;

  constructor(
    transform: string,
    private readonly ctx: DoFnContext,
    private readonly fn: DoFnObject<unknown, unknown>,
    private readonly specs: KeyedSpecs,
    private readonly keyCoder: Coder<unknown>,
    private readonly allowedLatenessMs: number,
    private readonly runtime: KeyedRuntime,
  ) {
    super(transform);
    this.lifecycle = dofnLifecycle(transform, fn, ctx);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (!isKV(value)) {
      throw new RunnerCheckError(
        this.transform,
        `stateful DoFn '${this.transform}' needs KV elements ({ key, value }), got ${previewValue(value)}`,
      );
    }
    const watermark = this.runtime.inputWatermark();
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      const gcTime = garbageCollectionTime(window, this.allowedLatenessMs);
      if (gcTime < watermark) {
        this.runtime.onDroppedLate(1);
        continue;
      }
      const ns = this.namespace(value.key, window);
      this.runtime.timers.trackWindow(ns, gcTime);
      this.enter(ns, value.key, window, timestamp, pane);
      let out: Iterable<unknown> | void;
      try {
        out = this.fn.process(value, this.ctx) as Iterable<unknown> | void;
      } catch (e) {
        wrapUserError(e, this.transform, "processing", { value });
      }
      if (out !== undefined && out !== null) for (const o of out) this.ctx.output(o);
    }
  }

  /** Fires one timer: its outputs carry the timer's output timestamp, in its window. */
  fireTimer(timer: FiredTimer): void {
    this.enter(timer.namespace, timer.key, timer.window, timer.outputTimestamp, NO_FIRING);
    const callback = this.fn.onTimer?.[timer.name];
    if (!callback) throw new Error(`internal: timer '${timer.name}' of '${this.transform}' has no callback`);
    callUserCode(this.transform, `onTimer.${timer.name}`, () => callback.call(this.fn, this.ctx));
  }

  /** Drops the state of a namespace whose window expired. */
  expire(namespace: string): void {
    this.runtime.store.clearNamespace(namespace);
    this.timerAccessors.delete(namespace);
  }

  private enter(ns: string, key: unknown, window: BoundedWindow, timestamp: number, pane: PaneInfo): void {
    this.ctx.setElement(timestamp, [window], pane);
    this.ctx.key = key;
    this.ctx.state = this.runtime.store.cells(ns);
    this.ctx.timers = this.timersOf(ns, key, window);
  }

  private namespace(key: unknown, window: BoundedWindow): string {
    return stateNamespace(this.keyCoder, key, window);
  }

  private timersOf(ns: string, key: unknown, window: BoundedWindow): Record<string, Timer> {
    let accessors = this.timerAccessors.get(ns);
    if (accessors) return accessors;
    accessors = {};
    const gcTime = garbageCollectionTime(window, this.allowedLatenessMs);
    for (const [name, domain] of this.specs.timers) {
      const set = (timestamp: number, outputTimestamp?: number): void => {
        if (typeof timestamp !== "number" || Number.isNaN(timestamp)) throw new TypeError(`timer '${name}': set needs a number of ms`);
        if (domain === "eventTime" && timestamp > gcTime) {
          throw new Error(
            `event-time timer '${name}' set for ${timestamp}, after its window ${windowKey(window)} expires at ${gcTime} (window end + allowed lateness)`,
          );
        }
        // Event-time outputs default to the firing time; processing-time ones to the element's time.
        const out = outputTimestamp ?? (domain === "eventTime" ? timestamp : this.ctx.timestamp);
        this.runtime.timers.set(ns, key, window, name, domain, timestamp, out);
      };
      accessors[name] = {
        set,
        offset: (delayMs: number, outputTimestamp?: number) =>
          set((domain === "eventTime" ? this.ctx.timestamp : this.runtime.processingTime()) + delayMs, outputTimestamp),
        clear: () => this.runtime.timers.clear(ns, name),
      };
    }
    Object.freeze(accessors);
    this.timerAccessors.set(ns, accessors);
    return accessors;
  }
}
