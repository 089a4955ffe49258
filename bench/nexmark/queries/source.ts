/**
 * The Nexmark event source: the generator's events as a PCollection, each
 * stamped with its event time.
 */
import * as mr from "millrace";
import { NexmarkGenerator } from "../generator";
import { eventTime, type NexmarkConfig, type NexmarkEvent } from "../model";

/** Options of {@link nexmarkSource}. */
export interface NexmarkSourceOptions {
  /**
   * Emit the events paced in processing time at this many events per second
   * (a streaming-style run); absent: as fast as possible. With a rate, give
   * the config a `baseTime` close to the start of the run and the same
   * `eventsPerSecond`, so that event times follow the wall clock.
   */
  readonly eventsPerSecond?: number;
  /** Events per source split of a bounded run (default: numEvents / 256, at least 1000). */
  readonly eventsPerSplit?: number;
}

/** A range of event indices [from, to) of a bounded source split. */
interface Split {
  from: number;
  to: number;
}

/**
 * The first `config.numEvents` events of the generator, each with its event
 * time (`eventTime(e)`) as element timestamp, in the global window.
 *
 * Without a rate the source is bounded and read in splits: `mr.create` of
 * index ranges (at the minimum timestamp, so moving each event forward to its
 * event time needs no timestamp skew), and a ParDo that generates the events
 * of a range (the generator has random access, in delivery order). Runners that split `create` read
 * the ranges in parallel.
 *
 * With `eventsPerSecond` the events come from `mr.generateSequence` paced in
 * processing time; the sequence stamps each number with its emission time, and
 * the event time is set with `mr.withTimestamps` allowing a skew of one hour
 * (an event may be emitted later than its planned event time when the
 * pipeline falls behind).
 */
export function nexmarkSource(config: NexmarkConfig, options: NexmarkSourceOptions = {}): mr.PTransform<mr.PBegin, mr.PCollection<NexmarkEvent>> {
  return mr.ptransform("NexmarkSource", (input: mr.PBegin): mr.PCollection<NexmarkEvent> => {
    const n = config.numEvents;
    // One generator per process (it caches the out-of-order group it is in).
    let cached: NexmarkGenerator | undefined;
    const generator = (): NexmarkGenerator => (cached ??= new NexmarkGenerator(config));
    if (options.eventsPerSecond !== undefined) {
      const rate = options.eventsPerSecond;
      // At most 100 periods a second; several events per period at high rates.
      const elementsPerPeriod = Math.max(1, Math.ceil(rate / 100));
      const periodMs = Math.max(1, Math.round((1000 * elementsPerPeriod) / rate));
      return input.pipeline
        .apply("Sequence", mr.generateSequence({ from: 0, to: n, periodMs, elementsPerPeriod }))
        .apply("Generate", mr.map((i: number) => generator().deliveredAt(i)))
        .apply("EventTime", mr.withTimestamps((e: NexmarkEvent) => eventTime(e), { allowedSkewMs: 3_600_000 }));
    }
    const per = options.eventsPerSplit ?? Math.max(1000, Math.ceil(n / 256));
    const splits: Split[] = [];
    for (let from = 0; from < n; from += per) splits.push({ from, to: Math.min(n, from + per) });
    return input.pipeline.apply("Splits", mr.create(splits)).apply(
      "Generate",
      mr.parDo<Split, NexmarkEvent>({
        process(split, ctx) {
          const gen = generator();
          for (let i = split.from; i < split.to; i++) {
            const e = gen.deliveredAt(i);
            ctx.outputWithTimestamp(e, eventTime(e));
          }
        },
      }),
    );
  });
}
