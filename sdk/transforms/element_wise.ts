import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { ElementFn, TransformContext } from "./transform_context";
import type { PCollectionView, SideInputDeclarations } from "./views";
import { ParDoTransform } from "./pardo";
import { kv, type KV } from "../../model/kv";

/** Options of map, flatMap and filter; `V` are their side input views. */
export interface ElementWiseOptions<V extends SideInputDeclarations = SideInputDeclarations> {
  /** Side inputs, readable as `ctx.sideInput(name)` (typed by the view). */
  readonly sideInputs?: V;
}

function named(base: string, fn: { readonly name: string }): string {
  return fn.name && fn.name !== base.toLowerCase() ? `${base}(${fn.name})` : base;
}

function checkFn(what: string, fn: unknown): void {
  if (typeof fn !== "function") throw new TypeError(`${what} expects a function, got ${typeof fn}`);
}

/**
 * One output per input element.
 *
 * @example
 * ```ts
 * words.apply(mr.map((w) => w.toUpperCase()));
 * ```
 */
export function map<In, Out, V extends SideInputDeclarations = {}>(
  fn: ElementFn<In, Out, V>,
  options: ElementWiseOptions<V> = {},
): PTransform<PCollection<In>, PCollection<Out>> {
  checkFn("map", fn);
  return new ParDoTransform<In, Out>(named("Map", fn), { fn, shape: "map", ...sideInputsOf(options) });
}

/**
 * Zero or more outputs per input element, from the iterable `fn` returns.
 *
 * @example
 * ```ts
 * lines.apply(mr.flatMap((line) => line.split(" ")));
 * ```
 */
export function flatMap<In, Out, V extends SideInputDeclarations = {}>(
  fn: ElementFn<In, Iterable<Out>, V>,
  options: ElementWiseOptions<V> = {},
): PTransform<PCollection<In>, PCollection<Out>> {
  checkFn("flatMap", fn);
  return new ParDoTransform<In, Out>(named("FlatMap", fn), { fn, shape: "flatMap", ...sideInputsOf(options) });
}

/**
 * Keeps the elements for which `fn` returns true.
 *
 * @example
 * ```ts
 * words.apply(mr.filter((w) => w.length > 3));
 * ```
 */
export function filter<T, V extends SideInputDeclarations = {}>(
  fn: ElementFn<T, boolean, V>,
  options: ElementWiseOptions<V> = {},
): PTransform<PCollection<T>, PCollection<T>> {
  checkFn("filter", fn);
  return new ParDoTransform<T, T>(named("Filter", fn), { fn, shape: "filter", keepsInputCoder: true, ...sideInputsOf(options) });
}

/**
 * Pairs each element with a key computed from it: `T -> KV<K, T>`.
 *
 * @example
 * ```ts
 * const byLength = words.apply(mr.withKeys((w: string) => w.length));   // KV<number, string>
 * ```
 */
export function withKeys<T, K>(keyFn: (element: T) => K): PTransform<PCollection<T>, PCollection<KV<K, T>>> {
  checkFn("withKeys", keyFn);
  return new ParDoTransform<T, KV<K, T>>("WithKeys", { fn: (el: T) => kv(keyFn(el), el), shape: "map" });
}

/**
 * The keys of KV elements.
 *
 * @example
 * ```ts
 * const customers = ordersByCustomer.apply(mr.keys());   // KV<string, Order> -> string
 * ```
 */
export function keys<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<K>> {
  return new ParDoTransform<KV<K, V>, K>("Keys", { fn: (e: KV<K, V>) => e.key, shape: "map" });
}

/**
 * The values of KV elements.
 *
 * @example
 * ```ts
 * const orders = ordersByCustomer.apply(mr.values());   // KV<string, Order> -> Order
 * ```
 */
export function values<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<V>> {
  return new ParDoTransform<KV<K, V>, V>("Values", { fn: (e: KV<K, V>) => e.value, shape: "map" });
}

/** Swaps key and value: `KV<K, V> -> KV<V, K>`. */
export function kvSwap<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<V, K>>> {
  return new ParDoTransform<KV<K, V>, KV<V, K>>("KvSwap", { fn: (e: KV<K, V>) => kv(e.value, e.key), shape: "map" });
}

/** Options of {@link withTimestamps}. */
export interface WithTimestampsOptions {
  /** How far (ms) a new timestamp may be earlier than the element's current one (Beam's allowed timestamp skew); default 0. */
  readonly allowedSkewMs?: number;
  /** The same as `allowedSkewMs`, under Beam's name (`WithTimestamps.withAllowedTimestampSkew`). */
  readonly allowedTimestampSkewMs?: number;
}

/**
 * Sets each element's event time to `fn(element)` (ms since the epoch).
 * As in Beam, a timestamp may not move earlier than the element's current one
 * by more than `allowedSkewMs` (also accepted as `allowedTimestampSkewMs`, Beam's name).
 *
 * @example
 * ```ts
 * events.apply(mr.withTimestamps((e: { at: number }) => e.at));
 * ```
 */
export function withTimestamps<T>(
  fn: (element: T) => number,
  options: WithTimestampsOptions = {},
): PTransform<PCollection<T>, PCollection<T>> {
  checkFn("withTimestamps", fn);
  if (
    options.allowedSkewMs !== undefined &&
    options.allowedTimestampSkewMs !== undefined &&
    options.allowedSkewMs !== options.allowedTimestampSkewMs
  ) {
    throw new Error("withTimestamps: allowedSkewMs and allowedTimestampSkewMs are the same option; give one");
  }
  const skew = options.allowedSkewMs ?? options.allowedTimestampSkewMs ?? 0;
  if (!(skew >= 0)) throw new RangeError(`allowedSkewMs must be >= 0, got ${String(skew)}`);
  return new ParDoTransform<T, T>("WithTimestamps", {
    keepsInputCoder: true,
    ...(skew > 0 ? { allowedTimestampSkewMs: skew } : {}),
    fn: {
      process(el: T, ctx: TransformContext) {
        ctx.outputWithTimestamp(el, fn(el));
      },
    },
    shape: "dofn",
  });
}

function sideInputsOf(options: ElementWiseOptions): { sideInputs?: Readonly<Record<string, PCollectionView<unknown>>> } {
  return options.sideInputs ? { sideInputs: options.sideInputs } : {};
}
