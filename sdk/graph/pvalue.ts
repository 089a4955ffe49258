import type { Pipeline } from "../pipeline";

/**
 * The input of a root transform: the pipeline itself, before any data.
 * `p.apply(mr.create([...]))` applies `create` to the pipeline's PBegin.
 */
export class PBegin {
  /** @internal */
  constructor(
    /** The pipeline that root transforms applied to this PBegin are added to. */
    readonly pipeline: Pipeline,
  ) {}
}
