import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type {
  AccumulationMode,
  ClosingBehavior,
  OnTimeBehavior,
  TimestampCombiner,
  TriggerSpec,
  WindowFnSpec,
  WindowingStrategy,
} from "./windowing_strategy";

/** Options of {@link windowInto}: the rest of the windowing strategy. */
export interface WindowIntoOptions {
  /** When panes are emitted; default: the default trigger. */
  readonly trigger?: TriggerSpec;
  /** How late (behind the watermark) data may be and still count; default 0. */
  readonly allowedLatenessMs?: number;
  /** Whether each pane holds only new elements ("discarding", default) or all so far ("accumulating"). */
  readonly accumulation?: AccumulationMode;
  /** The timestamp of grouped outputs; default "endOfWindow". */
  readonly timestampCombiner?: TimestampCombiner;
  /** Whether a final pane is emitted when it has no new elements; default "emitIfNonEmpty". */
  readonly closingBehavior?: ClosingBehavior;
  /** Whether the on-time pane is emitted when it has no new elements; default "fireAlways". */
  readonly onTimeBehavior?: OnTimeBehavior;
}

const KNOWN = ["trigger", "allowedLatenessMs", "accumulation", "timestampCombiner", "closingBehavior", "onTimeBehavior"];

class WindowInto<T> extends PTransform<PCollection<T>, PCollection<T>> {
  constructor(
    private readonly windowFn: WindowFnSpec,
    private readonly options: WindowIntoOptions,
  ) {
    super();
  }
  override defaultName(): string {
    return "WindowInto";
  }
  expand(input: PCollection<T>): PCollection<T> {
    const o = this.options;
    const windowing: WindowingStrategy = {
      windowFn: this.windowFn,
      trigger: o.trigger ?? { kind: "default" },
      accumulation: o.accumulation ?? "discarding",
      timestampCombiner: o.timestampCombiner ?? "endOfWindow",
      allowedLatenessMs: o.allowedLatenessMs ?? 0,
      closingBehavior: o.closingBehavior ?? "emitIfNonEmpty",
      onTimeBehavior: o.onTimeBehavior ?? "fireAlways",
    };
    return input.pipeline._declarePrimitive(
      { kind: "windowInto", windowing },
      { main: { coder: input.coder as never, windowing, isBounded: input.isBounded } },
    ).main as PCollection<T>;
  }
}

/**
 * Assigns elements to windows and sets how their panes are triggered: the
 * "where" and "when" of the Beam model. Grouping transforms downstream group
 * per window and emit panes as the trigger says.
 *
 * @example
 * ```ts
 * scores
 *   .apply(mr.windowInto(mr.windows.fixed(60_000), { allowedLatenessMs: 30_000 }))
 *   .apply(mr.combinePerKey(mr.combiners.sum()));
 * ```
 */
export function windowInto<T>(windowFn: WindowFnSpec, options: WindowIntoOptions = {}): PTransform<PCollection<T>, PCollection<T>> {
  if (!windowFn || typeof (windowFn as { kind?: unknown }).kind !== "string") {
    throw new TypeError("windowInto expects a window function (mr.windows.fixed(...), ...)");
  }
  for (const k of Object.keys(options))
    if (!KNOWN.includes(k)) throw new TypeError(`windowInto: unknown option '${k}'; valid: ${KNOWN.join(", ")}`);
  const lateness = options.allowedLatenessMs ?? 0;
  if (!Number.isInteger(lateness) || lateness < 0) throw new RangeError(`allowedLatenessMs must be a whole number >= 0, got ${lateness}`);
  const check = <V extends string>(name: string, v: V | undefined, allowed: readonly V[]): void => {
    if (v !== undefined && !allowed.includes(v))
      throw new RangeError(`windowInto: ${name} must be one of ${allowed.join(", ")}, got '${v}'`);
  };
  check("accumulation", options.accumulation, ["discarding", "accumulating"]);
  check("timestampCombiner", options.timestampCombiner, ["endOfWindow", "earliest", "latest"]);
  check("closingBehavior", options.closingBehavior, ["emitAlways", "emitIfNonEmpty"]);
  check("onTimeBehavior", options.onTimeBehavior, ["fireAlways", "fireIfNonEmpty"]);
  return new WindowInto<T>(windowFn, options);
}
