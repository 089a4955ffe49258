/**
 * The generator's events replayed as an unbounded stream with a scripted
 * watermark, so that the model check also covers the runners' streaming
 * mode (windows fired by watermark advances mid-stream, state kept across
 * micro-batches, checkpoints between elements) deterministically.
 *
 * The paced source (`--eventsPerSecond`) cannot do this in a short test: its
 * watermark is processing time, so a 10 s window closes only after 10 s of
 * real time, and any event emitted after its window closed would be dropped.
 */
import * as mr from "millrace";
import { eventTime, type NexmarkEvent } from "../../bench/nexmark/model";

/** How the events are cut into the stream's steps. */
export interface ReplayOptions {
  /** Elements per `addElements` step. */
  readonly groupSize: number;
  /** Processing time (scripted) that passes after each step, for processing-time triggers. */
  readonly processingMsPerGroup: number;
}

/**
 * A TestStream of `events` in delivery order, `groupSize` at a time, each
 * with its event time; after each group the watermark moves to the earliest
 * event time still to come (so nothing is late) and processing time advances;
 * at the end the watermark moves to infinity.
 */
export function replayEvents(events: readonly NexmarkEvent[], options: ReplayOptions): mr.testing.TestStream<NexmarkEvent> {
  const suffixMin: number[] = new Array<number>(events.length + 1);
  suffixMin[events.length] = Infinity;
  for (let i = events.length - 1; i >= 0; i--) suffixMin[i] = Math.min(suffixMin[i + 1]!, eventTime(events[i]!));
  let stream = mr.testing.testStream<NexmarkEvent>();
  let watermark = -Infinity;
  for (let from = 0; from < events.length; from += options.groupSize) {
    const to = Math.min(events.length, from + options.groupSize);
    stream = stream.addElements(...events.slice(from, to).map((e) => ({ value: e, timestamp: eventTime(e) })));
    if (to < events.length && suffixMin[to]! > watermark) {
      watermark = suffixMin[to]!;
      stream = stream.advanceWatermarkTo(watermark);
    }
    if (options.processingMsPerGroup > 0) stream = stream.advanceProcessingTime(options.processingMsPerGroup);
  }
  return stream.advanceWatermarkToInfinity();
}
