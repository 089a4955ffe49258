import type { BoundedWindow } from "./windows";
import type { PaneInfo } from "./pane";

/**
 * An element with its event-time metadata, as runners store and coders
 * encode it (Beam's `WindowedValue`).
 */
export interface WindowedValue<T = unknown> {
  /** The element itself. */
  value: T;
  /** Event time, in milliseconds since the epoch. */
  timestamp: number;
  /** The windows the element is in; usually one. */
  windows: readonly BoundedWindow[];
  /** Which firing of its window produced the element. */
  pane: PaneInfo;
}
