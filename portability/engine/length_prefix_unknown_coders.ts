/**
 * Unknown coders length-prefixed for an engine, as Beam's Python SDK does
 * before submission (`length_prefix_unknown_coders`): an engine (Prism,
 * Flink's or Spark's job server) decodes only Beam's standard coders, but it
 * must still split a stream of elements into elements, take the key out of a
 * KV to group it, and hold side-input values. A millrace coder
 * (`millrace:coder:js_value:v1`, a user's `millrace:coder:user:v1`, ...) inside
 * a PCollection's coder is wrapped in `beam:coder:length_prefix:v1`, so the
 * engine reads it as opaque bytes of a known length and the SDK harness,
 * which gets the wrapped coder in its bundle descriptors, reads and writes
 * the same bytes.
 *
 * Every PCollection is rewritten, not only those at the edges of today's
 * stages: the engine, not the SDK, decides where it cuts stages, so any
 * PCollection can end up on the data plane or in a GroupByKey.
 *
 * @module
 */
import type { Coder, Components } from "../proto/messages";
import { CoderUrns } from "../urns";

/** Beam's standard coders: every engine knows them (Beam's `ModelCoders`). */
const MODEL_CODER_URNS: ReadonlySet<string> = new Set(Object.values(CoderUrns));

/** The suffix of the id of a coder made here (`<original id>:length_prefixed`). */
export const LENGTH_PREFIXED_SUFFIX = ":length_prefixed";

/** The suffix of the id of the copy of an unknown coder that a length prefix wraps. */
export const WRAPPED_SUFFIX = ":inside_length_prefix";

/**
 * Rewrites `components` in place: each PCollection's coder becomes one
 * in which every coder unknown to the engine is wrapped in a length prefix.
 * Coders with no unknown part keep their id; coders made here are added
 * under `<id>:length_prefixed`. Returns the number of PCollections whose
 * coder changed.
 */
export function lengthPrefixUnknownCoders(components: Components): number {
  const rewritten = new Map<string, string>();
  let changed = 0;
  for (const pc of Object.values(components.pcollections)) {
    const id = lengthPrefixedCoderId(components.coders, pc.coderId, rewritten);
    if (id !== pc.coderId) {
      pc.coderId = id;
      changed++;
    }
  }
  return changed;
}

/**
 * The id of `coderId` with its unknown parts length-prefixed, adding the
 * coders it needs to `coders`; `coderId` itself when nothing is unknown.
 */
export function lengthPrefixedCoderId(coders: Record<string, Coder>, coderId: string, memo = new Map<string, string>()): string {
  const known = memo.get(coderId);
  if (known !== undefined) return known;
  const coder = coders[coderId];
  if (coder === undefined) throw new Error(`coder '${coderId}' is referenced but not defined in the pipeline`);
  const urn = coder.spec?.urn ?? "";
  let result = coderId;
  if (urn === CoderUrns.LENGTH_PREFIX) {
    // Already opaque to the engine.
  } else if (!MODEL_CODER_URNS.has(urn)) {
    // The prefix wraps a copy of the coder under an id of its own: Prism, building a stage, copies a
    // length prefix's component into the stage's coders as it is and from then on takes every coder
    // already there for one it has made safe, so a combine's accumulator coder or a state coder that is
    // the same unknown coder would reach it unprefixed (and Prism fails: "unknown coder urn key").
    const inside = addCoder(coders, `${coderId}${WRAPPED_SUFFIX}`, {
      spec: coder.spec,
      componentCoderIds: [...coder.componentCoderIds],
    } as Coder);
    result = addCoder(coders, `${coderId}${LENGTH_PREFIXED_SUFFIX}`, {
      spec: { urn: CoderUrns.LENGTH_PREFIX, payload: new Uint8Array(0) },
      componentCoderIds: [inside],
    } as Coder);
  } else {
    const components = coder.componentCoderIds.map((c) => lengthPrefixedCoderId(coders, c, memo));
    if (components.some((c, i) => c !== coder.componentCoderIds[i])) {
      result = addCoder(coders, `${coderId}${LENGTH_PREFIXED_SUFFIX}`, { spec: coder.spec, componentCoderIds: components } as Coder);
    }
  }
  memo.set(coderId, result);
  return result;
}

/** Adds `coder` under `id`, or under `id` with a counter when `id` is taken by another coder. */
function addCoder(coders: Record<string, Coder>, id: string, coder: Coder): string {
  let candidate = id;
  for (let n = 2; coders[candidate] !== undefined && !sameCoder(coders[candidate]!, coder); n++) candidate = `${id}${n}`;
  coders[candidate] = coder;
  return candidate;
}

function sameCoder(a: Coder, b: Coder): boolean {
  return (
    a.spec?.urn === b.spec?.urn &&
    Buffer.from(a.spec?.payload ?? []).equals(Buffer.from(b.spec?.payload ?? [])) &&
    a.componentCoderIds.length === b.componentCoderIds.length &&
    a.componentCoderIds.every((c, i) => c === b.componentCoderIds[i])
  );
}
