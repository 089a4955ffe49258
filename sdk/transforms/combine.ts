import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { Coder } from "../../portability/coders/coder";
import { coders } from "../../portability/coders";
import { kv, type KV } from "../../model/kv";
import { isGlobalWindowing } from "../windowing/windowing_strategy";
import type { CombineFn } from "./combine_fn";
import { toCombineFn } from "./combine_fn";
import { groupByKey, kvCoderOf } from "./group_by_key";
import { ParDoTransform, declareParDo } from "./pardo";
import { impulse } from "./create";
import { views } from "./views";
import { flatten as flattenOf } from "./flatten";
import type { ProcessContext } from "./transform_context";

/** Options of the combine transforms. */
export interface CombineOptions {
  /** The coder of the accumulators that are shuffled; the default coder when absent. */
  readonly accumulatorCoder?: Coder<unknown>;
}

/** @internal Applies a CombineFn to the grouped values of one key. */
export function combineGroupedValues<K, V, O>(fn: CombineFn<V, unknown, O>) {
  return {
    process(element: KV<K, V[]>, ctx: ProcessContext<KV<K, O>>) {
      let acc = fn.createAccumulator();
      for (const v of element.value) acc = fn.addInput(acc, v);
      ctx.output(kv(element.key, fn.extractOutput(acc)));
    },
  };
}

class CombinePerKey<K, V, O> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, O>>> {
  constructor(
    private readonly fn: CombineFn<V, unknown, O>,
    private readonly options: CombineOptions,
  ) {
    super();
  }
  override defaultName(): string {
    return "CombinePerKey";
  }
  expand(input: PCollection<KV<K, V>>): PCollection<KV<K, O>> {
    const p = input.pipeline;
    const { key } = kvCoderOf(input as PCollection<unknown>);
    // The composite carries the CombineFn under a standard URN, so a runner
    // can lift it (combine before the shuffle); its parts are the unlifted form.
    p._declareComposite({
      kind: "combinePerKey",
      combineFnRef: p._registerUserCode("combineFn", this.fn),
      accumulatorCoder: this.options.accumulatorCoder ?? coders.jsValue(),
    });
    const grouped = input.apply("GroupByKey", groupByKey<K, V>());
    const out = grouped.apply(
      "CombineValues",
      new ParDoTransform<KV<K, V[]>, KV<K, O>>("CombineValues", {
        fn: combineGroupedValues<K, V, O>(this.fn),
        shape: "dofn",
        mainCoder: coders.kv(key, coders.jsValue()) as Coder<unknown>,
      }),
    );
    return out;
  }
}

/**
 * Combines the values of each key (and window) with a CombineFn, or with a
 * function of all the values: `KV<K, V> -> KV<K, O>`.
 *
 * @example
 * ```ts
 * sales.apply(mr.combinePerKey(mr.combiners.sum()));
 * sales.apply(mr.combinePerKey((amounts: number[]) => Math.max(...amounts)));
 * ```
 */
export function combinePerKey<K, V, O>(
  fn: CombineFn<V, any, O> | ((values: V[]) => O),
  options: CombineOptions = {},
): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, O>>> {
  return new CombinePerKey<K, V, O>(toCombineFn<V, O>(fn, "combinePerKey"), options);
}

class CombineGlobally<V, O> extends PTransform<PCollection<V>, PCollection<O>> {
  constructor(
    private readonly fn: CombineFn<V, unknown, O>,
    private readonly options: CombineOptions,
  ) {
    super();
  }
  override defaultName(): string {
    return "CombineGlobally";
  }
  expand(input: PCollection<V>): PCollection<O> {
    const p = input.pipeline;
    const fn = this.fn;
    p._declareComposite({
      kind: "combineGlobally",
      combineFnRef: p._registerUserCode("combineFn", fn),
      accumulatorCoder: this.options.accumulatorCoder ?? coders.jsValue(),
    });
    const combined = input
      .apply("KeyByNull", new ParDoTransform<V, KV<null, V>>("KeyByNull", { fn: (v: V) => kv(null, v), shape: "map" }))
      .apply("CombinePerKey", new CombinePerKey<null, V, O>(fn, this.options))
      .apply("Values", new ParDoTransform<KV<null, O>, O>("Values", { fn: (e: KV<null, O>) => e.value, shape: "map" }));
    if (!isGlobalWindowing(input.windowing)) return combined;
    // Beam's Combine.globally emits the empty accumulator's output when the
    // (global-window) input is empty; an impulse with the result as a side
    // input supplies it exactly then.
    const view = views.iterable(combined);
    const fallback = p.apply("Impulse", impulse()).apply(
      "DefaultIfEmpty",
      new (class extends PTransform<PCollection<Uint8Array>, PCollection<O>> {
        expand(imp: PCollection<Uint8Array>): PCollection<O> {
          return declareParDo(imp as PCollection<unknown>, {
            fn: {
              process(_: Uint8Array, ctx: ProcessContext<O>) {
                if ((ctx.sideInput("combined") as O[]).length === 0) ctx.output(fn.extractOutput(fn.createAccumulator()));
              },
            },
            shape: "dofn",
            sideInputs: { combined: view as never },
          }).main as PCollection<O>;
        }
      })(),
    );
    return p.apply("Merge", flattenOf([combined, fallback]));
  }
}

/**
 * Combines all elements (per window) into one value with a CombineFn or a
 * function of all values. In the global window an empty input gives the
 * CombineFn's empty result (e.g. 0 for `sum`), as in Beam.
 *
 * @example
 * ```ts
 * const total = amounts.apply(mr.combineGlobally(mr.combiners.sum()));
 * ```
 */
export function combineGlobally<V, O>(
  fn: CombineFn<V, any, O> | ((values: V[]) => O),
  options: CombineOptions = {},
): PTransform<PCollection<V>, PCollection<O>> {
  return new CombineGlobally<V, O>(toCombineFn<V, O>(fn, "combineGlobally"), options);
}
