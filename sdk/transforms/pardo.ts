import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { DoFnShape, SideInputSpec } from "../graph/primitive_spec";
import type { DoFnObject } from "./dofn";
import type { PCollectionView, SideInputDeclarations } from "./views";
import type { StateDeclarations } from "../state/state_specs";
import type { TimerDeclarations } from "../state/timer_specs";
import { outputTagNames, type OutputDeclarations, type OutputTypes } from "./output_tag";
import type { Coder } from "../../portability/coders/coder";
import { coders } from "../../portability/coders";
import type { PrimitiveSpec } from "../graph/primitive_spec";
import type { StateSpec } from "../state/state_specs";
import type { TimerSpec } from "../state/timer_specs";
import { kvCoderOf } from "./group_by_key";
import { isSplittableDoFn, type SplittableDoFnObject } from "./splittable/splittable_dofn";
import { DEFAULT_RESTRICTION_CODER } from "./splittable/restriction_coder";

/** Options of a ParDo; `V` are its side input views. */
export interface ParDoOptions<V extends SideInputDeclarations = SideInputDeclarations> {
  /** Side inputs, readable in `process` as `ctx.sideInput(name)` (typed by the view). */
  readonly sideInputs?: V;
}

/** Options of a ParDo with additional outputs. */
export interface MultiOutputParDoOptions<
  O extends OutputDeclarations = OutputDeclarations,
  V extends SideInputDeclarations = SideInputDeclarations,
> extends ParDoOptions<V> {
  /**
   * The additional outputs; emit to them with `ctx.outputTo(tag, v)`. Tag
   * names (`["errors"]`, elements `unknown`) or typed tags
   * (`{ errors: mr.outputTag<string>() }`).
   */
  readonly outputs: O;
}

/** The outputs of a multi-output ParDo: `main` plus one collection per declared output, typed by its tag. */
export type TaggedOutputs<Out, O extends OutputDeclarations> = {
  /** The main output: what `ctx.output` emits. */
  main: PCollection<Out>;
} & { [T in keyof OutputTypes<O>]: PCollection<OutputTypes<O>[T]> };

/**
 * What a ParDo's DoFn declares, assembled by `parDo` from the DoFn's fields
 * and the options, so that its context is typed by them.
 */
export interface ParDoDeclarations<S, T, V, O> {
  /** The DoFn's `state` field. */
  readonly state: S;
  /** The DoFn's `timers` field. */
  readonly timers: T;
  /** The `sideInputs` option. */
  readonly sideInputs: V;
  /** The `outputs` option. */
  readonly outputs: O;
}

/** @internal Everything needed to apply a ParDo primitive. */
export interface ParDoDeclaration {
  readonly fn: unknown;
  readonly shape: DoFnShape;
  readonly sideInputs?: Readonly<Record<string, PCollectionView<unknown>>>;
  readonly additionalOutputs?: readonly string[];
  readonly mainCoder?: Coder<unknown>;
  /** Overrides boundedness of the outputs (a source that never ends makes them unbounded). */
  readonly outputIsBounded?: boolean;
  /** The main output has the input's elements (filter, withTimestamps): keep the input's coder. */
  readonly keepsInputCoder?: boolean;
  readonly allowsTimestampSkew?: boolean;
  readonly allowedTimestampSkewMs?: number;
  /** The restriction coder of a splittable DoFn. */
  readonly restrictionCoder?: Coder<unknown>;
  /** A Create's number of values, when known where the pipeline is built (see `CreateSource`). */
  readonly createCount?: number;
}

/** @internal Declares the ParDo primitive for the transform being expanded; returns its outputs by tag. */
export function declareParDo(input: PCollection<unknown>, decl: ParDoDeclaration): Record<string, PCollection<unknown>> {
  const p = input.pipeline;
  const stateful = statefulParts(input, decl);
  const fnRef = p._registerUserCode("fn", decl.fn);
  const sideInputs: Record<string, SideInputSpec> = {};
  for (const [name, view] of Object.entries(decl.sideInputs ?? {})) {
    if (view.pcollection.pipeline !== p) throw new Error(`side input '${name}' belongs to another pipeline`);
    const defaultRef = view.defaultValue ? p._registerUserCode(`sideInput:${name}:default`, view.defaultValue.value) : undefined;
    sideInputs[name] = { pcollection: view.pcollection, view: view.kind, ...(defaultRef ? { defaultRef } : {}) };
  }
  const additional = decl.additionalOutputs ?? [];
  const seen = new Set<string>(["main"]);
  for (const tag of additional) {
    if (seen.has(tag)) throw new Error(`output tag '${tag}' is declared twice (or is 'main', which is reserved)`);
    seen.add(tag);
  }
  const outputs: Record<string, { coder: Coder<unknown>; windowing: typeof input.windowing; isBounded: boolean }> = {
    main: {
      coder: decl.keepsInputCoder ? input.coder : (decl.mainCoder ?? coders.jsValue()),
      windowing: input.windowing,
      isBounded: decl.outputIsBounded ?? input.isBounded,
    },
  };
  for (const tag of additional) outputs[tag] = { coder: coders.jsValue(), windowing: input.windowing, isBounded: input.isBounded };
  return p._declarePrimitive(
    {
      kind: "pardo",
      fnRef,
      shape: decl.shape,
      sideInputs,
      additionalOutputs: additional,
      ...(decl.allowsTimestampSkew ? { allowsTimestampSkew: true } : {}),
      ...(decl.allowedTimestampSkewMs ? { allowedTimestampSkewMs: decl.allowedTimestampSkewMs } : {}),
      ...(decl.restrictionCoder ? { restrictionCoder: decl.restrictionCoder } : {}),
      ...(decl.createCount !== undefined ? { createCount: decl.createCount } : {}),
      ...stateful,
    },
    outputs,
  );
}

/**
 * The state and timer declarations of a stateful DoFn, checked: state and
 * timers need KV input (they are per key), every timer needs its `onTimer`
 * callback, and every declaration must be of the right kind.
 */
function statefulParts(
  input: PCollection<unknown>,
  decl: ParDoDeclaration,
): Pick<Extract<PrimitiveSpec, { kind: "pardo" }>, "state" | "timers" | "keyCoder"> {
  const fn = decl.fn as
    { state?: Record<string, unknown>; timers?: Record<string, unknown>; onTimer?: Record<string, unknown> } | undefined;
  const stateDecl = fn?.state ?? {};
  const timerDecl = fn?.timers ?? {};
  if (Object.keys(stateDecl).length === 0 && Object.keys(timerDecl).length === 0) return {};
  const p = input.pipeline;
  const where = `stateful DoFn of '${p._currentTransform.uniqueName}'`;
  let keyCoder: Coder<unknown>;
  try {
    keyCoder = kvCoderOf(input).key;
  } catch (e) {
    throw new Error(`${where}: state and timers are per key, so the input must be KV elements (${(e as Error).message})`, { cause: e });
  }
  const state: Record<string, { spec: StateSpec; combineFnRef?: string }> = {};
  for (const [name, spec] of Object.entries(stateDecl)) {
    const s = spec as StateSpec;
    if (!s || !["value", "bag", "combining", "map", "set", "orderedList"].includes((s as { kind?: string }).kind ?? "")) {
      throw new TypeError(`${where}: state '${name}' is not a state declaration (use mr.state.value(), .bag(), ...)`);
    }
    state[name] =
      s.kind === "combining" ? { spec: s, combineFnRef: p._registerUserCode(`state:${name}:combineFn`, s.combineFn) } : { spec: s };
  }
  const timers: Record<string, TimerSpec> = {};
  for (const [name, spec] of Object.entries(timerDecl)) {
    const t = spec as TimerSpec;
    if (!t || t.kind !== "timer")
      throw new TypeError(`${where}: timer '${name}' is not a timer declaration (use mr.timers.eventTime() or .processingTime())`);
    if (typeof fn?.onTimer?.[name] !== "function")
      throw new Error(`${where}: timer '${name}' has no callback: add onTimer: { ${name}(ctx) { ... } }`);
    timers[name] = t;
  }
  return { state, timers, keyCoder };
}

/** @internal A single-output ParDo transform with a readable default name. */
export class ParDoTransform<In, Out> extends PTransform<PCollection<In>, PCollection<Out>> {
  constructor(
    private readonly name: string,
    private readonly decl: ParDoDeclaration,
  ) {
    super();
  }
  override defaultName(): string {
    return this.name;
  }
  expand(input: PCollection<In>): PCollection<Out> {
    return declareParDo(input as PCollection<unknown>, this.decl).main as PCollection<Out>;
  }
}

class MultiOutputParDo<In, Out, O extends OutputDeclarations> extends PTransform<PCollection<In>, TaggedOutputs<Out, O>> {
  constructor(private readonly decl: ParDoDeclaration) {
    super();
  }
  override defaultName(): string {
    return "ParDo";
  }
  expand(input: PCollection<In>): TaggedOutputs<Out, O> {
    return declareParDo(input as PCollection<unknown>, this.decl) as TaggedOutputs<Out, O>;
  }
}

/**
 * The general element-wise transform: runs a {@link DoFn} on every element.
 * Without `outputs` it returns the main output; with `outputs` it returns
 * `{ main, ...tags }`.
 *
 * The DoFn's context is typed by what it declares: `ctx.state.<name>` and
 * `ctx.timers.<name>` by its `state` and `timers` fields, `ctx.sideInput(name)`
 * by the `sideInputs` views, `ctx.outputTo(tag, v)` and the tagged collections
 * by `outputs`. Let TypeScript infer the type arguments (annotate the element,
 * and say the output type with a return type, a typed variable or the
 * iterable `process` returns): explicit type arguments stop the inference,
 * and a context then has no state, timers, side inputs or tags.
 *
 * @example
 * ```ts
 * const { main, errors } = lines.apply(mr.parDo({
 *   process(line: string, ctx) { line.startsWith("#") ? ctx.outputTo("errors", line) : ctx.output(line.length); },
 * }, { outputs: { errors: mr.outputTag<string>() } }));
 * ```
 */
export function parDo<
  In,
  Out,
  const O extends OutputDeclarations,
  S extends StateDeclarations = {},
  T extends TimerDeclarations = {},
  V extends SideInputDeclarations = {},
>(
  doFn: DoFnObject<In, Out, ParDoDeclarations<S, T, V, O>>,
  options: MultiOutputParDoOptions<O, V>,
): PTransform<PCollection<In>, TaggedOutputs<Out, O>>;
export function parDo<In, Out, S extends StateDeclarations = {}, T extends TimerDeclarations = {}, V extends SideInputDeclarations = {}>(
  doFn: DoFnObject<In, Out, ParDoDeclarations<S, T, V, readonly []>>,
  options?: ParDoOptions<V>,
): PTransform<PCollection<In>, PCollection<Out>>;
export function parDo(
  // The overloads above type the DoFn; here it is only checked at run time.
  doFn: DoFnObject<any, any, any> | SplittableDoFnObject<any, any, any>,
  options: ParDoOptions & { outputs?: OutputDeclarations } = {},
): PTransform<PCollection<any>, unknown> {
  if (!doFn || typeof (doFn as { process?: unknown }).process !== "function") {
    throw new TypeError("parDo expects a DoFn: a class instance or an object with a process(element, ctx) method");
  }
  if (isSplittableDoFn(doFn)) return splittableParDo(doFn, undefined, options);
  const outputs = options.outputs === undefined ? undefined : outputTagNames(options.outputs);
  const decl: ParDoDeclaration = {
    fn: doFn,
    shape: "dofn",
    ...(options.sideInputs ? { sideInputs: options.sideInputs } : {}),
    ...(outputs ? { additionalOutputs: outputs } : {}),
  };
  if (outputs) return new MultiOutputParDo<unknown, unknown, OutputDeclarations>(decl);
  const name = (doFn as object).constructor && (doFn as object).constructor !== Object ? (doFn as object).constructor.name : "ParDo";
  return new ParDoTransform<unknown, unknown>(name || "ParDo", decl);
}

/**
 * A ParDo of a splittable DoFn ({@link SplittableDoFnObject}, or a
 * `SplittableDoFn` class instance). `mr.parDo` also applies a splittable
 * DoFn (it recognises one by its `initialRestriction` and `newTracker`);
 * this function types an object literal's restriction and context.
 *
 * @param givenName the transform's default name (else the DoFn's class name).
 *
 * @example
 * ```ts
 * const numbers = p.apply(mr.impulse()).apply(mr.splittableParDo({
 *   initialRestriction: () => new mr.OffsetRange(0, 100),
 *   newTracker: (r: mr.OffsetRange) => new mr.OffsetRangeTracker(r),
 *   process(_: Uint8Array, ctx: mr.SplittableProcessContext<number, mr.OffsetRange>) {
 *     for (let i = ctx.tracker.currentRestriction().from; ctx.tracker.tryClaim(i); i++) ctx.output(i);
 *   },
 * }));
 * ```
 */
export function splittableParDo<In, Out>(
  doFn: SplittableDoFnObject<In, Out, any, any>,
  givenName?: string,
  options: ParDoOptions & { outputs?: OutputDeclarations } = {},
): PTransform<PCollection<In>, PCollection<Out>> {
  const name =
    givenName ??
    ((doFn as object).constructor && (doFn as object).constructor !== Object ? (doFn as object).constructor.name : "SplittableParDo");
  const fn = doFn as { state?: object; timers?: object };
  if ((fn.state && Object.keys(fn.state).length > 0) || (fn.timers && Object.keys(fn.timers).length > 0))
    throw new TypeError(`splittable DoFn '${name}': state and timers are not supported on a splittable DoFn`);
  if (options.sideInputs && Object.keys(options.sideInputs).length > 0)
    throw new TypeError(`splittable DoFn '${name}': side inputs are not supported on a splittable DoFn`);
  if (options.outputs !== undefined)
    throw new TypeError(`splittable DoFn '${name}': additional outputs are not supported on a splittable DoFn`);
  if (doFn.boundedness !== undefined && doFn.boundedness !== "bounded" && doFn.boundedness !== "unbounded")
    throw new TypeError(`splittable DoFn '${name}': boundedness must be "bounded" or "unbounded", got ${JSON.stringify(doFn.boundedness)}`);
  if (doFn.newWatermarkEstimator !== undefined && typeof doFn.newWatermarkEstimator !== "function")
    throw new TypeError(`splittable DoFn '${name}': newWatermarkEstimator must be a function`);
  return new ParDoTransform<In, Out>(name || "SplittableParDo", {
    fn: doFn,
    shape: "splittable",
    restrictionCoder: doFn.restrictionCoder ?? DEFAULT_RESTRICTION_CODER,
    ...(doFn.boundedness === "unbounded" ? { outputIsBounded: false } : {}),
  });
}
