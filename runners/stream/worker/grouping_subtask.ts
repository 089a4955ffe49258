/**
 * A subtask of a grouping (GroupByKey, or a Combine merging partial
 * accumulators or adding values): the shared ReduceFnRunner over the key
 * groups routed to this subtask. Windows, triggers, panes, lateness and
 * merging all come from it; this class only feeds it records and time and
 * checkpoints it.
 */
import * as v8 from "node:v8";
import type { KV } from "../../../model/kv";
import type { WindowedValue } from "../../../model/windowed_value";
import type { GroupingRunner } from "../../core/windowing/grouping_runner";
import { guardGrouping } from "../../core/windowing/grouping_runner";
import { restoreCheckpoint, standaloneFullCheckpoint } from "../../core/checkpoint/reduce_fn_checkpoint";
import { decodeBlobMap, encodeBlobMap } from "../../core/checkpoint/snapshot_codec";
import { Subtask, type AckSink } from "./subtask";
import { nextOutputWatermark } from "../../core/watermarks";

/** A grouping subtask. */
export class GroupingSubtask extends Subtask {
  constructor(
    vertexId: string,
    subtaskIndex: number,
    ack: AckSink,
    scripted: boolean,
    private readonly transform: string,
    private readonly reduce: GroupingRunner,
    private readonly realNow: () => number,
  ) {
    super(vertexId, subtaskIndex, ack, scripted);
  }

  now(): number {
    return this.scripted ? this.clockValve.value : this.realNow();
  }

  protected processRecords(records: readonly WindowedValue[]): void {
    const reduce = this.reduce;
    const wm = this.mainValve.value;
    const now = this.now();
    for (let i = 0; i < records.length; i++) {
      const wv = records[i]!;
      const kv = wv.value as KV<unknown, unknown>;
      guardGrouping(this.transform, kv, () => reduce.processElement(kv.key, kv.value, wv.timestamp, wv.windows, wm, now));
    }
  }

  protected onInputWatermark(watermark: number): void {
    guardGrouping(this.transform, undefined, () => this.reduce.advanceInputWatermark(watermark));
  }

  protected onProcessingTime(now: number): void {
    if (this.reduce.nextProcessingTimeTimer() > now) return;
    guardGrouping(this.transform, undefined, () => this.reduce.advanceProcessingTime(now));
  }

  nextProcessingTime(): number {
    return this.reduce.nextProcessingTimeTimer();
  }

  protected outputWatermark(): number {
    return nextOutputWatermark(
      { input: this.mainValve.value, sideInputs: Infinity, pushedBack: Infinity, previous: this.emittedWatermark },
      { watermarkHold: () => this.reduce.outputWatermarkHold() },
    );
  }

  protected snapshot(_checkpointId: number): Uint8Array {
    return v8.serialize({
      inputWatermark: this.mainValve.value,
      clock: this.clockValve.value,
      reduce: encodeBlobMap(standaloneFullCheckpoint(this.reduce)),
    });
  }

  /** Restores a {@link snapshot}. */
  restore(bytes: Uint8Array): void {
    const state = v8.deserialize(bytes) as { inputWatermark: number; clock: number; reduce: Uint8Array };
    this.mainValve.raiseTo(state.inputWatermark);
    this.clockValve.raiseTo(state.clock);
    restoreCheckpoint(this.reduce, decodeBlobMap(state.reduce));
  }
}
