import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { GLOBAL_WINDOWING } from "../windowing/windowing_strategy";
import { declareParDo } from "./pardo";
import { coders } from "../../portability/coders";
import { rebuildState } from "../user_code/rebuild_mode";

/** An element with its event time, for {@link createTimestamped}. */
export interface TimestampedValue<T> {
  /** The element. */
  value: T;
  /** Its event time, in milliseconds since the epoch. */
  timestamp: number;
}

/**
 * @internal What a Create transform's function reference resolves to.
 * Where the pipeline is submitted, `values` is the copy taken when `create`
 * was called and `count` its length (written into the proto, so workers
 * know every split without the values). A worker that rebuilds the
 * pipeline gets a lazy source: `values` is materialised on first read, by
 * the source subtasks that have a split, and `count` is absent.
 */
export interface CreateSource {
  readonly values: readonly unknown[];
  readonly timestamped: boolean;
  readonly count?: number;
}

/** A source whose values are made on first read (see {@link CreateSource}). */
function lazySource(materialise: () => unknown[], timestamped: boolean): CreateSource {
  let values: unknown[] | undefined;
  return {
    timestamped,
    get values(): readonly unknown[] {
      return (values ??= materialise());
    },
  };
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
          return declareParDo(imp as PCollection<unknown>, {
            fn: this.src,
            shape: "create",
            ...(this.src.count !== undefined ? { createCount: this.src.count } : {}),
          }).main as PCollection<T>;
        }
      })(this.source),
    );
  }
}

/**
 * The values as they are now (later changes to the caller's array do not
 * reach the pipeline). An array is copied with `slice`, several times
 * faster than `Array.from`'s iteration.
 */
function copyOf<T>(values: Iterable<T>): T[] {
  return Array.isArray(values) ? (values as T[]).slice() : Array.from(values);
}

/**
 * The Create's source. While a worker rebuilds the pipeline (to run its
 * functions), the values are not copied nor iterated: most workers never
 * read them (only the source subtasks with a split do), and the build has
 * returned by the time one does, so an array is read as it is. The count
 * the submitting process wrote into the proto checks that the rebuild made
 * as many values.
 */
function sourceOf(values: Iterable<unknown>, timestamped: boolean, validate: (list: unknown[]) => void): CreateSource {
  if (rebuildState().active) {
    return lazySource(() => {
      const list = Array.isArray(values) ? values : Array.from(values);
      validate(list);
      return list;
    }, timestamped);
  }
  const list = copyOf(values);
  validate(list);
  return { values: list, timestamped, count: list.length };
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
  return new Create<T>(sourceOf(values, false, noCheck), "Create");
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
  return new Create<T>(sourceOf(items, true, checkTimestamped), "CreateTimestamped");
}

function noCheck(): void {}

function checkTimestamped(list: unknown[]): void {
  (list as TimestampedValue<unknown>[]).forEach((item, i) => {
    if (!item || typeof item !== "object" || !("value" in item) || typeof item.timestamp !== "number" || Number.isNaN(item.timestamp)) {
      throw new TypeError(`createTimestamped: item ${i} is not { value, timestamp: number }`);
    }
  });
}
