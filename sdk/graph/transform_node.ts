import type { PCollection } from "../pcollection";
import type { PrimitiveSpec } from "./primitive_spec";

/**
 * One applied transform in the pipeline graph: a composite with parts, or a
 * primitive with a spec. Its unique name is the path of names from the root,
 * joined by `/`, as in Beam.
 */
export class TransformNode {
  /** Sub-transforms, in application order. */
  readonly parts: TransformNode[] = [];
  /** Named inputs (main inputs only; side inputs live in the spec). */
  inputs: Record<string, PCollection<unknown>> = {};
  /** Named outputs. */
  outputs: Record<string, PCollection<unknown>> = {};
  /** What the transform is, for primitives and composites with a standard URN. */
  spec: PrimitiveSpec | undefined;
  /** Names of direct children, to keep them unique. */
  readonly childNames = new Set<string>();

  constructor(
    readonly uniqueName: string,
    readonly localName: string,
    readonly parent: TransformNode | undefined,
  ) {}

  /** True for the invisible root that holds the top-level transforms. */
  get isRoot(): boolean {
    return this.parent === undefined;
  }
}
