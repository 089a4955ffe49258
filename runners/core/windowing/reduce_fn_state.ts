/**
 * What a ReduceFnRunner holds per key and window: shared by the runner,
 * which works on it, and by its checkpoint codec
 * (`runners/core/checkpoint/reduce_fn_state_codec.ts`), which writes and
 * reads it.
 */
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { TriggerState } from "./triggers/trigger_state_machine";

/** State of one (key, window). */
export interface Slot {
  readonly ks: KeyState;
  readonly window: BoundedWindow;
  readonly id: string;
  /** Buffer mode: the values of the pane (all so far in accumulating mode). */
  values: unknown[];
  /** Combine mode: the accumulator, when `hasAcc`. */
  acc: unknown;
  hasAcc: boolean;
  /** Elements added since the last pane (Beam's NonEmptyPanes). */
  newElements: number;
  /** Element hold (combined by the timestamp combiner) and extra (GC) hold. */
  elementHold: number | undefined;
  extraHold: number | undefined;
  /** Last emitted pane and Beam's non-speculative index of it (-1 for early panes). */
  lastPane: PaneInfo | undefined;
  lastNonSpeculative: number;
  trigger: TriggerState;
  /** The trigger finished: the window takes no more elements until it is collected. */
  closed: boolean;
  eventTimers: Set<number>;
  processingTimers: Set<number>;
  /**
   * Order in which each pending timer was set (runner-wide counter). Live,
   * timers due at the same time fire in that order (set insertion order);
   * keeping it lets a restored runner fire them in the same order as the
   * original although its indices were rebuilt key by key.
   */
  eventSeq: Map<number, number>;
  processingSeq: Map<number, number>;
}

/** Everything held for one key: its windows' slots, in the order merging iterates them. */
export interface KeyState {
  readonly key: unknown;
  readonly windows: Map<string, Slot>;
  /**
   * Merging windows only: the key's active (not closed) interval-window
   * slots by start. They are disjoint (every merge is complete), so the ones
   * a new proto-window overlaps are a run found by binary search, rather than
   * a scan of every window of the key per element. Not checkpointed: rebuilt
   * as slots are installed.
   */
  activeByStart?: Slot[];
}
