/**
 * A value computed for the window asked for last, computed again only when
 * the window changes: consecutive elements mostly share their window (after
 * `windowAssigner`, the very object; after decoding, equal bounds), so
 * per-window lookups (a table, a side input view, the side windows a main
 * window waits for) cost one comparison per element.
 */
import { windowsEqual, type BoundedWindow } from "../../model/windows";

/** The last window's value; `compute` is given once, so a lookup allocates nothing. */
export class LastWindowMemo<V> {
  private window: BoundedWindow | undefined;
  private value: V | undefined;

  constructor(private readonly compute: (window: BoundedWindow) => V) {}

  /** The value of `window`: the remembered one when it is the last window, else a new one (then remembered). */
  get(window: BoundedWindow): V {
    if (this.window === undefined || !windowsEqual(window, this.window)) {
      this.value = this.compute(window);
      this.window = window;
    }
    return this.value as V;
  }

  /** Forgets the last window (its value may be stale now). */
  clear(): void {
    this.window = undefined;
    this.value = undefined;
  }
}
