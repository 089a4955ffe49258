/**
 * A stateful ParDo's state and timer declarations, read from its proto
 * payload: what kind each cell is, its coders, and its CombineFn.
 */
import type { PipelineModel } from "../pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { Coder } from "../coders/coder";
import type { CombineFn } from "../../sdk/transforms/combine_fn";
import { decodeJsonPayload, type CombineFnPayload } from "../payloads";
import { TimeDomain } from "../proto/messages";

/** One state cell's kind and coders. */
export type StateCellSpec =
  | { readonly kind: "value"; readonly coder: Coder<unknown> }
  | { readonly kind: "bag"; readonly coder: Coder<unknown> }
  | { readonly kind: "combining"; readonly combineFn: CombineFn<unknown, unknown, unknown>; readonly coder: Coder<unknown> }
  | { readonly kind: "map"; readonly keyCoder: Coder<unknown>; readonly valueCoder: Coder<unknown> }
  | { readonly kind: "set"; readonly coder: Coder<unknown> }
  | { readonly kind: "orderedList"; readonly coder: Coder<unknown> };

/** The state and timers of a stateful ParDo. */
export interface KeyedSpecs {
  readonly state: ReadonlyMap<string, StateCellSpec>;
  readonly timers: ReadonlyMap<string, "eventTime" | "processingTime">;
}

/** True when the ParDo declares state or timers. */
export function isStatefulParDo(model: PipelineModel, transformId: string): boolean {
  const p = model.parDoPayload(transformId);
  return Object.keys(p.stateSpecs).length > 0 || Object.keys(p.timerFamilySpecs).length > 0;
}

/** The declarations of ParDo `transformId`. */
export function keyedSpecsOf(model: PipelineModel, transformId: string, userCode: UserCodeSource): KeyedSpecs {
  const payload = model.parDoPayload(transformId);
  const state = new Map<string, StateCellSpec>();
  for (const [name, s] of Object.entries(payload.stateSpecs)) {
    const c = (id: string): Coder<unknown> => model.coder(id, userCode);
    switch (s.spec) {
      case "readModifyWriteSpec":
        state.set(name, { kind: "value", coder: c(s.readModifyWriteSpec!.coderId) });
        break;
      case "bagSpec":
        state.set(name, { kind: "bag", coder: c(s.bagSpec!.elementCoderId) });
        break;
      case "combiningSpec": {
        const { ref } = decodeJsonPayload<CombineFnPayload>(s.combiningSpec!.combineFn!.payload, `CombineFn of state '${name}'`);
        state.set(name, {
          kind: "combining",
          combineFn: userCode.lookup(ref) as CombineFn<unknown, unknown, unknown>,
          coder: c(s.combiningSpec!.accumulatorCoderId),
        });
        break;
      }
      case "mapSpec":
        state.set(name, { kind: "map", keyCoder: c(s.mapSpec!.keyCoderId), valueCoder: c(s.mapSpec!.valueCoderId) });
        break;
      case "setSpec":
        state.set(name, { kind: "set", coder: c(s.setSpec!.elementCoderId) });
        break;
      case "orderedListSpec":
        state.set(name, { kind: "orderedList", coder: c(s.orderedListSpec!.elementCoderId) });
        break;
      default:
        throw new Error(`state '${name}' of '${transformId}' has a kind this runner does not support (${String(s.spec)})`);
    }
  }
  const timers = new Map<string, "eventTime" | "processingTime">();
  for (const [name, t] of Object.entries(payload.timerFamilySpecs)) {
    timers.set(name, t.timeDomain === TimeDomain.PROCESSING_TIME ? "processingTime" : "eventTime");
  }
  return { state, timers };
}
