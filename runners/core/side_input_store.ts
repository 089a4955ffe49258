/**
 * A {@link SideInputReader} over side input elements a runner has
 * materialized: groups them by window and builds each view once.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { SideInputReader } from "../../portability/harness/side_input_reader";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { WindowedValue } from "../../model/windowed_value";
import type { BoundedWindow } from "../../model/windows";
import { decodeJsonPayload, type ViewFnPayload } from "../../portability/payloads";
import { canonicalKey } from "../../portability/values/canonical_key";
import { buildView, mapToSideWindow, sideWindowFnOf } from "./side_input_views";
import { windowKey } from "../../model/windows";
import { LastWindowMemo } from "../../portability/windowing/last_window_memo";

/** Reads a materialized PCollection's elements, all of them. */
export type MaterializedElements = (pcollectionId: string) => Iterable<WindowedValue>;

export { sideWindowFnOf };

/** Builds the side input reader of ParDo `transformId`. */
export function sideInputReaderFor(
  model: PipelineModel,
  transformId: string,
  userCode: UserCodeSource,
  elements: MaterializedElements,
): SideInputReader {
  const payload = model.parDoPayload(transformId);
  const inputs = model.transform(transformId).inputs;
  /** Per side input, the view of the main window read last: consecutive elements mostly share their window. */
  const specs = new Map<string, { view: LastWindowMemo<unknown> }>();
  for (const [name, si] of Object.entries(payload.sideInputs)) {
    const pc = inputs[name]!;
    const view = decodeJsonPayload<ViewFnPayload>(si.viewFn!.payload, `view of side input '${name}'`);
    const sideFn = sideWindowFnOf(model, pc);
    specs.set(name, { view: new LastWindowMemo((mainWindow) => viewOf(name, pc, view, mapToSideWindow(mainWindow, sideFn))) });
  }
  const cache = new Map<string, unknown>();
  // Side input elements keep arriving while a streaming job runs (a window is
  // read once it is complete, later windows fill in later): the index by
  // window takes in new elements on each read instead of being built once.
  const indexes = new Map<string, { source: Iterable<WindowedValue>; indexed: number; byWindow: Map<string, unknown[]> }>();
  const valuesByWindow = (name: string, pc: string): Map<string, unknown[]> => {
    const all = elements(pc);
    let index = indexes.get(name);
    if (!index || index.source !== all || !Array.isArray(all)) {
      index = { source: all, indexed: 0, byWindow: new Map() };
      indexes.set(name, index);
    }
    const list = Array.isArray(all) ? (all as readonly WindowedValue[]) : [...all];
    for (let i = index.indexed; i < list.length; i++) {
      const wv = list[i]!;
      for (const w of wv.windows) {
        const k = windowKey(w);
        let values = index.byWindow.get(k);
        if (!values) index.byWindow.set(k, (values = []));
        values.push(wv.value);
      }
    }
    index.indexed = list.length;
    return index.byWindow;
  };
  /** The view of side input `name` (PCollection `pc`) in `sideWindow`, built once per side window. */
  const viewOf = (name: string, pc: string, view: ViewFnPayload, sideWindow: BoundedWindow): unknown => {
    const sideKey = windowKey(sideWindow);
    const cacheKey = `${name}\u0000${sideKey}`;
    if (cache.has(cacheKey)) return cache.get(cacheKey);
    const values = valuesByWindow(name, pc).get(sideKey) ?? [];
    const dflt = view.defaultRef !== undefined ? { value: userCode.lookup(view.defaultRef) } : undefined;
    const built = buildView(view.kind, values, name, dflt, canonicalKey);
    cache.set(cacheKey, built);
    return built;
  };
  return {
    get(name: string, mainWindow: BoundedWindow): unknown {
      const spec = specs.get(name);
      if (!spec) {
        const declared = [...specs.keys()].join(", ") || "none";
        throw new Error(`no side input named '${name}' in '${transformId}'; declared: ${declared}`);
      }
      // A view, once built, is its side window's for good (it is read only once complete): safe to remember.
      return spec.view.get(mainWindow);
    },
  };
}
