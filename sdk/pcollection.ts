import type { Coder } from "../portability/coders/coder";
import type { Pipeline } from "./pipeline";
import type { PTransform } from "./ptransform";
import type { TransformNode } from "./graph/transform_node";
import type { WindowingStrategy } from "./windowing/windowing_strategy";
import type { ElementFn } from "./transforms/transform_context";
import type { SideInputDeclarations } from "./transforms/views";
import { map, flatMap, filter, type ElementWiseOptions } from "./transforms/element_wise";

/**
 * A distributed, immutable collection of elements of type `T`: the output of
 * one transform and the input of others. Build new collections by applying
 * transforms: `pcoll.apply(mr.groupByKey())`, or the shortcuts `map`,
 * `flatMap` and `filter`.
 *
 * @example
 * ```ts
 * const lengths = words.map((w) => w.length);
 * ```
 */
export class PCollection<T> {
  /** @internal */
  _coder: Coder<T>;
  /** @internal Whether the coder was set by the user (then it is never replaced by inference). */
  _coderIsExplicit = false;

  /** @internal */
  constructor(
    /** The pipeline this collection belongs to. */
    readonly pipeline: Pipeline,
    /** @internal The transform that produces it. */
    readonly producer: TransformNode,
    /** The producer's output tag ("main" for the main output). */
    readonly tag: string,
    coder: Coder<T>,
    /** How its elements are windowed and triggered. */
    readonly windowing: WindowingStrategy,
    /** False for collections fed by an unbounded source. */
    readonly isBounded: boolean,
  ) {
    this._coder = coder;
  }

  /** A stable id, unique in the pipeline: the producer's unique name and the tag. */
  get id(): string {
    return `${this.producer.uniqueName}.${this.tag}`;
  }

  /** The coder its elements are encoded with between steps. */
  get coder(): Coder<T> {
    return this._coder;
  }

  /**
   * Sets the coder of this collection's elements, replacing the inferred one.
   * Returns the collection, for chaining. Any coder is accepted (e.g. the
   * varint coder, which decodes large values as `bigint`, for a collection of
   * numbers); the direct runner checks that every element survives it.
   *
   * @example
   * ```ts
   * pairs.setCoder(mr.coders.kv(mr.coders.stringUtf8(), mr.coders.varint()));
   * ```
   */
  setCoder(coder: Coder<any>): this {
    this._coder = coder as Coder<T>;
    this._coderIsExplicit = true;
    return this;
  }

  /** Applies a transform to this collection. */
  apply<Out>(transform: PTransform<PCollection<T>, Out>): Out;
  /** Applies a transform under a given name (unique among its siblings). */
  apply<Out>(name: string, transform: PTransform<PCollection<T>, Out>): Out;
  apply<Out>(nameOrTransform: string | PTransform<PCollection<T>, Out>, maybeTransform?: PTransform<PCollection<T>, Out>): Out {
    return typeof nameOrTransform === "string"
      ? this.pipeline._applyTransform(this, maybeTransform!, nameOrTransform)
      : this.pipeline._applyTransform(this, nameOrTransform, undefined);
  }

  /** Shortcut for `apply(mr.map(fn))`. */
  map<O, V extends SideInputDeclarations = {}>(fn: ElementFn<T, O, V>, options?: ElementWiseOptions<V>): PCollection<O> {
    return this.apply(map(fn, options));
  }

  /** Shortcut for `apply(mr.flatMap(fn))`. */
  flatMap<O, V extends SideInputDeclarations = {}>(fn: ElementFn<T, Iterable<O>, V>, options?: ElementWiseOptions<V>): PCollection<O> {
    return this.apply(flatMap(fn, options));
  }

  /** Shortcut for `apply(mr.filter(fn))`. */
  filter<V extends SideInputDeclarations = {}>(fn: ElementFn<T, boolean, V>, options?: ElementWiseOptions<V>): PCollection<T> {
    return this.apply(filter(fn, options));
  }
}
