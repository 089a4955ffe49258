import type { BoundedWindow } from "../../model/windows";

/** Gives a ParDo its side inputs' values for the window of the element being processed. */
export interface SideInputReader {
  /** The view value of side input `name` for the main input's `window`. */
  get(name: string, window: BoundedWindow): unknown;
}
