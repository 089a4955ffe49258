import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import type { TestStreamEventSpec } from "../graph/primitive_spec";
import { GLOBAL_WINDOWING } from "../windowing/windowing_strategy";
import type { Coder } from "../../portability/coders/coder";
import { coders } from "../../portability/coders";
import { MAX_TIMESTAMP, MIN_TIMESTAMP } from "../../model/time";

/** An element for {@link TestStream.addElements}: a value (at the current watermark) or a value with a timestamp. */
export type TestStreamItem<T> =
  | T
  | {
      /** The element. */
      value: T;
      /** Its event time, ms since the epoch. */
      timestamp: number;
    };

/**
 * A root transform that plays a scripted stream: elements with timestamps,
 * watermark advances and processing-time advances, in order. Each event is
 * applied once the pipeline has processed everything before it, so a test
 * controls event time and processing time exactly. Build it step by step;
 * it ends with `advanceWatermarkToInfinity()` (added if missing).
 *
 * @example
 * ```ts
 * const scores = p.apply(mr.testing.testStream<number>()
 *   .addElements({ value: 1, timestamp: 1_000 }, { value: 2, timestamp: 2_000 })
 *   .advanceWatermarkTo(60_000)
 *   .addElements({ value: 3, timestamp: 10_000 })          // late
 *   .advanceProcessingTime(5_000)
 *   .advanceWatermarkToInfinity());
 * ```
 */
export class TestStream<T> extends PTransform<PBegin, PCollection<T>> {
  /** @internal */
  constructor(
    private readonly events: readonly TestStreamEventSpec[],
    private readonly coder: Coder<unknown>,
    private readonly watermark: number,
  ) {
    super();
  }

  override defaultName(): string {
    return "TestStream";
  }

  /** Adds elements; an element without a timestamp gets the current watermark (or the minimum timestamp at the start). */
  addElements(...items: TestStreamItem<T>[]): TestStream<T> {
    if (items.length === 0) throw new Error("addElements needs at least one element");
    const elements = items.map((item, i) => {
      if (item !== null && typeof item === "object" && "timestamp" in (item as object) && "value" in (item as object)) {
        const ts = (item as { timestamp: unknown }).timestamp;
        if (typeof ts !== "number" || Number.isNaN(ts))
          throw new TypeError(`addElements: element ${i} has a timestamp that is not a number`);
        return { value: (item as { value: T }).value, timestamp: ts };
      }
      return { value: item as T, timestamp: this.watermark };
    });
    return new TestStream<T>([...this.events, { kind: "elements", elements }], this.coder, this.watermark);
  }

  /** Advances the watermark to `timestamp` (it never goes back). */
  advanceWatermarkTo(timestamp: number): TestStream<T> {
    if (typeof timestamp !== "number" || Number.isNaN(timestamp)) throw new TypeError("advanceWatermarkTo needs a number of ms");
    if (timestamp < this.watermark) throw new RangeError(`the watermark cannot go back from ${this.watermark} to ${timestamp}`);
    return new TestStream<T>([...this.events, { kind: "watermark", watermark: timestamp }], this.coder, timestamp);
  }

  /** Advances processing time by `ms`, firing processing-time triggers and timers that become due. */
  advanceProcessingTime(ms: number): TestStream<T> {
    if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`advanceProcessingTime needs a whole number of ms > 0, got ${ms}`);
    return new TestStream<T>([...this.events, { kind: "processingTime", advanceMs: ms }], this.coder, this.watermark);
  }

  /** Advances the watermark to the end of time: the stream is complete. */
  advanceWatermarkToInfinity(): TestStream<T> {
    return this.advanceWatermarkTo(MAX_TIMESTAMP);
  }

  /** Encodes the elements with `coder` instead of the default coder. */
  withCoder(coder: Coder<T>): TestStream<T> {
    return new TestStream<T>(this.events, coder as Coder<unknown>, this.watermark);
  }

  expand(input: PBegin): PCollection<T> {
    const last = this.events[this.events.length - 1];
    const complete = last?.kind === "watermark" && last.watermark >= MAX_TIMESTAMP;
    const events: TestStreamEventSpec[] = complete ? [...this.events] : [...this.events, { kind: "watermark", watermark: MAX_TIMESTAMP }];
    return input.pipeline._declarePrimitive(
      { kind: "testStream", events },
      { main: { coder: this.coder, windowing: GLOBAL_WINDOWING, isBounded: false } },
    ).main as PCollection<T>;
  }
}

/**
 * Starts a {@link TestStream} of elements of type `T`: a source whose
 * elements, watermark and processing time a test scripts exactly, to check
 * windows, triggers and late data deterministically on every runner.
 *
 * @example
 * ```ts
 * const scores = p.apply(mr.testing.testStream<number>()
 *   .addElements({ value: 5, timestamp: 1_000 })
 *   .advanceWatermarkTo(60_000)                   // the on-time pane of [0, 60000) fires
 *   .addElements({ value: 3, timestamp: 2_000 })  // late: behind the watermark, dropped
 *   .advanceWatermarkToInfinity());
 * const sums = scores.apply(mr.windowInto(mr.windows.fixed(60_000))).apply(mr.combineGlobally(mr.combiners.sum()));
 * mr.testing.assertThat(sums).inOnTimePane({ start: 0, end: 60_000 }).containsInAnyOrder([5]);
 * ```
 */
export function testStream<T>(): TestStream<T> {
  return new TestStream<T>([], coders.jsValue(), MIN_TIMESTAMP);
}
