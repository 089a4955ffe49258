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
   * An unbounded source paced in processing time at this many events per
   * second (a streaming run); absent: a bounded source read as fast as
   * possible. See {@link nexmarkSource} for the event times of a paced run.
   */
  readonly eventsPerSecond?: number;
  /**
   * Paced runs: how far (ms) event times are ahead of the emission schedule.
   * The source's watermark is processing time, so this is how late an event
   * may be emitted (the runner falling behind) before windows that should
   * contain it have closed: Flink's bounded out-of-orderness. Default 200.
   */
  readonly leadMs?: number;
  /** Paced runs: count each event in this counter, and its emission time in the distribution `<name>.emittedAt`. */
  readonly eventsCounter?: string;
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
 * of a range (the generator has random access, in delivery order). Runners
 * that split `create` read the ranges in parallel.
 *
 * With `eventsPerSecond` the source is unbounded: `mr.generateSequence`
 * without an end, paced in processing time, each number `i < numEvents`
 * becoming the event delivered at position `i` and the later numbers nothing
 * (`numEvents` 0: events forever), so the job runs until it is cancelled. The
 * generator's clock starts when the source does: each worker takes its
 * generator's `baseTime` from the first number it sees (its emission time,
 * which the sequence stamps it with, less that number's offset in the
 * schedule), plus `leadMs`; `config.eventsPerSecond` should equal the rate.
 * Event times then follow the emission schedule, `leadMs` ahead, and are
 * the same in every worker up to the few ms their sources start apart. An
 * event emitted more than `leadMs` behind schedule may be late (dropped by
 * windows, counted in `droppedDueToLateness`).
 */
export function nexmarkSource(
  config: NexmarkConfig,
  options: NexmarkSourceOptions = {},
): mr.PTransform<mr.PBegin, mr.PCollection<NexmarkEvent>> {
  return mr.ptransform("NexmarkSource", (input: mr.PBegin): mr.PCollection<NexmarkEvent> => {
    const n = config.numEvents;
    if (options.eventsPerSecond !== undefined) return pacedEvents(input, config, options.eventsPerSecond, options);
    // One generator per process (it caches the out-of-order group it is in).
    let cached: NexmarkGenerator | undefined;
    const generator = (): NexmarkGenerator => (cached ??= new NexmarkGenerator(config));
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

/** The unbounded, paced form of {@link nexmarkSource}. */
function pacedEvents(input: mr.PBegin, config: NexmarkConfig, rate: number, options: NexmarkSourceOptions): mr.PCollection<NexmarkEvent> {
  const n = config.numEvents;
  const leadMs = options.leadMs ?? 200;
  const counter = options.eventsCounter;
  // At most 100 periods a second; several events per period at high rates.
  const elementsPerPeriod = Math.max(1, Math.ceil(rate / 100));
  const periodMs = Math.max(1, Math.round((1000 * elementsPerPeriod) / rate));
  // One generator per worker, its clock set by the first number it sees.
  let cached: NexmarkGenerator | undefined;
  const generator = (i: number, emittedAt: number): NexmarkGenerator =>
    (cached ??= new NexmarkGenerator({ ...config, eventsPerSecond: rate, baseTime: emittedAt - Math.floor((i * 1000) / rate) + leadMs }));
  return input.pipeline
    .apply("Sequence", mr.generateSequence({ from: 0, periodMs, elementsPerPeriod }))
    .apply(
      "Generate",
      mr.flatMap((i: number, ctx): NexmarkEvent[] => {
        if (n > 0 && i >= n) return [];
        if (counter !== undefined) {
          ctx.metrics.counter(counter).inc();
          ctx.metrics.distribution(`${counter}.emittedAt`).update(Date.now());
        }
        return [generator(i, ctx.timestamp).deliveredAt(i)];
      }),
    )
    .apply(
      "EventTime",
      mr.withTimestamps((e: NexmarkEvent) => eventTime(e), { allowedSkewMs: 3_600_000 }),
    );
}
