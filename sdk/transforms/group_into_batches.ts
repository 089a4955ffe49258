import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { kv, type KV } from "../../model/kv";
import { maxTimestampOf } from "../../model/windows";
import { state } from "../state/state_specs";
import { timers } from "../state/timer_specs";
import type { ProcessContext } from "./transform_context";
import { parDo } from "./pardo";

/** Options of {@link groupIntoBatches}. */
export interface GroupIntoBatchesOptions {
  /** Emit a partial batch once its first element has waited this long in processing time. */
  readonly maxBufferingMs?: number;
}

/**
 * Batches the values of each key (and window) into arrays of `size`, as
 * Beam's GroupIntoBatches: a batch is emitted when it is full, when the
 * window ends, or (with `maxBufferingMs`) when its first element has waited
 * that long. Built on state and timers, so it works on unbounded input.
 *
 * @example
 * ```ts
 * requests.apply(mr.groupIntoBatches(100, { maxBufferingMs: 1_000 }))   // KV<K, V[]> of up to 100
 *   .apply(mr.map(({ key, value }) => callServiceInBulk(key, value)));
 * ```
 */
export function groupIntoBatches<K, V>(
  size: number,
  options: GroupIntoBatchesOptions = {},
): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`groupIntoBatches needs a batch size >= 1, got ${size}`);
  const maxBufferingMs = options.maxBufferingMs;
  if (maxBufferingMs !== undefined && (!Number.isInteger(maxBufferingMs) || maxBufferingMs < 1)) {
    throw new RangeError(`maxBufferingMs must be a whole number >= 1, got ${maxBufferingMs}`);
  }
  const batchState = { batch: state.bag<V>(), count: state.value<number>() };
  const batchTimers = { windowEnd: timers.eventTime(), buffering: timers.processingTime() };
  const flush = (ctx: ProcessContext<KV<K, V[]>, { state: typeof batchState; timers: typeof batchTimers }>): void => {
    if ((ctx.state.count.read() ?? 0) === 0) return;
    ctx.output(kv(ctx.key as K, ctx.state.batch.read()));
    ctx.state.batch.clear();
    ctx.state.count.clear();
    ctx.timers.buffering.clear();
  };
  return ptransform("GroupIntoBatches", (input: PCollection<KV<K, V>>) =>
    input.apply(
      "Batch",
      parDo({
        state: batchState,
        timers: batchTimers,
        process(element: KV<K, V>, ctx) {
          const count = ctx.state.count.read() ?? 0;
          if (count === 0) {
            // The remainder of a window is emitted when the window ends.
            ctx.timers.windowEnd.set(maxTimestampOf(ctx.window));
            if (maxBufferingMs !== undefined) ctx.timers.buffering.offset(maxBufferingMs);
          }
          ctx.state.batch.add(element.value);
          ctx.state.count.write(count + 1);
          if (count + 1 >= size) flush(ctx);
        },
        onTimer: {
          windowEnd: flush,
          buffering: flush,
        },
      }),
    ),
  );
}
