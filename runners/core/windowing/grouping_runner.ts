/**
 * A grouping step of the plan (GroupByKey, or a Combine fed values or
 * partial accumulators) as a ReduceFnRunner: its configuration read from the
 * proto, the metrics Beam keeps for dropped data, and how its failures are
 * attributed. Every runner groups through this.
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { CoderError } from "../../../portability/coders";
import { combineFnOf } from "../../../portability/harness/stage_executor";
import { RunnerCheckError, wrapUserError } from "../../../portability/harness/user_code_error";
import { notKeyedError } from "../../../portability/harness/unencodable_element";
import { previewValue } from "../../../portability/values/preview";
import { isKV, type KV } from "../../../model/kv";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { ShuffleNode } from "../../../portability/plan/execution_plan";
import { ReduceFnRunner } from "./reduce_fn_runner";
import { windowingOf } from "../../../portability/windowing/windowing_from_proto";
import type { ReduceFnRunnerApi, ReduceFnRunnerCheckpointing, ReduceFnRunnerConfig } from "./reduce_fn_runner_api";
import { SinglePaneReduceRunner } from "./single_pane_reduce_runner";
import { singlePaneMismatch, windowFastPathEnabled } from "./single_pane_eligibility";
import { SessionReduceRunner } from "./session_reduce_runner";
import { sessionMismatch } from "./session_eligibility";
import { decodeMessage } from "../../../portability/proto/messages";

/** The metric counting elements dropped for arriving later than the allowed lateness (Beam's name). */
export const DROPPED_DUE_TO_LATENESS = "droppedDueToLateness";
/** The metric counting elements dropped because their window's trigger had finished (Beam's name). */
export const DROPPED_DUE_TO_CLOSED_WINDOW = "droppedDueToClosedWindow";

/** What runners get to group with: the general ReduceFnRunner or a fast path (single-pane, sessions), by the same contract. */
export type GroupingRunner = ReduceFnRunnerApi & ReduceFnRunnerCheckpointing;

/** A plan node that groups. */
export type GroupingNode = Extract<ShuffleNode, { kind: "groupByKey" | "combine" }>;

/**
 * Builds the ReduceFnRunner of a grouping node; `emit` gets each pane as a KV, `count` the drop metrics.
 * This is the one place the path is chosen, for every runner: the single-pane
 * fast path when the windowing strategy allows it (`single_pane_eligibility.ts`),
 * the session fast path for sessions that fire once (`session_eligibility.ts`),
 * the general ReduceFnRunner otherwise.
 * `checkpointable`: configure the value and accumulator coders, for runners that checkpoint the
 * runner's state. Changed keys are not tracked from the start: a runner that takes deltas (the
 * micro-batch state store) starts tracking at its first drain, which reports every live key once;
 * one that only takes full checkpoints (the stream runner) never pays for tracking.
 */
export function groupingRunnerFor(
  model: PipelineModel,
  node: GroupingNode,
  userCode: UserCodeSource,
  emit: (kv: KV<unknown, unknown>, timestamp: number, window: BoundedWindow, pane: PaneInfo) => void,
  count: (metric: string, n: number) => void,
  checkpointable = false,
): GroupingRunner {
  // A lifted combine reads accumulators; its windowing and key coder are those of its real input.
  const realInput = Object.values(model.transform(node.transformId).inputs)[0]!;
  const checkpointCoders = (): Partial<ReduceFnRunnerConfig> =>
    node.kind === "groupByKey"
      ? { valueCoder: model.coderOf(realInput, userCode).components[1]! }
      : {
          accumulatorCoder: model.coder(
            decodeMessage("CombinePayload", model.transform(node.transformId).spec!.payload).accumulatorCoderId,
            userCode,
          ),
        };
  const windowing = windowingOf(model, realInput);
  const config: ReduceFnRunnerConfig = {
    ...(checkpointable ? checkpointCoders() : {}),
    transform: node.transformId,
    windowing,
    keyCoder: model.coderOf(realInput, userCode).components[0]!,
    mode:
      node.kind === "groupByKey"
        ? { kind: "buffer" }
        : { kind: "combine", fn: combineFnOf(model, node.transformId, userCode), inputsAreAccumulators: node.lifted },
    emit: (key, value, timestamp, window, pane) => emit({ key, value }, timestamp, window, pane),
    onDroppedLateElements: (n) => count(DROPPED_DUE_TO_LATENESS, n),
    onDroppedClosedWindowElements: (n) => count(DROPPED_DUE_TO_CLOSED_WINDOW, n),
  };
  if (!windowFastPathEnabled()) return new ReduceFnRunner(config);
  if (singlePaneMismatch(windowing) === undefined) return new SinglePaneReduceRunner(config);
  if (sessionMismatch(windowing) === undefined) return new SessionReduceRunner(config);
  return new ReduceFnRunner(config);
}

/**
 * Runs grouping work, attributing failures to the grouping transform: a key
 * its coder cannot encode cannot be grouped; anything else came from user
 * code (a CombineFn).
 */
export function guardGrouping(transform: string, element: KV<unknown, unknown> | undefined, f: () => void): void {
  // Where no coder checked it on the way (a fused edge, checks off), a non-KV element arrives here.
  if (element !== undefined && !isKV(element)) throw notKeyedError(transform, element);
  try {
    f();
  } catch (e) {
    if (e instanceof CoderError) {
      throw new RunnerCheckError(transform, `'${transform}' cannot group by the key ${previewValue(element?.key)}: ${e.message}`, {
        cause: e,
      });
    }
    wrapUserError(e, transform, "combining", element ? { value: element } : undefined);
  }
}
