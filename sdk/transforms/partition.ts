import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { ProcessContext } from "./transform_context";
import { declareParDo } from "./pardo";

class Partition<T> extends PTransform<PCollection<T>, PCollection<T>[]> {
  constructor(
    private readonly n: number,
    private readonly fn: (element: T, n: number) => number,
  ) {
    super();
  }
  expand(input: PCollection<T>): PCollection<T>[] {
    const { n, fn } = this;
    const tags = Array.from({ length: n }, (_, i) => String(i));
    const outs = declareParDo(input as PCollection<unknown>, {
      fn: {
        process(el: T, ctx: ProcessContext<T>) {
          const i = fn(el, n);
          if (!Number.isInteger(i) || i < 0 || i >= n) {
            throw new RangeError(`partition function returned ${String(i)}; expected a whole number in [0, ${n})`);
          }
          ctx.outputTo(String(i), el);
        },
      },
      shape: "dofn",
      additionalOutputs: tags,
    });
    return tags.map((t) => {
      outs[t]!._coder = input.coder as never;
      return outs[t] as PCollection<T>;
    });
  }
}

/**
 * Splits a collection into `n` by the index `fn(element, n)` returns.
 *
 * @example
 * ```ts
 * const [small, large] = numbers.apply(mr.partition(2, (x) => (x < 100 ? 0 : 1)));
 * ```
 */
export function partition<T>(n: number, fn: (element: T, n: number) => number): PTransform<PCollection<T>, PCollection<T>[]> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`partition needs a whole number of partitions >= 1, got ${n}`);
  if (typeof fn !== "function") throw new TypeError("partition expects a function (element, n) => index");
  return new Partition<T>(n, fn);
}
