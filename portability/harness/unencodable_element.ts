/**
 * The one error every runner raises when an element cannot be encoded by its
 * PCollection's coder: the same words on direct, stream and micro-batch,
 * the coder's own message once (it already starts with the coder's URN),
 * the element attached, and a fix to try. A non-KV element on its way into
 * a GroupByKey is blamed on the GroupByKey, which is what needs the KV, not
 * on the transform that happened to produce it.
 */
import type { PipelineModel } from "../pipeline_model";
import { TransformUrns } from "../urns";
import { isKV } from "../../model/kv";
import { previewValue } from "../values/preview";
import { RunnerCheckError } from "./user_code_error";

/** Where an element failed to encode. */
export interface EncodingSite {
  /** The transform that output the element. */
  readonly producer: string;
  /** The PCollection it was output to. */
  readonly pcollection: string;
  /** The GroupByKey (or combinePerKey) reading the PCollection, if any: it needs KV elements. */
  readonly keyedConsumer?: string | undefined;
}

const KEYED_URNS: ReadonlySet<string> = new Set([TransformUrns.GROUP_BY_KEY, TransformUrns.COMBINE_PER_KEY]);

/** The transform reading `pcollection` that groups by key, if any, by its unique name. */
export function keyedConsumerOf(model: PipelineModel, pcollection: string): string | undefined {
  const direct = model.consumersOf(pcollection).find((id) => KEYED_URNS.has(model.transform(id).spec?.urn ?? ""));
  if (direct) return direct;
  // A combinePerKey the runner expands is a composite: look for one among all transforms reading the PCollection.
  for (const [id, t] of Object.entries(model.components.transforms)) {
    if (KEYED_URNS.has(t.spec?.urn ?? "") && Object.values(t.inputs).includes(pcollection)) return id;
  }
  return undefined;
}

/**
 * The error for a non-KV `value` reaching `grouping`, a transform that groups
 * by key; `from` names where it came from when the runner knows.
 */
export function notKeyedError(grouping: string, value: unknown, from?: EncodingSite, cause?: unknown): RunnerCheckError {
  const origin = from
    ? `, but '${from.producer}' output ${previewValue(value)} to ${from.pcollection}`
    : `, but got ${previewValue(value)}`;
  return new RunnerCheckError(
    grouping,
    `'${grouping}' groups by key and needs KV elements ({ key, value })${origin}: give the elements keys first (withKeys(...), or map(x => kv(key, x)))`,
    { ...(cause !== undefined ? { cause } : {}), element: { value } },
  );
}

/** The error for `value`, output at `site`, that its coder refused with `error`. */
export function unencodableElementError(site: EncodingSite, error: unknown, value: unknown): RunnerCheckError {
  const reason = error instanceof Error ? error.message : String(error);
  const element = { value };
  if (site.keyedConsumer && !isKV(value)) return notKeyedError(site.keyedConsumer, value, site, error);
  return new RunnerCheckError(
    site.producer,
    `an element output by '${site.producer}' to ${site.pcollection} cannot be encoded by its coder: ${reason}; element: ${previewValue(value)}. ` +
      `Convert it to a plain value in '${site.producer}' (e.g. a Date to date.getTime() or toISOString(), a Map to Object.fromEntries(map)), ` +
      `or give the PCollection a coder that handles it with .setCoder(...)`,
    { cause: error, element },
  );
}
