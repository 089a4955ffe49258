import type { PCollection } from "../pcollection";
import type { KV } from "../../model/kv";
import type { ViewKind } from "../graph/primitive_spec";

/**
 * A PCollection made available to a ParDo as a side input. A side input in a
 * window reads the side PCollection's matching window (Beam's default window
 * mapping); a ParDo does not start until its side inputs are ready.
 */
export class PCollectionView<T> {
  /** @internal */
  constructor(
    /** The collection read as a side input. */
    readonly pcollection: PCollection<unknown>,
    /** How it is read. */
    readonly kind: ViewKind,
    /** @internal */
    readonly defaultValue?: { value: unknown },
  ) {}

  /** @internal Type marker, never set. */
  declare readonly _valueType?: T;
}

/** The `sideInputs` option of a ParDo, map, flatMap or filter: views by name. */
export type SideInputDeclarations = Readonly<Record<string, PCollectionView<unknown>>>;

/** What `ctx.sideInput(name)` returns for each declared view: the view's value type by name. */
export type SideInputValues<Declarations> = {
  readonly [Name in keyof Declarations]: Declarations[Name] extends PCollectionView<infer T> ? T : never;
};

/**
 * The side input views.
 *
 * @example
 * ```ts
 * const total = numbers.apply(mr.combineGlobally(mr.combiners.sum()));
 * const shares = numbers.map((n, ctx) => n / ctx.sideInput("total"),
 *   { sideInputs: { total: mr.views.singleton(total) } });
 * ```
 */
export const views = {
  /** The single element of the collection (per window); `default` when it is empty; an error when it has more than one. */
  singleton<T>(pc: PCollection<T>, options: { default?: T } = {}): PCollectionView<T> {
    return new PCollectionView<T>(pc, "singleton", "default" in options ? { value: options.default } : undefined);
  },
  /** All elements, as an array. */
  iterable<T>(pc: PCollection<T>): PCollectionView<T[]> {
    return new PCollectionView<T[]>(pc, "iterable");
  },
  /** A `Map` from key to value; an error when a key has more than one value. */
  map<K, V>(pc: PCollection<KV<K, V>>): PCollectionView<Map<K, V>> {
    return new PCollectionView<Map<K, V>>(pc as PCollection<unknown>, "map");
  },
  /** A `Map` from key to all its values. */
  multimap<K, V>(pc: PCollection<KV<K, V>>): PCollectionView<Map<K, V[]>> {
    return new PCollectionView<Map<K, V[]>>(pc as PCollection<unknown>, "multimap");
  },
};
