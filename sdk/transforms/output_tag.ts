/**
 * Typed tags of a ParDo's additional outputs. `outputs: ["errors"]` declares
 * a tag whose elements are `unknown`; `outputs: { errors: mr.outputTag<string>() }`
 * also says what `ctx.outputTo("errors", v)` takes and what the `errors`
 * collection holds.
 */

/** An additional output of a ParDo whose elements are `T`; make one with {@link outputTag}. */
export interface OutputTag<T> {
  /** Marks an output tag. */
  readonly kind: "outputTag";
  /** @internal Type marker, never set. */
  readonly _elementType?: T;
}

/**
 * Declares an additional output whose elements are `T`, for a ParDo's `outputs` option.
 *
 * @example
 * ```ts
 * const { main, errors } = lines.apply(mr.parDo({
 *   process(line: string, ctx) { line.startsWith("#") ? ctx.outputTo("errors", line) : ctx.output(line.length); },
 * }, { outputs: { errors: mr.outputTag<string>() } }));
 * ```
 */
export function outputTag<T>(): OutputTag<T> {
  return { kind: "outputTag" };
}

/** The `outputs` option of a ParDo: tag names (elements `unknown`), or typed tags by name. */
export type OutputDeclarations = readonly string[] | Readonly<Record<string, OutputTag<unknown>>>;

/** The element type of each declared additional output, by tag. */
export type OutputTypes<Declarations> = [Declarations] extends [readonly (infer Tag extends string)[]]
  ? { readonly [T in Tag]: unknown }
  : { readonly [T in keyof Declarations]: Declarations[T] extends OutputTag<infer E> ? E : never };

/** @internal The tag names of an `outputs` option, in declaration order. */
export function outputTagNames(declarations: OutputDeclarations): string[] {
  if (Array.isArray(declarations)) return [...(declarations as readonly string[])];
  const names = Object.keys(declarations);
  for (const name of names) {
    const tag = (declarations as Record<string, { kind?: unknown } | undefined>)[name];
    if (tag?.kind !== "outputTag") throw new TypeError(`output '${name}' is not an output tag (use mr.outputTag<T>())`);
  }
  return names;
}
