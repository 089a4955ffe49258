/**
 * What the differential tests of the fast paths against the general
 * ReduceFnRunner share (`single_pane_differential.test.ts`,
 * `session_differential.test.ts`): random inputs, the two sides' recording
 * configs, and feeding one op to a runner.
 */
import type {
  ReduceFnRunnerApi,
  ReduceFnRunnerCheckpointing,
  ReduceFnRunnerConfig,
  ReduceMode,
} from "../../../runners/core/windowing/reduce_fn_runner_api";
import { assignWindows } from "../../../portability/windowing/window_fns";
import { JS_VALUE_CODER } from "../../../portability/coders";
import type { CombineFn } from "../../../sdk/transforms/combine_fn";
import { GLOBAL_WINDOWING, type WindowFnSpec, type WindowingStrategy } from "../../../sdk/windowing/windowing_strategy";
import { SUM, type Pane as Emitted } from "./harness";

export type Rand = () => number;
export const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A strategy over `windowFn` with the trigger, timestamp combiner and pane settings both fast paths take, drawn at random. */
export function randomFastPathStrategy(r: Rand, windowFn: WindowFnSpec): WindowingStrategy {
  return {
    ...GLOBAL_WINDOWING,
    windowFn,
    trigger: pick(r, [{ kind: "default" }, { kind: "afterWatermark" }] as const),
    timestampCombiner: pick(r, ["endOfWindow", "earliest"] as const),
    accumulation: pick(r, ["discarding", "accumulating"] as const),
    closingBehavior: pick(r, ["emitAlways", "emitIfNonEmpty"] as const),
    onTimeBehavior: pick(r, ["fireAlways", "fireIfNonEmpty"] as const),
  };
}

export const MODES: readonly ReduceMode[] = [
  { kind: "buffer" },
  { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: false },
  { kind: "combine", fn: SUM as CombineFn<unknown, unknown, unknown>, inputsAreAccumulators: true },
];
export const KEYS: readonly unknown[] = ["a", "b", "c", 1, 2, { id: 1 }, [1, 2]];

export type Op =
  | { kind: "element"; key: unknown; value: number; ts: number; wm: number }
  | { kind: "watermark"; wm: number }
  | { kind: "processingTime"; pt: number };

/** How {@link randomOps} spreads its inputs. */
export interface OpShape {
  /** How many of {@link KEYS} (from the first) elements use. */
  readonly keys: number;
  /** The share of ops that are elements (the rest mostly watermark steps). */
  readonly elementShare: number;
  /** Timestamps fall from 12 before the watermark to this far after it. */
  readonly latestAhead: number;
  /** The largest watermark step. */
  readonly maxStep: number;
}

/** Random inputs: timestamps mostly near the watermark, some behind it (late), some elements with a newer watermark. */
export function randomOps(r: Rand, n: number, shape: OpShape): Op[] {
  const keys = KEYS.slice(0, shape.keys);
  const ops: Op[] = [];
  let wm = int(r, -20, 0);
  let pt = 0;
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < shape.elementShare) {
      const ahead = r() < 0.1 ? int(r, 1, 15) : 0;
      ops.push({ kind: "element", key: pick(r, keys), value: int(r, 1, 9), ts: wm + int(r, -12, shape.latestAhead), wm: wm + ahead });
    } else if (x < 0.95) {
      wm += int(r, 0, shape.maxStep);
      ops.push({ kind: "watermark", wm });
    } else ops.push({ kind: "processingTime", pt: (pt += int(r, 1, 100)) });
  }
  ops.push({ kind: "watermark", wm: Infinity });
  return ops;
}

export type Runner = ReduceFnRunnerApi & ReduceFnRunnerCheckpointing;

/** One side of a comparison: the config its runner gets, and what that runner emitted and dropped. */
export class Side {
  readonly out: Emitted[] = [];
  dropped = 0;
  readonly config: ReduceFnRunnerConfig;
  constructor(windowing: WindowingStrategy, mode: ReduceMode) {
    this.config = {
      transform: "Differential",
      windowing,
      keyCoder: JS_VALUE_CODER,
      mode,
      // Buffered values are copied: the general runner hands out a copy, the fast path its array.
      emit: (key, value, timestamp, window, pane) =>
        this.out.push({ key, value: Array.isArray(value) ? [...(value as unknown[])] : value, timestamp, window, pane }),
      onDroppedLateElements: (k) => (this.dropped += k),
      ...(mode.kind === "buffer" ? { valueCoder: JS_VALUE_CODER } : { accumulatorCoder: JS_VALUE_CODER }),
      trackChangedKeys: true,
    };
  }
}

/** Feeds one op to `runner`. */
export function apply(runner: Runner, op: Op, windowFn: WindowFnSpec, clock: { pt: number }): void {
  if (op.kind === "element") runner.processElement(op.key, op.value, op.ts, assignWindows(windowFn, op.ts), op.wm, clock.pt);
  else if (op.kind === "watermark") runner.advanceInputWatermark(op.wm);
  else {
    clock.pt = op.pt;
    runner.advanceProcessingTime(op.pt);
  }
}

/** The panes as sorted JSON lines, for comparisons where order may differ. */
export const sortedByJson = (xs: readonly Emitted[]): string[] => xs.map((x) => JSON.stringify(x)).sort();
