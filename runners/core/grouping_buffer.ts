/**
 * GroupByKey for a bounded input (or a window whose watermark has passed):
 * gathers values per key and window, then emits `KV<key, values[]>` with the
 * output timestamp of the windowing strategy and the single on-time pane.
 */
import type { Coder } from "../../portability/coders/coder";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import { WindowedKeyedTable } from "../../portability/harness/keyed_table";
import { combineTimestamps, contributedTimestamp } from "../../portability/harness/output_time";
import type { BoundedWindow } from "../../sdk/values/windows";
import { ON_TIME_AND_ONLY_FIRING, type PaneInfo } from "../../sdk/values/pane";
import type { KV } from "../../sdk/values/kv";
import { RunnerCheckError } from "../../portability/harness/user_code_error";
import { previewValue } from "../../portability/values/preview";

interface Group {
  key: unknown;
  values: unknown[];
  timestamp: number;
}

/** Collects KV elements by (window, key). Feed it as an {@link ElementReceiver}, then {@link GroupingBuffer.emit}. */
export class GroupingBuffer implements ElementReceiver {
  private readonly table: WindowedKeyedTable<Group>;

  constructor(
    /** The GroupByKey transform, named when a key cannot be encoded. */
    private readonly transform: string,
    keyCoder: Coder<unknown>,
    private readonly outputTime: number,
  ) {
    this.table = new WindowedKeyedTable<Group>(keyCoder);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], _pane: PaneInfo): void {
    const kv = value as KV<unknown, unknown>;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const ts = contributedTimestamp(this.outputTime, w, timestamp);
      let group: Group;
      try {
        group = this.table.tableFor(w).getOrCreate(kv.key, (key) => ({ key, values: [], timestamp: ts }));
      } catch (e) {
        // Keys are compared by their encoding, on every runner: an unencodable key cannot be grouped.
        throw new RunnerCheckError(
          this.transform,
          `'${this.transform}' cannot group by the key ${previewValue(kv.key)}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      group.values.push(kv.value);
      group.timestamp = combineTimestamps(this.outputTime, group.timestamp, ts);
    }
  }

  /** Number of (window, key) groups. */
  get size(): number {
    return this.table.size;
  }

  /** Emits every group, in the order `order` arranges them (e.g. shuffled), and empties the buffer. */
  emit(out: ElementReceiver, order: <T>(items: T[]) => T[] = (x) => x): void {
    const groups: { window: BoundedWindow; group: Group }[] = [];
    for (const { window, table } of this.table.windows()) for (const group of table.entries()) groups.push({ window, group });
    for (const { window, group } of order(groups)) {
      out.receive({ key: group.key, value: group.values }, group.timestamp, [window], ON_TIME_AND_ONLY_FIRING);
    }
    this.table.clear();
  }
}
