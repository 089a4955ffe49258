/**
 * Keyed state, in memory: the cells of every (key, window) namespace of a
 * stateful ParDo, with the user-facing API of each kind. Keys, map keys and
 * set members compare by their encoding, as everywhere in the model.
 */
import { identityOf } from "../../../portability/values/canonical_key";
import type {
  BagState,
  CombiningState,
  MapState,
  OrderedListState,
  SetState,
  TimestampedElement,
  ValueState,
} from "../../../sdk/state/state_specs";
import type { StateCellSpec } from "./state_cell_specs";



function valueCell(): ValueState<unknown> & { has(): boolean } {
  let set = false;
  let value: unknown;
  return {
    read: () => (set ? value : undefined),
    write: (v) => {
      value = v;
      set = true;
    },
    clear: () => {
      set = false;
      value = undefined;
    },
    has: () => set,
  };
}

function bagCell(): BagState<unknown> {
  let items: unknown[] = [];
  return {
    add: (v) => void items.push(v),
    read: () => items.slice(),
    isEmpty: () => items.length === 0,
    clear: () => void (items = []),
  };
}

function combiningCell(spec: Extract<StateCellSpec, { kind: "combining" }>): CombiningState<unknown, unknown> {
  const fn = spec.combineFn;
  let acc: unknown;
  let has = false;
  return {
    add: (v) => {
      acc = fn.addInput(has ? acc : fn.createAccumulator(), v);
      has = true;
    },
    read: () => fn.extractOutput(has ? acc : fn.createAccumulator()),
    isEmpty: () => !has,
    clear: () => {
      has = false;
      acc = undefined;
    },
  };
}

function mapCell(spec: Extract<StateCellSpec, { kind: "map" }>): MapState<unknown, unknown> {
  const entries = new Map<string, [unknown, unknown]>();
  return {
    get: (k) => entries.get(identityOf(spec.keyCoder, k))?.[1],
    put: (k, v) => void entries.set(identityOf(spec.keyCoder, k), [k, v]),
    remove: (k) => void entries.delete(identityOf(spec.keyCoder, k)),
    entries: () => [...entries.values()].map(([k, v]) => [k, v]),
    keys: () => [...entries.values()].map(([k]) => k),
    isEmpty: () => entries.size === 0,
    clear: () => entries.clear(),
  };
}

function setCell(spec: Extract<StateCellSpec, { kind: "set" }>): SetState<unknown> {
  const members = new Map<string, unknown>();
  return {
    add: (v) => void members.set(identityOf(spec.coder, v), v),
    has: (v) => members.has(identityOf(spec.coder, v)),
    remove: (v) => void members.delete(identityOf(spec.coder, v)),
    read: () => [...members.values()],
    isEmpty: () => members.size === 0,
    clear: () => members.clear(),
  };
}

function orderedListCell(): OrderedListState<unknown> {
  // Sorted by timestamp; equal timestamps keep insertion order.
  let items: TimestampedElement<unknown>[] = [];
  /** The first index whose timestamp is >= t (or > t when `after`). */
  const search = (t: number, after: boolean): number => {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ts = items[mid]!.timestamp;
      if (ts < t || (after && ts === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    add: (e) => {
      if (!e || typeof e.timestamp !== "number" || Number.isNaN(e.timestamp)) {
        throw new TypeError("orderedList.add expects { value, timestamp: number }");
      }
      items.splice(search(e.timestamp, true), 0, { value: e.value, timestamp: e.timestamp });
    },
    read: () => items.map((e) => ({ ...e })),
    readRange: (from, to) => items.slice(search(from, false), search(to, false)).map((e) => ({ ...e })),
    clearRange: (from, to) => {
      const start = search(from, false);
      items.splice(start, search(to, false) - start);
    },
    isEmpty: () => items.length === 0,
    clear: () => void (items = []),
  };
}

function newCell(spec: StateCellSpec): unknown {
  switch (spec.kind) {
    case "value":
      return valueCell();
    case "bag":
      return bagCell();
    case "combining":
      return combiningCell(spec);
    case "map":
      return mapCell(spec);
    case "set":
      return setCell(spec);
    case "orderedList":
      return orderedListCell();
  }
}

/** The state of one stateful ParDo: cells per namespace (key and window). */
export class KeyedStateStore {
  private readonly namespaces = new Map<string, Record<string, unknown>>();

  constructor(private readonly specs: ReadonlyMap<string, StateCellSpec>) {}

  /** The cells of namespace `ns` (an object with one property per declared state), created on first use. */
  cells(ns: string): Record<string, unknown> {
    let cells = this.namespaces.get(ns);
    if (!cells) {
      cells = {};
      for (const [name, spec] of this.specs) cells[name] = newCell(spec);
      this.namespaces.set(ns, Object.freeze(cells));
    }
    return cells;
  }

  /** Drops every cell of namespace `ns` (its window expired). */
  clearNamespace(ns: string): void {
    this.namespaces.delete(ns);
  }

  /** How many namespaces hold state. */
  get namespaceCount(): number {
    return this.namespaces.size;
  }
}
