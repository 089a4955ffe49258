/**
 * Rebuilding coders from their portable description (URN, payload,
 * components), as a runner does when it reads a pipeline proto, plus the
 * constructors the SDK uses to pick coders.
 */
import type { Coder } from "./coder";
import { coderUrns } from "./urns";
import { BytesCoder } from "./standard/bytes";
import { StringUtf8Coder } from "./standard/string_utf8";
import { BoolCoder } from "./standard/bool";
import { VarIntCoder } from "./standard/varint";
import { DoubleCoder } from "./standard/double";
import { KVCoder } from "./standard/kv";
import { IterableCoder } from "./standard/iterable";
import { StateBackedIterableCoder, type StateReader } from "./standard/state_backed_iterable";
import { LengthPrefixCoder } from "./standard/length_prefix";
import { NullableCoder } from "./standard/nullable";
import { GlobalWindowCoder } from "./standard/global_window";
import { IntervalWindowCoder } from "./standard/interval_window";
import { CustomWindowCoder } from "./standard/custom_window";
import { WindowedValueCoder } from "./standard/windowed_value";
import { ParamWindowedValueCoder } from "./standard/param_windowed_value";
import { TimerCoder } from "./standard/timer";
import { ShardedKeyCoder } from "./standard/sharded_key";
import { RowCoder } from "./standard/row";
import { JS_VALUE_CODER } from "./js_value_coder";
import type { BoundedWindow } from "../../model/windows";

/** A coder as the Runner API describes it: URN, optional payload, component coders (already built). */
export interface CoderSpec {
  /** The coder's URN. */
  urn: string;
  /** The `FunctionSpec` payload, if any. */
  payload?: Uint8Array;
  /** Component coders, in proto order. */
  components: readonly Coder[];
}

/** Runner-side facilities some coders need while decoding. */
export interface CoderBuildOptions {
  /** Resolves state continuation tokens for `state_backed_iterable`. */
  stateReader?: StateReader;
}

/** Builds one coder from its payload and already-built components. */
export type CoderFactory = (spec: CoderSpec, options: CoderBuildOptions) => Coder;

/** A map from URN to {@link CoderFactory}. */
export class CoderRegistry {
  private readonly factories = new Map<string, CoderFactory>();
  private readonly componentCounts = new Map<string, number>();

  /**
   * Registers (or replaces) the factory for `urn`.
   *
   * @param componentCount how many component coders the URN takes, when fixed:
   *   lets a runner refuse a malformed pipeline before building anything.
   */
  register(urn: string, factory: CoderFactory, componentCount?: number): this {
    this.factories.set(urn, factory);
    if (componentCount === undefined) this.componentCounts.delete(urn);
    else this.componentCounts.set(urn, componentCount);
    return this;
  }

  /** How many component coders `urn` takes, or `undefined` when unknown or variable. */
  componentCount(urn: string): number | undefined {
    return this.componentCounts.get(urn);
  }

  /** True when a factory is registered for `urn`. */
  has(urn: string): boolean {
    return this.factories.has(urn);
  }

  /** The registered URNs, sorted. */
  urns(): string[] {
    return [...this.factories.keys()].sort();
  }

  /**
   * Builds the coder described by `spec`.
   * @throws Error naming the known URNs if `spec.urn` is unknown, or if the
   *   component count is wrong.
   */
  build(spec: CoderSpec, options: CoderBuildOptions = {}): Coder {
    const factory = this.factories.get(spec.urn);
    if (!factory) {
      throw new Error(`unknown coder urn "${spec.urn}"; known coder urns: ${this.urns().join(", ")}`);
    }
    return factory(spec, options);
  }
}

function withComponents(
  urn: string,
  n: number,
  build: (c: readonly Coder[], spec: CoderSpec, o: CoderBuildOptions) => Coder,
): CoderFactory & { componentCount: number } {
  const factory: CoderFactory = (spec, options) => {
    if (spec.components.length !== n) {
      throw new Error(`coder ${urn} needs ${n} component coder(s), got ${spec.components.length}`);
    }
    return build(spec.components, spec, options);
  };
  return Object.assign(factory, { componentCount: n });
}

function requirePayload(spec: CoderSpec): Uint8Array {
  if (!spec.payload) throw new Error(`coder ${spec.urn} needs a payload`);
  return spec.payload;
}

/** A registry holding every coder millrace implements. */
export function createDefaultCoderRegistry(): CoderRegistry {
  const registry = new CoderRegistry();
  // Every built-in coder has a fixed number of components: record it beside the factory.
  const r = {
    register(urn: string, factory: CoderFactory & { componentCount?: number }): void {
      registry.register(urn, factory, factory.componentCount);
    },
  };
  r.register(
    coderUrns.BYTES,
    withComponents(coderUrns.BYTES, 0, () => new BytesCoder()),
  );
  r.register(
    coderUrns.STRING_UTF8,
    withComponents(coderUrns.STRING_UTF8, 0, () => new StringUtf8Coder()),
  );
  r.register(
    coderUrns.BOOL,
    withComponents(coderUrns.BOOL, 0, () => new BoolCoder()),
  );
  r.register(
    coderUrns.VARINT,
    withComponents(coderUrns.VARINT, 0, () => new VarIntCoder()),
  );
  r.register(
    coderUrns.DOUBLE,
    withComponents(coderUrns.DOUBLE, 0, () => new DoubleCoder()),
  );
  r.register(
    coderUrns.KV,
    withComponents(coderUrns.KV, 2, ([k, v]) => new KVCoder(k, v)),
  );
  r.register(
    coderUrns.ITERABLE,
    withComponents(coderUrns.ITERABLE, 1, ([e]) => new IterableCoder(e)),
  );
  r.register(
    coderUrns.STATE_BACKED_ITERABLE,
    withComponents(coderUrns.STATE_BACKED_ITERABLE, 1, ([e], _s, o) => new StateBackedIterableCoder(e, o.stateReader)),
  );
  r.register(
    coderUrns.LENGTH_PREFIX,
    withComponents(coderUrns.LENGTH_PREFIX, 1, ([c]) => new LengthPrefixCoder(c)),
  );
  r.register(
    coderUrns.NULLABLE,
    withComponents(coderUrns.NULLABLE, 1, ([c]) => new NullableCoder(c)),
  );
  r.register(
    coderUrns.GLOBAL_WINDOW,
    withComponents(coderUrns.GLOBAL_WINDOW, 0, () => new GlobalWindowCoder()),
  );
  r.register(
    coderUrns.INTERVAL_WINDOW,
    withComponents(coderUrns.INTERVAL_WINDOW, 0, () => new IntervalWindowCoder()),
  );
  r.register(
    coderUrns.CUSTOM_WINDOW,
    withComponents(coderUrns.CUSTOM_WINDOW, 1, ([w]) => new CustomWindowCoder(w as Coder<BoundedWindow>)),
  );
  r.register(
    coderUrns.WINDOWED_VALUE,
    withComponents(coderUrns.WINDOWED_VALUE, 2, ([v, w]) => new WindowedValueCoder(v, w as Coder<BoundedWindow>)),
  );
  r.register(
    coderUrns.PARAM_WINDOWED_VALUE,
    withComponents(
      coderUrns.PARAM_WINDOWED_VALUE,
      2,
      ([v, w], spec) => new ParamWindowedValueCoder(v, w as Coder<BoundedWindow>, requirePayload(spec)),
    ),
  );
  r.register(
    coderUrns.TIMER,
    withComponents(coderUrns.TIMER, 2, ([k, w]) => new TimerCoder(k, w as Coder<BoundedWindow>)),
  );
  r.register(
    coderUrns.SHARDED_KEY,
    withComponents(coderUrns.SHARDED_KEY, 1, ([k]) => new ShardedKeyCoder(k)),
  );
  r.register(
    coderUrns.ROW,
    withComponents(coderUrns.ROW, 0, (_c, spec) => new RowCoder(requirePayload(spec))),
  );
  r.register(
    coderUrns.JS_VALUE,
    withComponents(coderUrns.JS_VALUE, 0, () => JS_VALUE_CODER),
  );
  return registry;
}

/** The registry runners use unless they need their own. */
export const defaultCoderRegistry: CoderRegistry = createDefaultCoderRegistry();

/** Builds a coder from its description with {@link defaultCoderRegistry}. */
export function buildCoder(spec: CoderSpec, options?: CoderBuildOptions): Coder {
  return defaultCoderRegistry.build(spec, options);
}

// Stateless coders are shared; the SDK asks for them per PCollection.
const BYTES = new BytesCoder();
const STRING_UTF8 = new StringUtf8Coder();
const BOOL = new BoolCoder();
const VARINT = new VarIntCoder();
const DOUBLE = new DoubleCoder();
const GLOBAL_WINDOW_CODER = new GlobalWindowCoder();
const INTERVAL_WINDOW_CODER = new IntervalWindowCoder();

/**
 * Constructors for the SDK.
 *
 * @example
 * ```ts
 * const c = coders.kv(coders.stringUtf8(), coders.iterable(coders.varint()));
 * ```
 */
export const coders = Object.freeze({
  /** {@link BytesCoder} */
  bytes: (): BytesCoder => BYTES,
  /** {@link StringUtf8Coder} */
  stringUtf8: (): StringUtf8Coder => STRING_UTF8,
  /** {@link BoolCoder} */
  bool: (): BoolCoder => BOOL,
  /** {@link VarIntCoder} */
  varint: (): VarIntCoder => VARINT,
  /** {@link DoubleCoder} */
  double: (): DoubleCoder => DOUBLE,
  /** {@link KVCoder} */
  kv: <K, V>(key: Coder<K>, value: Coder<V>): KVCoder<K, V> => new KVCoder(key, value),
  /** {@link IterableCoder} */
  iterable: <T>(element: Coder<T>): IterableCoder<T> => new IterableCoder(element),
  /** {@link StateBackedIterableCoder} */
  stateBackedIterable: <T>(element: Coder<T>, stateReader?: StateReader): StateBackedIterableCoder<T> =>
    new StateBackedIterableCoder(element, stateReader),
  /** {@link NullableCoder} */
  nullable: <T>(value: Coder<T>): NullableCoder<T> => new NullableCoder(value),
  /** {@link LengthPrefixCoder} */
  lengthPrefix: <T>(value: Coder<T>): LengthPrefixCoder<T> => new LengthPrefixCoder(value),
  /** {@link GlobalWindowCoder} */
  globalWindow: (): GlobalWindowCoder => GLOBAL_WINDOW_CODER,
  /** {@link IntervalWindowCoder} */
  intervalWindow: (): IntervalWindowCoder => INTERVAL_WINDOW_CODER,
  /** {@link CustomWindowCoder} */
  customWindow: <W extends BoundedWindow>(window: Coder<W>): CustomWindowCoder<W> => new CustomWindowCoder(window),
  /** {@link WindowedValueCoder} */
  windowedValue: <T>(value: Coder<T>, window: Coder<BoundedWindow>): WindowedValueCoder<T> => new WindowedValueCoder(value, window),
  /** {@link ParamWindowedValueCoder}; build the payload with `paramWindowedValuePayload`. */
  paramWindowedValue: <T>(value: Coder<T>, window: Coder<BoundedWindow>, payload: Uint8Array): ParamWindowedValueCoder<T> =>
    new ParamWindowedValueCoder(value, window, payload),
  /** {@link TimerCoder} */
  timer: <K>(key: Coder<K>, window: Coder<BoundedWindow>): TimerCoder<K> => new TimerCoder(key, window),
  /** {@link ShardedKeyCoder} */
  shardedKey: <K>(key: Coder<K>): ShardedKeyCoder<K> => new ShardedKeyCoder(key),
  /** {@link JsValueCoder}, the default for plain JS values. */
  jsValue: (): typeof JS_VALUE_CODER => JS_VALUE_CODER,
});
