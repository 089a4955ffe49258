/**
 * The contract of the GroupAlsoByWindow logic shared by every runner (Beam's
 * ReduceFnRunner): buffering or combining values per key and window, merging
 * session windows, running the trigger state machine, emitting panes with
 * pane info, dropping late data past the allowed lateness, holding the
 * output watermark, and garbage-collecting expired windows.
 *
 * A runner owns one runner per grouping transform (keyed internally), feeds
 * it elements and time, and asks it what time it waits for.
 */
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import type { Coder } from "../../../portability/coders/coder";

/** What is kept per key and window until a pane fires. */
export type ReduceMode =
  /** GroupByKey: every value, emitted as an array. */
  | { readonly kind: "buffer" }
  /** Combine: an accumulator, emitted through `extractOutput`. Inputs are values (`addInput`) or accumulators (`mergeAccumulators`). */
  | { readonly kind: "combine"; readonly fn: CombineFn<unknown, unknown, unknown>; readonly inputsAreAccumulators: boolean };

/** How a ReduceFnRunner is set up. */
export interface ReduceFnRunnerConfig {
  /** The grouping transform's unique name, for error messages. */
  readonly transform: string;
  /** The input PCollection's windowing strategy. */
  readonly windowing: WindowingStrategy;
  /** Keys are equal when their encodings with this coder are equal. */
  readonly keyCoder: Coder<unknown>;
  readonly mode: ReduceMode;
  /** Receives every pane: the key, the grouped value (array, or combined output), its timestamp, window and pane info. */
  readonly emit: (key: unknown, value: unknown, timestamp: number, window: BoundedWindow, pane: PaneInfo) => void;
  /** Told how many elements were dropped for being later than the allowed lateness (a runner counts them in a metric). */
  readonly onDroppedLateElements?: (count: number) => void;
  /** Told how many elements were dropped because their window's trigger had finished (Beam's droppedDueToClosedWindow). */
  readonly onDroppedClosedWindowElements?: (count: number) => void;
  /**
   * Codes the input values buffered in GroupByKey (`buffer`) mode. Only
   * checkpointing needs it (the live runner keeps values as JS objects);
   * {@link ReduceFnRunnerCheckpointing.snapshotKeys} throws without it.
   */
  readonly valueCoder?: Coder<unknown>;
  /** Codes the accumulators of `combine` mode, for checkpointing only; snapshots throw without it. */
  readonly accumulatorCoder?: Coder<unknown>;
  /**
   * Codes windows in checkpoints. Optional: without it the global and
   * interval windows of the SDK are written in a built-in exact form; give
   * one for custom window types.
   */
  readonly windowCoder?: Coder<BoundedWindow>;
  /**
   * Record the keys changed since the last {@link ReduceFnRunnerCheckpointing.drainChangedKeys}
   * from the start. Without it tracking starts at the first snapshot or drain
   * call, so that runners that never checkpoint pay nothing.
   */
  readonly trackChangedKeys?: boolean;
}

/**
 * Per-key checkpointing of a ReduceFnRunner, for runners that snapshot
 * keyed state (a stream runner at checkpoint barriers, a micro-batch
 * runner's versioned state store). Keys are named by their identity
 * (`identityOf(keyCoder, key)` from `portability/values/canonical_key`), the
 * same string for keys equal by encoding.
 *
 * A full checkpoint is `snapshotWatermarks()` plus `snapshotKeys()`; a delta
 * is `snapshotWatermarks()` plus `snapshotKeys(changed)` and the `removed`
 * identities from `drainChangedKeys()`. Restoring: on a fresh runner with the
 * same config, `restoreWatermarks(header)` then `restoreKey` for every key.
 */
export interface ReduceFnRunnerCheckpointing {
  /** Bytes of everything held for each key (only keys holding state; all of them when `keys` is omitted). */
  snapshotKeys(keys?: Iterable<string>): Map<string, Uint8Array>;
  /** The identities of keys changed (still holding state) and removed (holding none) since the last call, then forgets them. */
  drainChangedKeys(): { changed: Set<string>; removed: Set<string> };
  /** Replaces the state of the key `identity` with a {@link snapshotKeys} blob. */
  restoreKey(identity: string, bytes: Uint8Array): void;
  /** Runner-level state: input and output watermarks, processing time, timer order counter. */
  snapshotWatermarks(): Uint8Array;
  /** Restores a {@link snapshotWatermarks} header. */
  restoreWatermarks(bytes: Uint8Array): void;
}

/** Constructor signature, for runners. */
export interface ReduceFnRunnerFactory {
  new (config: ReduceFnRunnerConfig): ReduceFnRunnerApi;
}

/** The operations a runner calls. Time only moves forward; each call may emit panes synchronously. */
export interface ReduceFnRunnerApi {
  /**
   * One input element of `key`, already assigned to `windows` by the window
   * fn (session proto-windows not yet merged). `inputWatermark` and
   * `processingTime` are the current times, used to drop late data and to
   * start processing-time delays.
   */
  processElement(
    key: unknown,
    value: unknown,
    timestamp: number,
    windows: readonly BoundedWindow[],
    inputWatermark: number,
    processingTime: number,
  ): void;
  /** The input watermark moved to `watermark`: fire event-time triggers, emit on-time and final panes, collect garbage. */
  advanceInputWatermark(watermark: number): void;
  /** Processing time moved to `now`: fire processing-time triggers that are due. */
  advanceProcessingTime(now: number): void;
  /** The earliest processing time at which something would fire, or `Infinity`. */
  nextProcessingTimeTimer(): number;
  /** The earliest timestamp a future output may carry (the output watermark hold), or `Infinity` when nothing is held. */
  outputWatermarkHold(): number;
  /** Number of (key, window) slots holding state, for tests and metrics. */
  readonly activeWindowCount: number;
}
