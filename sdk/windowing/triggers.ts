/**
 * Triggers: when the panes of a window are emitted. Semantics are Beam's.
 */
import type { TriggerSpec } from "./windowing_strategy";

function checkTriggers(where: string, ts: readonly TriggerSpec[], min: number): void {
  if (ts.length < min) throw new Error(`${where} needs at least ${min} trigger(s)`);
  ts.forEach((t, i) => {
    if (!t || typeof (t as { kind?: unknown }).kind !== "string")
      throw new TypeError(`${where}: argument ${i} is not a trigger (use mr.triggers.*)`);
  });
}

/**
 * The triggers, for the `trigger` option of {@link windowInto}.
 *
 * @example
 * ```ts
 * mr.windowInto(mr.windows.fixed(60_000), {
 *   trigger: mr.triggers.afterWatermark({
 *     early: mr.triggers.afterProcessingTime({ delayMs: 10_000 }),
 *     late: mr.triggers.afterCount(1),
 *   }),
 *   allowedLatenessMs: 5 * 60_000,
 *   accumulation: "accumulating",
 * });
 * ```
 */
export const triggers = {
  /** Fire when the watermark passes the end of the window, then once per late element within the allowed lateness. */
  defaultTrigger(): TriggerSpec {
    return { kind: "default" };
  },
  /**
   * Fire the on-time pane when the watermark passes the end of the window;
   * optionally `early` panes before it and `late` panes after it (each repeated).
   */
  afterWatermark(options: { early?: TriggerSpec; late?: TriggerSpec } = {}): TriggerSpec {
    if (options.early) checkTriggers("afterWatermark early", [options.early], 1);
    if (options.late) checkTriggers("afterWatermark late", [options.late], 1);
    return { kind: "afterWatermark", ...(options.early ? { early: options.early } : {}), ...(options.late ? { late: options.late } : {}) };
  },
  /** Fire `delayMs` of processing time after the first element of the pane, optionally aligned to multiples of `alignToMs` (+ `offsetMs`). */
  afterProcessingTime(options: { delayMs?: number; alignToMs?: number; offsetMs?: number } = {}): TriggerSpec {
    const delayMs = options.delayMs ?? 0;
    if (!Number.isInteger(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a whole number >= 0, got ${delayMs}`);
    if (options.alignToMs !== undefined && (!Number.isInteger(options.alignToMs) || options.alignToMs <= 0)) {
      throw new RangeError(`alignToMs must be a whole number > 0, got ${options.alignToMs}`);
    }
    return {
      kind: "afterProcessingTime",
      delayMs,
      ...(options.alignToMs !== undefined ? { alignToMs: options.alignToMs, offsetMs: options.offsetMs ?? 0 } : {}),
    };
  },
  /** Fire once the pane has `n` elements. */
  afterCount(n: number): TriggerSpec {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`afterCount needs a whole number >= 1, got ${n}`);
    return { kind: "afterCount", count: n };
  },
  /** Fire `t` again and again (it never finishes on its own). */
  repeatedly(t: TriggerSpec): TriggerSpec {
    checkTriggers("repeatedly", [t], 1);
    return { kind: "repeatedly", trigger: t };
  },
  /** Fire each trigger in turn: the first until it finishes, then the next... */
  afterEach(...ts: TriggerSpec[]): TriggerSpec {
    checkTriggers("afterEach", ts, 1);
    return { kind: "afterEach", triggers: ts };
  },
  /** Fire when any of the triggers fires (Beam's AfterFirst / AfterAny); finishes then. */
  afterFirst(...ts: TriggerSpec[]): TriggerSpec {
    checkTriggers("afterFirst", ts, 1);
    return { kind: "afterFirst", triggers: ts };
  },
  /** Fire when all of the triggers have fired; finishes then. */
  afterAll(...ts: TriggerSpec[]): TriggerSpec {
    checkTriggers("afterAll", ts, 1);
    return { kind: "afterAll", triggers: ts };
  },
  /** Fire as `t` until `until` fires, which finishes the window (with a final pane). */
  orFinally(t: TriggerSpec, until: TriggerSpec): TriggerSpec {
    checkTriggers("orFinally", [t, until], 2);
    return { kind: "orFinally", main: t, until };
  },
  /** Never fire: the window's contents are emitted once, when the window expires. */
  never(): TriggerSpec {
    return { kind: "never" };
  },
  /** Fire after every element. */
  always(): TriggerSpec {
    return { kind: "always" };
  },
};

/**
 * The trigger that applies downstream of a GroupByKey (Beam's continuation
 * trigger): counts reset to one element, processing-time delays become
 * synchronized processing time, the structure is kept.
 */
export function continuationTrigger(t: TriggerSpec): TriggerSpec {
  switch (t.kind) {
    case "default":
    case "never":
    case "always":
    case "afterSynchronizedProcessingTime":
      return t;
    case "afterCount":
      return { kind: "afterCount", count: 1 };
    case "afterProcessingTime":
      return { kind: "afterSynchronizedProcessingTime" };
    case "repeatedly":
      return { kind: "repeatedly", trigger: continuationTrigger(t.trigger) };
    case "afterEach":
    case "afterFirst":
    case "afterAll":
      return { kind: t.kind, triggers: t.triggers.map(continuationTrigger) };
    case "orFinally":
      return { kind: "orFinally", main: continuationTrigger(t.main), until: continuationTrigger(t.until) };
    case "afterWatermark":
      return {
        kind: "afterWatermark",
        ...(t.early ? { early: continuationTrigger(t.early) } : {}),
        ...(t.late ? { late: continuationTrigger(t.late) } : {}),
      };
  }
}
