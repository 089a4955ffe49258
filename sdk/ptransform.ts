/**
 * A step of a pipeline: takes an input (a PCollection, several, or the
 * pipeline's {@link PBegin}) and produces an output. Subclass it and write
 * `expand` to build a composite out of other transforms.
 *
 * @example
 * ```ts
 * class CountWords extends mr.PTransform<mr.PCollection<string>, mr.PCollection<mr.KV<string, number>>> {
 *   expand(lines: mr.PCollection<string>) {
 *     return lines.flatMap((l) => l.split(/\W+/)).apply(mr.countPerElement());
 *   }
 * }
 * ```
 */
export abstract class PTransform<In, Out> {
  /** The name used when none is given at `apply`; defaults to the class name. */
  defaultName(): string {
    return this.constructor.name || "Transform";
  }

  /** Builds the output from the input by applying other transforms (or, for primitives, by declaring outputs). */
  abstract expand(input: In): Out;
}

/**
 * A composite transform from a function.
 *
 * @example
 * ```ts
 * const extractWords = mr.ptransform("ExtractWords", (lines: mr.PCollection<string>) =>
 *   lines.flatMap((l) => l.split(/\s+/)).filter((w) => w.length > 0));
 * ```
 */
export function ptransform<In, Out>(name: string, expand: (input: In) => Out): PTransform<In, Out> {
  return new (class extends PTransform<In, Out> {
    override defaultName(): string {
      return name;
    }
    expand(input: In): Out {
      return expand(input);
    }
  })();
}
