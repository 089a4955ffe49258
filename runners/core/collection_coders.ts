/**
 * The coders of what flows between stages: a PCollection's element coder,
 * or, for a lifted combine's virtual accumulator collection,
 * `KV<key, accumulator>`; and the windowed-value coder runners use to move
 * elements as bytes.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { Coder } from "../../portability/coders/coder";
import { ByteReader, ByteWriter, coders } from "../../portability/coders";
import type { WindowedValue } from "../../model/windowed_value";
import { decodeMessage } from "../../portability/proto/messages";
import type { BoundedWindow } from "../../model/windows";
import type { ExecutionPlan } from "../../portability/plan/execution_plan";

/** The element coder of `pc`, a real or a virtual (accumulator) collection. */
export function collectionCoder(model: PipelineModel, plan: ExecutionPlan, pc: string, userCode: UserCodeSource): Coder<unknown> {
  const combine = plan.shuffles.find((s) => s.kind === "combine" && s.lifted && s.input === pc);
  if (!combine) return model.coderOf(pc, userCode);
  const t = model.transform(combine.transformId);
  const input = Object.values(t.inputs)[0]!;
  const keyCoder = model.coderOf(input, userCode).components[0]!;
  const accumulatorCoderId = decodeMessage("CombinePayload", t.spec!.payload).accumulatorCoderId;
  return coders.kv(keyCoder, model.coder(accumulatorCoderId, userCode)) as Coder<unknown>;
}

/** The windowing strategy's window coder for a real collection; the global window coder for virtual ones of global input. */
export function windowCoderOf(model: PipelineModel, plan: ExecutionPlan, pc: string, userCode: UserCodeSource): Coder<BoundedWindow> {
  const combine = plan.shuffles.find((s) => s.kind === "combine" && s.lifted && s.input === pc);
  const real = combine ? Object.values(model.transform(combine.transformId).inputs)[0]! : pc;
  const windowCoderId = model.windowingOf(real).windowCoderId;
  return model.coder(windowCoderId, userCode) as Coder<BoundedWindow>;
}

/** The coder of whole elements (value, timestamp, windows, pane) of `pc`. */
export function windowedValueCoder(model: PipelineModel, plan: ExecutionPlan, pc: string, userCode: UserCodeSource): Coder<unknown> {
  return coders.windowedValue(collectionCoder(model, plan, pc, userCode), windowCoderOf(model, plan, pc, userCode)) as Coder<unknown>;
}

/**
 * Windowed values one after another in one buffer (each with `coder`, a
 * windowed value coder, nested): how runners keep elements in checkpoints
 * and send them between threads.
 */
export function encodeWindowedValues(coder: Coder<unknown>, values: readonly WindowedValue[]): Uint8Array {
  const w = new ByteWriter();
  for (const wv of values) coder.encode(wv, w, "nested");
  return w.finish();
}

/** Reads an {@link encodeWindowedValues} buffer. */
export function decodeWindowedValues(coder: Coder<unknown>, bytes: Uint8Array): WindowedValue[] {
  const out: WindowedValue[] = [];
  const r = new ByteReader(bytes);
  while (!r.atEnd) out.push(coder.decode(r, "nested") as WindowedValue);
  return out;
}
