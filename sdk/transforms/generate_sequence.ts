import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "./create";
import { declareParDo } from "./pardo";

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

/** @internal What a sequence's function reference resolves to. */
export interface SequenceSource extends GenerateSequenceOptions {
  readonly kind: "sequence";
}

class GenerateSequence extends PTransform<PBegin, PCollection<number>> {
  constructor(private readonly source: SequenceSource) {
    super();
  }
  override defaultName(): string {
    return "GenerateSequence";
  }
  expand(input: PBegin): PCollection<number> {
    const root = input.pipeline.apply("Impulse", impulse());
    const bounded = this.source.to !== undefined;
    const source = this.source;
    return root.apply(
      "Numbers",
      new (class extends PTransform<PCollection<Uint8Array>, PCollection<number>> {
        expand(imp: PCollection<Uint8Array>): PCollection<number> {
          // A sequence without an end is an unbounded source.
          return declareParDo(imp as PCollection<unknown>, { fn: source, shape: "sequence", outputIsBounded: bounded })
            .main as PCollection<number>;
        }
      })(),
    );
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
  return new GenerateSequence({ kind: "sequence", ...options });
}
