/**
 * Pane information: the "when" of an output. Which firing of a window an
 * element came from.
 */

/** When a pane fired relative to the watermark. */
export type PaneTiming = "EARLY" | "ON_TIME" | "LATE" | "UNKNOWN";

/** Beam's pane info, given to DoFns as `ctx.pane`. */
export interface PaneInfo {
  /** True for the first pane fired for the window. */
  readonly isFirst: boolean;
  /** True for the last pane: the window will fire no more. */
  readonly isLast: boolean;
  /** Whether the pane fired before, at or after the watermark passed the end of the window. */
  readonly timing: PaneTiming;
  /** Index of this pane among all firings of its window, from 0. */
  readonly index: number;
  /** Index among the non-early firings; 0 for early panes. */
  readonly onTimeIndex: number;
}

/** The pane of elements that have not been through a trigger: Beam's `NO_FIRING`. */
export const NO_FIRING: PaneInfo = Object.freeze({
  isFirst: true,
  isLast: true,
  timing: "UNKNOWN" as const,
  index: 0,
  onTimeIndex: 0,
});
