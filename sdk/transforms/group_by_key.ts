import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { KV } from "../values/kv";
import type { Coder } from "../../portability/coders/coder";
import { coders, coderUrns } from "../../portability/coders";

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

class GroupByKey<K, V> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  expand(input: PCollection<KV<K, V>>): PCollection<KV<K, V[]>> {
    const { key, value } = kvCoderOf(input as PCollection<unknown>);
    return input.pipeline._declarePrimitive({ kind: "groupByKey" }, {
      main: {
        coder: coders.kv(key, coders.iterable(value)) as Coder<unknown>,
        windowing: input.windowing,
        isBounded: input.isBounded,
      },
    }).main as PCollection<KV<K, V[]>>;
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
