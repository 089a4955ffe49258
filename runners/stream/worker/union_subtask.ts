/**
 * A subtask of a Flatten or a Reshuffle: records pass through (a Reshuffle's
 * input arrived round robin, which is its redistribution); time is the
 * minimum over the inputs. It holds no state.
 */
import * as v8 from "node:v8";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { WindowedValue } from "../../../model/windowed_value";
import { Subtask, type AckSink } from "./subtask";

/** A pass-through subtask. */
export class UnionSubtask extends Subtask {
  constructor(
    vertexId: string,
    subtaskIndex: number,
    ack: AckSink,
    scripted: boolean,
    private readonly out: ElementReceiver,
    private readonly realNow: () => number,
  ) {
    super(vertexId, subtaskIndex, ack, scripted);
  }

  now(): number {
    return this.scripted ? this.clockValve.value : this.realNow();
  }

  protected processRecords(records: readonly WindowedValue[]): void {
    const out = this.out;
    for (let i = 0; i < records.length; i++) {
      const wv = records[i]!;
      out.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
    }
  }

  protected onInputWatermark(): void {}
  protected onProcessingTime(): void {}
  nextProcessingTime(): number {
    return Infinity;
  }
  protected outputWatermark(): number {
    return this.mainValve.value;
  }
  protected snapshot(_checkpointId: number): Uint8Array {
    return v8.serialize({ inputWatermark: this.mainValve.value, clock: this.clockValve.value });
  }
  /** Restores a {@link snapshot}. */
  restore(bytes: Uint8Array): void {
    const state = v8.deserialize(bytes) as { inputWatermark: number; clock: number };
    this.mainValve.raiseTo(state.inputWatermark);
    this.clockValve.raiseTo(state.clock);
  }
}
