import { PTransform } from "../ptransform";
import { PCollection } from "../pcollection";
import { PBegin } from "../graph/pvalue";

class Flatten<T> extends PTransform<PBegin | PCollection<T>, PCollection<T>> {
  constructor(private readonly inputs: readonly PCollection<T>[]) {
    super();
  }
  expand(receiver: PBegin | PCollection<T>): PCollection<T> {
    const all = receiver instanceof PCollection ? [receiver, ...this.inputs] : [...this.inputs];
    if (all.length === 0) throw new Error("flatten needs at least one PCollection");
    const p = all[0]!.pipeline;
    all.forEach((pc, i) => {
      if (!(pc instanceof PCollection)) throw new TypeError(`flatten: input ${i} is not a PCollection`);
      if (pc.pipeline !== p) throw new Error("flatten: all inputs must belong to the same pipeline");
    });
    const node = p._currentTransform;
    node.inputs = Object.fromEntries(all.map((pc, i) => [String(i), pc as PCollection<unknown>]));
    const first = all[0]!;
    return p._declarePrimitive(
      { kind: "flatten" },
      {
        main: { coder: first.coder as never, windowing: first.windowing, isBounded: all.every((pc) => pc.isBounded) },
      },
    ).main as PCollection<T>;
  }
}

/**
 * Merges several PCollections of the same type into one. Apply it to the
 * pipeline (`p.apply(mr.flatten([a, b]))`), or to a collection, which is then
 * merged with the given ones (`a.apply(mr.flatten([b, c]))`).
 *
 * @example
 * ```ts
 * const all = p.apply(mr.flatten([fromFileA, fromFileB]));
 * ```
 */
export function flatten<T>(pcollections: readonly PCollection<T>[]): PTransform<PBegin | PCollection<T>, PCollection<T>> {
  if (!Array.isArray(pcollections)) throw new TypeError("flatten expects an array of PCollections");
  return new Flatten<T>(pcollections);
}
