import type { BoundedWindow } from "./windows";
import type { PaneInfo } from "./pane";

/**
 * An element with its event-time metadata, as runners store and coders
 * encode it (Beam's `WindowedValue`).
 */
export interface WindowedValue<T = unknown> {
  value: T;
  timestamp: number;
  windows: readonly BoundedWindow[];
  pane: PaneInfo;
}
