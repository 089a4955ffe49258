import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { KV } from "../../model/kv";
import type { Coder } from "../../portability/coders/coder";
import { coders, coderUrns } from "../../portability/coders";
import type { WindowingStrategy } from "../windowing/windowing_strategy";
import { continuationTrigger } from "../windowing/triggers";

/**
 * @internal The key and value coders of a KV collection. A collection with the
 * default coder gets a KV coder of default coders here: the consumer tells
 * the producer's shape, as in Beam's TypeScript SDK.
 */
export function kvCoderOf(input: PCollection<unknown>): { key: Coder<unknown>; value: Coder<unknown> } {
  const c = input.coder;
  if (c.urn === coderUrns.KV) return { key: c.components[0]!, value: c.components[1]! };
  if (input._coderIsExplicit) {
    throw new Error(`${input.id} has coder ${c.urn}, but a grouping needs KV elements with a KV coder`);
  }
  const key = coders.jsValue();
  const value = c;
  input._coder = coders.kv(key, value) as Coder<unknown>;
  return { key, value };
}

/** @internal The windowing of a grouping's output: the same windows, with Beam's continuation trigger. */
export function groupedWindowing(input: PCollection<unknown>, transform: string): WindowingStrategy {
  const w = input.windowing;
  if (!input.isBounded && w.windowFn.kind === "global" && w.trigger.kind === "default") {
    // As in Beam: the default trigger fires at the end of the global window, which an unbounded input never reaches.
    throw new Error(
      `${transform} cannot group the unbounded ${input.id} in the global window with the default trigger: ` +
        `it would never emit; window it (mr.windowInto(mr.windows.fixed(...))) or set a trigger`,
    );
  }
  return { ...w, trigger: continuationTrigger(w.trigger) };
}

class GroupByKey<K, V> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  expand(input: PCollection<KV<K, V>>): PCollection<KV<K, V[]>> {
    const { key, value } = kvCoderOf(input as PCollection<unknown>);
    const p = input.pipeline;
    return p._declarePrimitive(
      { kind: "groupByKey" },
      {
        main: {
          coder: coders.kv(key, coders.iterable(value)) as Coder<unknown>,
          windowing: groupedWindowing(input as PCollection<unknown>, p._currentTransform.uniqueName),
          isBounded: input.isBounded,
        },
      },
    ).main as PCollection<KV<K, V[]>>;
  }
}

/**
 * Groups the values of a KV collection by key (and window): `KV<K, V> -> KV<K, V[]>`.
 * Keys group by value, not identity: `{a: 1, b: 2}` and `{b: 2, a: 1}` are one key.
 *
 * @example
 * ```ts
 * pairs.apply(mr.groupByKey());   // KV<string, number> -> KV<string, number[]>
 * ```
 */
export function groupByKey<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  return new GroupByKey<K, V>();
}
