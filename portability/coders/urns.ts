/**
 * Coder URNs: Beam's standard ones (so pipelines stay readable by any Beam
 * runner) and millrace's own, which carry the `millrace:` prefix. Defined
 * once, in `portability/urns.ts`; this is the coders' view of them.
 */
import { CoderUrns, MillraceUrns } from "../urns";

/** URNs of every coder this package implements. */
export const coderUrns = Object.freeze({
  ...CoderUrns,
  JS_VALUE: MillraceUrns.JS_VALUE_CODER,
} as const);

/** Any URN in {@link coderUrns}. */
export type CoderUrn = (typeof coderUrns)[keyof typeof coderUrns];
