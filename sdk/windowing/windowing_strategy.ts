/**
 * A PCollection's windowing strategy: how elements are assigned to windows
 * and when their panes are emitted. Pipelines start in the global window
 * with the default trigger; `windowInto` changes it.
 */

/**
 * A window function: Beam's standard ones are identified by URN in the proto.
 * All sizes, periods, offsets and gaps are in milliseconds.
 */
export type WindowFnSpec =
  | {
      /** Every element in the single global window. */
      readonly kind: "global";
    }
  | {
      /** Back-to-back windows of equal size. */
      readonly kind: "fixed";
      /** Length of each window. */
      readonly sizeMs: number;
      /** Shifts the windows' boundaries away from multiples of the size. */
      readonly offsetMs: number;
    }
  | {
      /** Overlapping windows of equal size; an element is in `sizeMs / periodMs` of them. */
      readonly kind: "sliding";
      /** Length of each window. */
      readonly sizeMs: number;
      /** How often a new window starts. */
      readonly periodMs: number;
      /** Shifts the windows' boundaries away from multiples of the period. */
      readonly offsetMs: number;
    }
  | {
      /** Per-key windows that grow while elements keep arriving. */
      readonly kind: "sessions";
      /** A session ends after this long without elements for its key. */
      readonly gapMs: number;
    };

/** How the panes of one window relate to each other. */
export type AccumulationMode = "discarding" | "accumulating";
/** Which timestamp a grouped output gets. */
export type TimestampCombiner = "endOfWindow" | "earliest" | "latest";
/** Whether the final pane is emitted when it has no new elements. */
export type ClosingBehavior = "emitAlways" | "emitIfNonEmpty";
/** Whether the on-time pane is emitted when it has no new elements. */
export type OnTimeBehavior = "fireAlways" | "fireIfNonEmpty";

/** A trigger tree, in the shape of Beam's `Trigger` proto. */
export type TriggerSpec =
  | {
      /** Beam's default: fire when the watermark passes the end of the window, then for each late element. */
      readonly kind: "default";
    }
  | {
      /** Fire when the watermark passes the end of the window. */
      readonly kind: "afterWatermark";
      /** Fires before the watermark gets there; none when absent. */
      readonly early?: TriggerSpec;
      /** Fires for late elements; none when absent. */
      readonly late?: TriggerSpec;
    }
  | {
      /** Fire a processing-time delay after the pane's first element. */
      readonly kind: "afterProcessingTime";
      /** The delay, in milliseconds. */
      readonly delayMs: number;
      /** When set, the firing time is rounded up to a multiple of this period (ms). */
      readonly alignToMs?: number;
      /** Offset of the alignment grid (ms). */
      readonly offsetMs?: number;
    }
  | {
      /** Fire once the pane has a number of elements. */
      readonly kind: "afterCount";
      /** How many elements. */
      readonly count: number;
    }
  | {
      /** Fire as `trigger`, again and again. */
      readonly kind: "repeatedly";
      /** The trigger to repeat. */
      readonly trigger: TriggerSpec;
    }
  | {
      /** Fire as each trigger in turn. */
      readonly kind: "afterEach";
      /** The triggers, in order. */
      readonly triggers: readonly TriggerSpec[];
    }
  | {
      /** Fire when any of the triggers fires. */
      readonly kind: "afterFirst";
      /** The triggers that race. */
      readonly triggers: readonly TriggerSpec[];
    }
  | {
      /** Fire once all of the triggers have fired. */
      readonly kind: "afterAll";
      /** The triggers that must all fire. */
      readonly triggers: readonly TriggerSpec[];
    }
  | {
      /** Fire as `main` until `until` fires, then stop. */
      readonly kind: "orFinally";
      /** The trigger that fires panes. */
      readonly main: TriggerSpec;
      /** The trigger that ends it all. */
      readonly until: TriggerSpec;
    }
  | {
      /** Never fire; the window's content is emitted only when the window expires. */
      readonly kind: "never";
    }
  | {
      /** Fire for every element. */
      readonly kind: "always";
    }
  | {
      /** The continuation of a processing-time trigger after a GroupByKey (Beam's AfterSynchronizedProcessingTime). */
      readonly kind: "afterSynchronizedProcessingTime";
    };

/** The full windowing strategy of a PCollection. */
export interface WindowingStrategy {
  /** How elements are assigned to windows. */
  readonly windowFn: WindowFnSpec;
  /** When panes of a window are emitted. */
  readonly trigger: TriggerSpec;
  /** Whether later panes repeat the elements of earlier ones. */
  readonly accumulation: AccumulationMode;
  /** Which timestamp grouped outputs get. */
  readonly timestampCombiner: TimestampCombiner;
  /** How long after the end of a window late elements are still accepted, in milliseconds. */
  readonly allowedLatenessMs: number;
  /** Whether the final pane is emitted when it has no new elements. */
  readonly closingBehavior: ClosingBehavior;
  /** Whether the on-time pane is emitted when it has no new elements. */
  readonly onTimeBehavior: OnTimeBehavior;
}

/** The strategy of every root PCollection: global window, default trigger. */
export const GLOBAL_WINDOWING: WindowingStrategy = Object.freeze({
  windowFn: { kind: "global" } as const,
  trigger: { kind: "default" } as const,
  accumulation: "discarding" as const,
  timestampCombiner: "endOfWindow" as const,
  allowedLatenessMs: 0,
  closingBehavior: "emitIfNonEmpty" as const,
  onTimeBehavior: "fireAlways" as const,
});

/** True for the global window function. */
export function isGlobalWindowing(w: WindowingStrategy): boolean {
  return w.windowFn.kind === "global";
}
