import type { CreateSource } from "../../sdk/transforms/create";
import { MIN_TIMESTAMP } from "../../model/time";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import { NO_FIRING } from "../../model/pane";
import type { ElementReceiver } from "./element_receiver";

/**
 * Emits a Create's values from index `from` (inclusive) to `to` (exclusive):
 * runners split a Create into such ranges to make bundles or parallel splits.
 */
export function emitCreateRange(source: CreateSource, from: number, to: number, out: ElementReceiver): void {
  const values = source.values;
  if (source.timestamped) {
    for (let i = from; i < to; i++) {
      const item = values[i] as { value: unknown; timestamp: number };
      out.receive(item.value, item.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
    }
  } else {
    for (let i = from; i < to; i++) out.receive(values[i], MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
  }
}

/** Checks that a user-code reference resolved to Create values. */
export function asCreateSource(x: unknown, transform: string): CreateSource {
  const s = x as CreateSource;
  if (!s || !Array.isArray(s.values) || typeof s.timestamped !== "boolean") {
    throw new Error(`internal: '${transform}' does not refer to Create values`);
  }
  return s;
}
