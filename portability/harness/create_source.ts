import type { CreateSource } from "../../sdk/transforms/create";
import { MIN_TIMESTAMP } from "../../model/time";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import { NO_FIRING } from "../../model/pane";
import type { ElementReceiver } from "./element_receiver";
import type { PipelineModel } from "../pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";

/**
 * Emits a Create's values from index `from` (inclusive) to `to` (exclusive):
 * runners split a Create into such ranges to make bundles or parallel splits.
 */
export function emitCreateRange(source: CreateSource, from: number, to: number, out: ElementReceiver): void {
  const values = source.values;
  if (source.timestamped) {
    for (let i = from; i < to; i++) {
      const item = values[i] as { value: unknown; timestamp: number };
      out.receive(item.value, item.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
    }
  } else {
    for (let i = from; i < to; i++) out.receive(values[i], MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
  }
}

/**
 * Checks that a user-code reference resolved to Create values, without
 * reading them (a rebuilt Create makes its values on first read).
 */
export function asCreateSource(x: unknown, transform: string): CreateSource {
  const s = x as CreateSource;
  if (!s || typeof s !== "object" || !("values" in s) || typeof s.timestamped !== "boolean") {
    throw new Error(`internal: '${transform}' does not refer to Create values`);
  }
  return s;
}

/**
 * How many values the Create `transformId` has: from the proto, written
 * where the pipeline was built, so a worker computes every split without
 * making the values (older protos: from the values).
 */
export function createCount(model: PipelineModel, transformId: string, userCode: UserCodeSource): number {
  const payload = model.doFnPayload(transformId);
  return payload.createCount ?? asCreateSource(userCode.lookup(payload.ref), transformId).values.length;
}

/**
 * The Create `transformId`'s values, for a reader with a split to read. A
 * worker's rebuild must make as many values as the submitting process did,
 * or splits would skip or repeat some: a different count fails the job.
 */
export function createSource(model: PipelineModel, transformId: string, userCode: UserCodeSource): CreateSource {
  const payload = model.doFnPayload(transformId);
  const source = asCreateSource(userCode.lookup(payload.ref), transformId);
  const count = source.values.length;
  if (payload.createCount !== undefined && count !== payload.createCount) {
    throw new Error(
      `'${transformId}' has ${count} value(s) where the pipeline was rebuilt but ${payload.createCount} where it was submitted: ` +
        `building the pipeline must make the same values on every load`,
    );
  }
  return source;
}
