/**
 * What the fast paths (`single_pane_reduce_runner.ts`,
 * `session_reduce_runner.ts`) keep of a pane until it fires, and the two
 * things they do with it: add an input and read the pane's value. In combine
 * mode `state` is the accumulator (once `hasAcc`), in GroupByKey (buffer)
 * mode the array of values.
 */
import type { CombineFn } from "../../../sdk/transforms/combine_fn";

/** A pane's contents so far. */
export interface PaneContents {
  state: unknown;
  hasAcc: boolean;
}

/** Adds one input: a value (`addInput`), an accumulator of a lifted combine (`mergeAccumulators`), or a value to buffer when `fn` is undefined. */
export function addToPane(
  pane: PaneContents,
  value: unknown,
  fn: CombineFn<unknown, unknown, unknown> | undefined,
  inputsAreAccumulators: boolean,
): void {
  if (!fn) {
    (pane.state as unknown[]).push(value);
    return;
  }
  const acc = pane.hasAcc ? pane.state : fn.createAccumulator();
  pane.state = inputsAreAccumulators ? fn.mergeAccumulators([acc, value]) : fn.addInput(acc, value);
  pane.hasAcc = true;
}

/** The pane's value: the combined output, or the buffered values. */
export function paneOutput(pane: PaneContents, fn: CombineFn<unknown, unknown, unknown> | undefined): unknown {
  return fn ? fn.extractOutput(pane.hasAcc ? pane.state : fn.createAccumulator()) : pane.state;
}
