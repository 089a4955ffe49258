/**
 * Which PCollections an engine groups by key, marked for millrace's SDK
 * harness. The harness sees only its bundle's descriptor, not the
 * GroupByKey the engine runs after it; when an element on its way there is
 * not a KV, the error must blame the GroupByKey (what needs the KV, as on
 * every runner: `portability/harness/unencodable_element.ts`), so before
 * submission each PCollection read by a GroupByKey or combinePerKey carries
 * the reader's name as display data, which engines copy into descriptors
 * with the PCollection and otherwise ignore.
 *
 * @module
 */
import type { Pipeline, PCollection } from "../proto/messages";
import { TransformUrns } from "../urns";

/** The display data URN of the mark; its payload is the grouping transform's unique name, UTF-8. */
export const KEYED_CONSUMER_DISPLAY_DATA = "millrace:display_data:keyed_consumer:v1";

const KEYED_URNS: ReadonlySet<string> = new Set([TransformUrns.GROUP_BY_KEY, TransformUrns.COMBINE_PER_KEY]);

/** Marks, in place, each PCollection of `pipeline` that a GroupByKey or combinePerKey reads. */
export function markKeyedConsumers(pipeline: Pipeline): void {
  const components = pipeline.components!;
  for (const t of Object.values(components.transforms)) {
    if (!KEYED_URNS.has(t.spec?.urn ?? "")) continue;
    for (const id of Object.values(t.inputs)) {
      const pc = components.pcollections[id];
      if (pc === undefined || keyedConsumerMarked(pc) !== undefined) continue;
      pc.displayData = [
        ...(pc.displayData ?? []),
        { urn: KEYED_CONSUMER_DISPLAY_DATA, payload: new Uint8Array(Buffer.from(t.uniqueName, "utf8")) },
      ];
    }
  }
}

/** The GroupByKey (or combinePerKey) marked as reading `pcollection`, if any. */
export function keyedConsumerMarked(pcollection: Pick<PCollection, "displayData">): string | undefined {
  const mark = (pcollection.displayData ?? []).find((d) => d.urn === KEYED_CONSUMER_DISPLAY_DATA);
  return mark === undefined ? undefined : Buffer.from(mark.payload).toString("utf8");
}
