import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { PBegin } from "../graph/pvalue";
import { kv, type KV } from "../../model/kv";
import { flatten } from "./flatten";
import { groupByKey } from "./group_by_key";
import { map } from "./element_wise";

/** The result value of {@link coGroupByKey}: for each input name, the values of the key from that input. */
export type CoGbkResult<T extends Record<string, PCollection<KV<any, any>>>> = {
  [Name in keyof T]: T[Name] extends PCollection<KV<any, infer V>> ? V[] : never;
};

/** The key type of the inputs of {@link coGroupByKey} (they all share it). */
export type CoGbkKey<T extends Record<string, PCollection<KV<any, any>>>> = T[keyof T] extends PCollection<KV<infer K, any>> ? K : never;

class CoGroupByKey<T extends Record<string, PCollection<KV<any, any>>>> extends PTransform<
  PBegin,
  PCollection<KV<CoGbkKey<T>, CoGbkResult<T>>>
> {
  constructor(private readonly inputs: T) {
    super();
  }
  expand(receiver: PBegin): PCollection<KV<CoGbkKey<T>, CoGbkResult<T>>> {
    if (!(receiver instanceof PBegin)) {
      throw new Error("apply coGroupByKey to the pipeline: p.apply(mr.coGroupByKey({ left: a, right: b }))");
    }
    const names = Object.keys(this.inputs);
    if (names.length === 0) throw new Error("coGroupByKey needs at least one input");
    const p = receiver.pipeline;
    // Beam's join: tag each value with its input, flatten, group, then split by tag.
    const tagged = names.map((name) =>
      this.inputs[name]!.apply(
        `Tag(${name})`,
        map((e: KV<unknown, unknown>) => kv(e.key, { tag: name, value: e.value })),
      ),
    );
    const grouped = p.apply("Flatten", flatten(tagged)).apply("GroupByKey", groupByKey());
    return grouped.apply(
      "Split",
      map((e: KV<unknown, { tag: string; value: unknown }[]>) => {
        const result: Record<string, unknown[]> = {};
        for (const name of names) result[name] = [];
        for (const tv of e.value) result[tv.tag]!.push(tv.value);
        return kv(e.key, result);
      }),
    ) as PCollection<KV<CoGbkKey<T>, CoGbkResult<T>>>;
  }
}

/**
 * Joins several KV collections by key: `KV<K, { left: A[], right: B[] }>`.
 * Apply it to the pipeline.
 *
 * @example
 * ```ts
 * const joined = p.apply(mr.coGroupByKey({ emails, phones }));
 * ```
 */
export function coGroupByKey<T extends Record<string, PCollection<KV<any, any>>>>(
  inputs: T,
): PTransform<PBegin, PCollection<KV<CoGbkKey<T>, CoGbkResult<T>>>> {
  return new CoGroupByKey(inputs);
}
