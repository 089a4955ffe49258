/**
 * The phases of a combine that an engine lifted (Beam's combine components:
 * `combine_per_key_merge_accumulators`, `..._extract_outputs`,
 * `combine_grouped_values`). The engine groups; these apply the CombineFn to
 * what it grouped, one key and window per element. The first phase (adding
 * inputs to partial accumulators) is `PrecombineOperator`.
 */
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { isKV } from "../../model/kv";
import type { CombineFn } from "../../sdk/transforms/combine_fn";
import type { ElementReceiver } from "./element_receiver";
import type { Operator } from "./operators";
import { RunnerCheckError, wrapUserError } from "./user_code_error";
import { previewValue } from "../values/preview";

/** Which phase a {@link CombinePhaseOperator} runs. */
export type CombinePhase = "mergeAccumulators" | "extractOutputs" | "combineGroupedValues";

/** Applies one phase of a lifted combine to `KV<key, accumulators | accumulator | values>` elements. */
export class CombinePhaseOperator implements Operator {
  constructor(
    readonly transform: string,
    private readonly phase: CombinePhase,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    private readonly out: ElementReceiver,
  ) {}

  setup(): void {}
  startBundle(): void {}
  finishBundle(): void {}
  teardown(): void {}

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (!isKV(value)) {
      throw new RunnerCheckError(this.transform, `combine '${this.transform}' needs KV elements, got ${previewValue(value)}`, {
        element: { value },
      });
    }
    let result: unknown;
    try {
      result = this.apply(value.value);
    } catch (e) {
      wrapUserError(e, this.transform, `combining (${this.phase})`, { value });
    }
    this.out.receive({ key: value.key, value: result }, timestamp, windows, pane);
  }

  private apply(v: unknown): unknown {
    const fn = this.fn;
    switch (this.phase) {
      case "mergeAccumulators":
        return fn.mergeAccumulators([...(v as Iterable<unknown>)]);
      case "extractOutputs":
        return fn.extractOutput(v);
      case "combineGroupedValues": {
        let acc = fn.createAccumulator();
        for (const x of v as Iterable<unknown>) acc = fn.addInput(acc, x);
        return fn.extractOutput(acc);
      }
    }
  }
}
