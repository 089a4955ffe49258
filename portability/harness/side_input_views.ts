/**
 * Side inputs: how the elements of a side PCollection become the value a
 * DoFn reads (singleton, iterable, map, multimap), and which side window a
 * main-input window reads (Beam's default window mapping).
 */
import { maxTimestampOf, type BoundedWindow } from "../../model/windows";
import { assignWindows } from "../windowing/window_fns";
import type { ViewKind } from "../../sdk/graph/primitive_spec";
import type { KV } from "../../model/kv";
import { previewValue } from "../values/preview";
import type { PipelineModel } from "../pipeline_model";
import { windowFnFromProto } from "../windowing/windowing_from_proto";

/** How a side input's windows are assigned, enough to map a main window onto them. */
export type SideWindowFn =
  | { readonly kind: "global" }
  | { readonly kind: "fixed"; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: "sliding"; readonly sizeMs: number; readonly periodMs: number; readonly offsetMs: number };

/**
 * Beam's default mapping: the side window that contains the main window's
 * last timestamp (the latest one, for sliding windows; the global window
 * when the side input is globally windowed).
 */
export function mapToSideWindow(mainWindow: BoundedWindow, side: SideWindowFn): BoundedWindow {
  return assignWindows(side, maxTimestampOf(mainWindow))[0]!;
}

/**
 * When the side window `mainWindow` reads through `side` is complete: once
 * the side input's watermark is past this time (the end of that side window)
 * its contents are final, and main-input elements of `mainWindow` may read
 * it. (Beam materializes views through a grouping, whose first pane arrives
 * at that point under the default trigger.) Every runner waits by this rule,
 * through `SideInputPushback`.
 */
export function sideWindowCompleteAfter(mainWindow: BoundedWindow, side: SideWindowFn): number {
  return maxTimestampOf(mapToSideWindow(mainWindow, side));
}

/** Thrown when a side input's contents do not fit its view. */
export class SideInputViewError extends Error {
  override readonly name = "SideInputViewError";
}

/** Builds a view's value from the side input elements of one window. */
export function buildView(
  kind: ViewKind,
  values: readonly unknown[],
  name: string,
  defaultValue: { value: unknown } | undefined,
  keyIdentity: (key: unknown) => unknown,
): unknown {
  switch (kind) {
    case "iterable":
      return values;
    case "singleton":
      if (values.length === 1) return values[0];
      if (values.length === 0) {
        if (defaultValue) return defaultValue.value;
        throw new SideInputViewError(
          `singleton side input '${name}' is empty and has no default (use mr.views.singleton(pc, { default }))`,
        );
      }
      throw new SideInputViewError(
        `singleton side input '${name}' has ${values.length} elements, expected one: ${previewValue(values.slice(0, 5))}`,
      );
    case "map":
    case "multimap": {
      // Keys are compared by value: equal keys (by encoding) map to one entry.
      const byIdentity = new Map<unknown, unknown>();
      const out = new Map<unknown, unknown>();
      for (const v of values) {
        const kv = v as KV<unknown, unknown>;
        const id = keyIdentity(kv.key);
        const existingKey = byIdentity.has(id) ? byIdentity.get(id) : undefined;
        if (kind === "map") {
          if (byIdentity.has(id)) {
            throw new SideInputViewError(
              `map side input '${name}' has several values for key ${previewValue(kv.key)}; use mr.views.multimap`,
            );
          }
          byIdentity.set(id, kv.key);
          out.set(kv.key, kv.value);
        } else if (byIdentity.has(id)) {
          (out.get(existingKey) as unknown[]).push(kv.value);
        } else {
          byIdentity.set(id, kv.key);
          out.set(kv.key, [kv.value]);
        }
      }
      return out;
    }
  }
}

/** The side window fn of a PCollection, from its windowing strategy. */
export function sideWindowFnOf(model: PipelineModel, pcollectionId: string): SideWindowFn {
  const fn = windowFnFromProto(model.windowingOf(pcollectionId).windowFn!);
  if (fn.kind === "sessions") {
    throw new Error(`side input '${pcollectionId}' uses session windows, which cannot be a side input (Beam forbids merging windows here)`);
  }
  return fn;
}
