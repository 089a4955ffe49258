import { maxTimestampOf, type BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { NO_FIRING } from "../../model/pane";
import type { KV } from "../../model/kv";
import type { CombineFn } from "../../sdk/transforms/combine_fn";
import type { Coder } from "../coders/coder";
import type { ElementReceiver } from "./element_receiver";
import type { Operator } from "./operators";
import { WindowedKeyedTable } from "./keyed_table";
import { combineTimestamps, contributedTimestamp } from "../windowing/timestamp_combiner";
import type { TimestampCombiner } from "../../sdk/windowing/windowing_strategy";
import { wrapUserError } from "./user_code_error";

interface Partial {
  key: unknown;
  acc: unknown;
  timestamp: number;
}

/**
 * The first phase of a lifted combine: adds each input to a partial
 * accumulator for its key and window, and emits the accumulators
 * (`KV<key, acc>`) on `flush`, so only one element per key crosses the
 * shuffle instead of every input. The table lives across bundles until the
 * runner flushes it (at the end of its input, before a checkpoint) or it
 * grows past `maxKeys`.
 */
export class PrecombineOperator implements Operator {
  private readonly table: WindowedKeyedTable<Partial>;
  /** The earliest timestamp a buffered partial will be emitted with: it holds the stage's output watermark. */
  private earliestBuffered = Infinity;
  /** The earliest max timestamp of a buffered window: a watermark not past it completes no window (one comparison). */
  private earliestWindowEnd = Infinity;

  constructor(
    readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    keyCoder: Coder<unknown>,
    private readonly outputTime: TimestampCombiner,
    private readonly out: ElementReceiver,
    private readonly maxKeys = 50_000,
  ) {
    this.table = new WindowedKeyedTable<Partial>(keyCoder);
  }

  setup(): void {}
  startBundle(): void {}
  teardown(): void {}

  finishBundle(): void {
    if (this.table.size > this.maxKeys) this.flush();
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], _pane: PaneInfo): void {
    const element = value as KV<unknown, unknown>;
    const fn = this.fn;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const ts = contributedTimestamp(this.outputTime, w, timestamp);
      const windowEnd = maxTimestampOf(w);
      if (windowEnd < this.earliestWindowEnd) this.earliestWindowEnd = windowEnd;
      try {
        const partial = this.table.tableFor(w).getOrCreate(element.key, (key) => ({ key, acc: fn.createAccumulator(), timestamp: ts }));
        partial.acc = fn.addInput(partial.acc, element.value);
        partial.timestamp = combineTimestamps(this.outputTime, partial.timestamp, ts);
        if (partial.timestamp < this.earliestBuffered) this.earliestBuffered = partial.timestamp;
      } catch (e) {
        wrapUserError(e, this.transform, "combining (addInput)", { value });
      }
    }
  }

  /**
   * How far buffered partials hold the output watermark: until they are
   * flushed, downstream must not consider their windows complete.
   */
  watermarkHold(): number {
    return this.earliestBuffered;
  }

  /** Emits every partial accumulator and empties the table. */
  flush(): void {
    for (const { window, table } of this.table.windows()) this.emitWindow(window, table.entries());
    this.table.clear();
    this.earliestBuffered = Infinity;
    this.earliestWindowEnd = Infinity;
  }

  /**
   * Emits the partials of the windows `watermark` (the stage's input
   * watermark) has passed. No input of this stage can add to them now but
   * late data, so downstream may fire them as they complete, as Flink's
   * windows fire. The watermark rule (`nextOutputWatermark`) calls it
   * first, then flushes every partial if the hold is still
   * behind the input: with complete windows gone first, the hold is that of
   * the open windows (their end, under the default timestamp combiner), so
   * open windows keep combining instead of being sent at each completion.
   * (Emitting a partial early is always correct: downstream merges every
   * partial of a key and window until it fires, and a late element starts a
   * new partial.) True when it emitted any.
   */
  flushCompleteWindows(watermark: number): boolean {
    if (watermark <= this.earliestWindowEnd) return false;
    let earliestBuffered = Infinity;
    let earliestWindowEnd = Infinity;
    const complete: { window: BoundedWindow; entries: Iterable<Partial> }[] = [];
    for (const { window, table } of this.table.windows()) {
      const end = maxTimestampOf(window);
      if (end < watermark) {
        complete.push({ window, entries: table.entries() });
        continue;
      }
      if (end < earliestWindowEnd) earliestWindowEnd = end;
      for (const p of table.entries()) if (p.timestamp < earliestBuffered) earliestBuffered = p.timestamp;
    }
    for (const { window, entries } of complete) {
      this.emitWindow(window, entries);
      this.table.removeWindow(window);
    }
    this.earliestBuffered = earliestBuffered;
    this.earliestWindowEnd = earliestWindowEnd;
    return complete.length > 0;
  }

  private emitWindow(window: BoundedWindow, entries: Iterable<Partial>): void {
    const windows = [window];
    for (const p of entries) {
      let acc = p.acc;
      if (this.fn.compact) {
        try {
          acc = this.fn.compact(acc);
        } catch (e) {
          wrapUserError(e, this.transform, "combining (compact)", { value: p.key });
        }
      }
      this.out.receive({ key: p.key, value: acc }, p.timestamp, windows, NO_FIRING);
    }
  }
}
