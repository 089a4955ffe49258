import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { GLOBAL_WINDOWING } from "../windowing/windowing_strategy";
import { declareParDo } from "./pardo";
import { coders } from "../../portability/coders";

/** An element with its event time, for {@link createTimestamped}. */
export interface TimestampedValue<T> {
  /** The element. */
  value: T;
  /** Its event time, in milliseconds since the epoch. */
  timestamp: number;
}

/** @internal What a Create transform's function reference resolves to. */
export interface CreateSource {
  readonly values: readonly unknown[];
  readonly timestamped: boolean;
}

class Impulse extends PTransform<PBegin, PCollection<Uint8Array>> {
  expand(input: PBegin): PCollection<Uint8Array> {
    return input.pipeline._declarePrimitive(
      { kind: "impulse" },
      {
        main: { coder: coders.bytes() as never, windowing: GLOBAL_WINDOWING, isBounded: true },
      },
    ).main as PCollection<Uint8Array>;
  }
}

/** The primitive root: one empty byte array in the global window. Other sources start from it. */
export function impulse(): PTransform<PBegin, PCollection<Uint8Array>> {
  return new Impulse();
}

class Create<T> extends PTransform<PBegin, PCollection<T>> {
  constructor(
    private readonly source: CreateSource,
    private readonly name: string,
  ) {
    super();
  }
  override defaultName(): string {
    return this.name;
  }
  expand(input: PBegin): PCollection<T> {
    const root = input.pipeline.apply("Impulse", impulse());
    // A Create is Impulse + a ParDo whose function is the values themselves:
    // like a closure, they travel by reference and are rebuilt by workers.
    return root.apply(
      "Values",
      new (class extends PTransform<PCollection<Uint8Array>, PCollection<T>> {
        constructor(private readonly src: CreateSource) {
          super();
        }
        expand(imp: PCollection<Uint8Array>): PCollection<T> {
          return declareParDo(imp as PCollection<unknown>, { fn: this.src, shape: "create" }).main as PCollection<T>;
        }
      })(this.source),
    );
  }
}

/**
 * The values as they are now (later changes to the caller's array do not
 * reach the pipeline). An array is copied with `slice`, several times
 * faster than `Array.from`'s iteration: every worker thread that rebuilds
 * the pipeline copies the values again.
 */
function copyOf<T>(values: Iterable<T>): T[] {
  return Array.isArray(values) ? (values as T[]).slice() : Array.from(values);
}

/**
 * A bounded collection of the given values, at the minimum timestamp in the global window.
 *
 * @example
 * ```ts
 * const words = p.apply(mr.create(["to", "be", "or", "not"]));
 * ```
 */
export function create<T>(values: Iterable<T>): PTransform<PBegin, PCollection<T>> {
  if (values === null || values === undefined || typeof (values as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new TypeError(`create expects an iterable of values, got ${String(values)}`);
  }
  return new Create<T>({ values: copyOf(values), timestamped: false }, "Create");
}

/**
 * A bounded collection of values with event times.
 *
 * @example
 * ```ts
 * p.apply(mr.createTimestamped([{ value: "a", timestamp: 1000 }, { value: "b", timestamp: 2000 }]));
 * ```
 */
export function createTimestamped<T>(items: Iterable<TimestampedValue<T>>): PTransform<PBegin, PCollection<T>> {
  const list = Array.from(items);
  list.forEach((item, i) => {
    if (!item || typeof item !== "object" || !("value" in item) || typeof item.timestamp !== "number" || Number.isNaN(item.timestamp)) {
      throw new TypeError(`createTimestamped: item ${i} is not { value, timestamp: number }`);
    }
  });
  return new Create<T>({ values: list, timestamped: true }, "CreateTimestamped");
}
