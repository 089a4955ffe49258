/**
 * A PCollection's windowing strategy: how elements are assigned to windows
 * and when their panes are emitted. Pipelines start in the global window
 * with the default trigger; `windowInto` changes it.
 */

/** A window function: Beam's standard ones are identified by URN in the proto. */
export type WindowFnSpec =
  | { readonly kind: "global" }
  | { readonly kind: "fixed"; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: "sliding"; readonly sizeMs: number; readonly periodMs: number; readonly offsetMs: number }
  | { readonly kind: "sessions"; readonly gapMs: number };

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
  | { readonly kind: "default" }
  | { readonly kind: "afterWatermark"; readonly early?: TriggerSpec; readonly late?: TriggerSpec }
  | { readonly kind: "afterProcessingTime"; readonly delayMs: number; readonly alignToMs?: number; readonly offsetMs?: number }
  | { readonly kind: "afterCount"; readonly count: number }
  | { readonly kind: "repeatedly"; readonly trigger: TriggerSpec }
  | { readonly kind: "afterEach"; readonly triggers: readonly TriggerSpec[] }
  | { readonly kind: "afterFirst"; readonly triggers: readonly TriggerSpec[] }
  | { readonly kind: "afterAll"; readonly triggers: readonly TriggerSpec[] }
  | { readonly kind: "orFinally"; readonly main: TriggerSpec; readonly until: TriggerSpec }
  | { readonly kind: "never" }
  | { readonly kind: "always" };

/** The full windowing strategy of a PCollection. */
export interface WindowingStrategy {
  readonly windowFn: WindowFnSpec;
  readonly trigger: TriggerSpec;
  readonly accumulation: AccumulationMode;
  readonly timestampCombiner: TimestampCombiner;
  readonly allowedLatenessMs: number;
  readonly closingBehavior: ClosingBehavior;
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
