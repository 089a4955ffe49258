/**
 * The shuffle side of a combine: merges partial accumulators (lifted) or
 * adds raw values (not lifted) per key and window, then emits
 * `KV<key, extractOutput(acc)>` in the single on-time pane.
 */
import type { Coder } from "../../portability/coders/coder";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import { WindowedKeyedTable } from "../../portability/harness/keyed_table";
import { combineTimestamps, contributedTimestamp } from "../../portability/harness/output_time";
import { wrapUserError } from "../../portability/harness/user_code_error";
import type { CombineFn } from "../../sdk/transforms/combine_fn";
import type { BoundedWindow } from "../../sdk/values/windows";
import { ON_TIME_AND_ONLY_FIRING, type PaneInfo } from "../../sdk/values/pane";
import type { KV } from "../../sdk/values/kv";

interface Slot {
  key: unknown;
  acc: unknown;
  hasAcc: boolean;
  timestamp: number;
}

/** Accumulators by (window, key). */
export class CombiningTable implements ElementReceiver {
  private readonly table: WindowedKeyedTable<Slot>;

  constructor(
    private readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    keyCoder: Coder<unknown>,
    private readonly outputTime: number,
    /** True when inputs are accumulators to merge; false when they are values to add. */
    private readonly inputsAreAccumulators: boolean,
  ) {
    this.table = new WindowedKeyedTable<Slot>(keyCoder);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], _pane: PaneInfo): void {
    const kv = value as KV<unknown, unknown>;
    const fn = this.fn;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const ts = contributedTimestamp(this.outputTime, w, timestamp);
      try {
        const slot = this.table.tableFor(w).getOrCreate(kv.key, (key) => ({ key, acc: undefined, hasAcc: false, timestamp: ts }));
        if (this.inputsAreAccumulators) slot.acc = slot.hasAcc ? fn.mergeAccumulators([slot.acc, kv.value]) : kv.value;
        else slot.acc = fn.addInput(slot.hasAcc ? slot.acc : fn.createAccumulator(), kv.value);
        slot.hasAcc = true;
        slot.timestamp = combineTimestamps(this.outputTime, slot.timestamp, ts);
      } catch (e) {
        wrapUserError(e, this.transform, this.inputsAreAccumulators ? "combining (mergeAccumulators)" : "combining (addInput)", { value });
      }
    }
  }

  /** Emits one output per (window, key), in the order `order` arranges them, and empties the table. */
  emit(out: ElementReceiver, order: <T>(items: T[]) => T[] = (x) => x): void {
    const slots: { window: BoundedWindow; slot: Slot }[] = [];
    for (const { window, table } of this.table.windows()) for (const slot of table.entries()) slots.push({ window, slot });
    for (const { window, slot } of order(slots)) {
      let output: unknown;
      try {
        output = this.fn.extractOutput(slot.acc);
      } catch (e) {
        wrapUserError(e, this.transform, "combining (extractOutput)", { value: slot.key });
      }
      out.receive({ key: slot.key, value: output }, slot.timestamp, [window], ON_TIME_AND_ONLY_FIRING);
    }
    this.table.clear();
  }
}
