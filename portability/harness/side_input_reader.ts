import type { BoundedWindow } from "../../sdk/values/windows";

/** Gives a ParDo its side inputs' values for the window of the element being processed. */
export interface SideInputReader {
  /** The view value of side input `name` for the main input's `window`. */
  get(name: string, window: BoundedWindow): unknown;
}

/** The reader of a ParDo without side inputs. */
export const NO_SIDE_INPUTS: SideInputReader = {
  get(name: string): never {
    throw new Error(`no side input named '${name}' was declared; pass it in the transform's { sideInputs: { ${name}: view } }`);
  },
};
