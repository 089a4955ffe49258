/**
 * Running one fused stage from nothing but the pipeline's proto bytes:
 * decode and plan the proto, rebuild the user code from the environment's
 * origin, feed the stage its root elements, and return what it writes, as
 * encoded windowed values. Runs anywhere: this is what a worker thread does.
 */
import { fromProto } from "../../../portability/from_proto";
import { SDK_ENVIRONMENT_ID } from "../../../portability/to_proto";
import { decodeJsonPayload, type EnvironmentPayload } from "../../../portability/payloads";
import { rebuildUserCode } from "../../../portability/user_code/rebuild_user_code";
import type { UserCodeSource } from "../../../portability/user_code/user_code_source";
import { buildStage } from "../../../portability/harness/stage_executor";
import { MetricsContainer } from "../../../portability/harness/metrics_container";
import { asCreateSource, emitCreateRange } from "../../../portability/harness/create_source";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import { decodeFromBytes, encodeToBytes } from "../../../portability/coders";
import { IN_GLOBAL_WINDOW, type BoundedWindow } from "../../../sdk/values/windows";
import { NO_FIRING, type PaneInfo } from "../../../sdk/values/pane";
import { MIN_TIMESTAMP } from "../../../sdk/values/time";
import type { WindowedValue } from "../../../sdk/values/windowed_value";
import type { MetricResults } from "../../../sdk/pipeline_result";
import { emptyMetrics } from "../../../sdk/pipeline_result";
import { NATIVE_COMPOSITES, planExecution } from "../fusion";
import { windowedValueCoder } from "../collection_coders";
import { sideInputReaderFor } from "../side_input_store";

/** What a stage task is given. */
export interface StageTaskInput {
  /** The Beam Runner API `Pipeline` message. */
  readonly pipelineProto: Uint8Array;
  /** Which stage of the plan to run. */
  readonly stageId: string;
  /** The stage's input elements, encoded as windowed values (for stages that read a PCollection). */
  readonly input?: readonly Uint8Array[];
  /** Side input elements by PCollection id, encoded as windowed values. */
  readonly sideInputs?: Readonly<Record<string, readonly Uint8Array[]>>;
}

/** What a stage task returns. */
export interface StageTaskOutput {
  /** Encoded windowed values written to each materialized collection. */
  readonly outputs: Record<string, Uint8Array[]>;
  readonly metrics: MetricResults;
}

/** Runs a stage; `userCode` defaults to rebuilding it from the proto's origin. */
export async function runStageTask(task: StageTaskInput, userCode?: UserCodeSource): Promise<StageTaskOutput> {
  const model = fromProto(task.pipelineProto, { nativeComposites: NATIVE_COMPOSITES });
  const env = model.components.environments[SDK_ENVIRONMENT_ID];
  if (!env) throw new Error(`the pipeline has no '${SDK_ENVIRONMENT_ID}' environment to rebuild its code from`);
  const code = userCode ?? (await rebuildUserCode(decodeJsonPayload<EnvironmentPayload>(env.payload, "environment")));
  const plan = planExecution(model);
  const stage = plan.stages.find((s) => s.id === task.stageId);
  if (!stage) throw new Error(`no stage '${task.stageId}' in the plan; stages: ${plan.stages.map((s) => s.id).join(", ")}`);

  const decodeAll = (pc: string, encoded: readonly Uint8Array[]): WindowedValue[] => {
    const coder = windowedValueCoder(model, plan, pc, code);
    return encoded.map((b) => decodeFromBytes(coder, b) as WindowedValue);
  };
  const sideElements = new Map<string, WindowedValue[]>();
  for (const pc of stage.sideInputs) sideElements.set(pc, decodeAll(pc, task.sideInputs?.[pc] ?? []));

  const outputs: Record<string, Uint8Array[]> = {};
  const metrics = new MetricsContainer();
  const exec = buildStage(model, stage, {
    userCode: code,
    metrics,
    sink: (pc): ElementReceiver => {
      const coder = windowedValueCoder(model, plan, pc, code);
      const list = (outputs[pc] ??= []);
      return {
        receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo) {
          list.push(encodeToBytes(coder, { value, timestamp, windows, pane }));
        },
      };
    },
    sideInputReader: (id) => sideInputReaderFor(model, id, code, (pc) => sideElements.get(pc) ?? []),
  });
  exec.setup();
  try {
    exec.startBundle();
    const root = stage.root;
    if (root.kind === "impulse") exec.input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
    else if (root.kind === "create") {
      const source = asCreateSource(code.lookup(model.doFnPayload(root.transformId).ref), root.transformId);
      emitCreateRange(source, 0, source.values.length, exec.input);
    } else if (root.kind === "pcollection") {
      for (const wv of decodeAll(root.pcollection, task.input ?? [])) exec.input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
    } else {
      throw new Error(`stage '${stage.id}' starts at a ${root.kind} source, which the runner paces itself; a stage task cannot run it`);
    }
    exec.finishBundle();
    exec.flush();
  } finally {
    exec.teardown();
  }
  const totals = emptyMetrics();
  metrics.commitInto(totals);
  return { outputs, metrics: totals };
}
