import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "./create";
import { splittableParDo } from "./pardo";
import { GenerateSequenceFn } from "./sequence/generate_sequence_fn";

/** Options of {@link generateSequence}. */
export interface GenerateSequenceOptions {
  /** The first number. */
  readonly from: number;
  /** One past the last number; absent for an unbounded sequence. */
  readonly to?: number;
  /** Emit `elementsPerPeriod` numbers every `periodMs` of processing time; absent: as fast as possible. */
  readonly periodMs?: number;
  /** How many numbers per period (default 1). */
  readonly elementsPerPeriod?: number;
}

class GenerateSequence extends PTransform<PBegin, PCollection<number>> {
  constructor(private readonly options: GenerateSequenceOptions) {
    super();
  }
  override defaultName(): string {
    return "GenerateSequence";
  }
  expand(input: PBegin): PCollection<number> {
    // A splittable DoFn over the numbers: a sequence without an end is an unbounded source.
    return input.pipeline
      .apply("Impulse", impulse())
      .apply("Numbers", splittableParDo<Uint8Array, number>(new GenerateSequenceFn(this.options), "Numbers"));
  }
}

/**
 * The numbers `from`, `from + 1`, ... up to `to` (exclusive), or forever when
 * `to` is absent (an unbounded source). Each number's timestamp is the
 * processing time it is emitted at; with `periodMs`, `elementsPerPeriod`
 * numbers are emitted each period.
 *
 * @example
 * ```ts
 * const ticks = p.apply(mr.generateSequence({ from: 0, periodMs: 100 }));   // 10 per second, forever
 * ```
 */
export function generateSequence(options: GenerateSequenceOptions): PTransform<PBegin, PCollection<number>> {
  const { from, to, periodMs, elementsPerPeriod } = options ?? ({} as GenerateSequenceOptions);
  if (!Number.isSafeInteger(from)) throw new RangeError(`generateSequence: from must be a whole number, got ${String(from)}`);
  if (to !== undefined && (!Number.isSafeInteger(to) || to < from))
    throw new RangeError(`generateSequence: to must be a whole number >= from, got ${String(to)}`);
  if (periodMs !== undefined && (!Number.isInteger(periodMs) || periodMs <= 0))
    throw new RangeError(`generateSequence: periodMs must be a whole number > 0, got ${String(periodMs)}`);
  if (elementsPerPeriod !== undefined && (!Number.isInteger(elementsPerPeriod) || elementsPerPeriod < 1)) {
    throw new RangeError(`generateSequence: elementsPerPeriod must be a whole number >= 1, got ${String(elementsPerPeriod)}`);
  }
  const spec: GenerateSequenceOptions = {
    from,
    ...(to !== undefined ? { to } : {}),
    ...(periodMs !== undefined ? { periodMs, elementsPerPeriod: elementsPerPeriod ?? 1 } : {}),
  };
  return new GenerateSequence(spec);
}
