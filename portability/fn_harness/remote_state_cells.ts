/**
 * User state cells kept by the engine and reached over the State API. User
 * code reads and writes state synchronously, so a cell is loaded whole
 * before the key's element runs (`load`), answers from memory, and writes
 * its new contents back when the bundle ends (`persist`) if it changed.
 * Each kind uses the State API protocol Beam's SDKs use for it: value, bag
 * and combining cells a bag (`BagUserState`; a combining cell keeps one
 * accumulator), map and set cells a multimap (`MultimapUserState`, keys
 * listed by `MultimapKeysUserState`), ordered lists `OrderedListUserState`
 * with elements coded as Beam's TimestampedValue (value, then timestamp).
 */
import type {
  BagState,
  CombiningState,
  MapState,
  OrderedListState,
  SetState,
  TimestampedElement,
  ValueState,
} from "../../sdk/state/state_specs";
import type { StateCellSpec } from "../harness/state_cell_specs";
import type { Coder } from "../coders/coder";
import { ByteReader } from "../coders/byte_reader";
import { ByteWriter } from "../coders/byte_writer";
import { identityOf } from "../values/canonical_key";
import { wrapUserError } from "../harness/user_code_error";
import type { StateKey } from "./fn_messages";
import type { StateChannel } from "./state_channel";
import { decodeAll, encodeAll } from "./coded_values";

/** Where a cell lives in the engine: the transform, the state's name, the key and window (encoded, nested). */
export interface CellAddress {
  readonly transformId: string;
  readonly userStateId: string;
  readonly key: Uint8Array;
  readonly window: Uint8Array;
}

/** A cell as the backend handles it: user-facing API plus load/persist. */
export interface RemoteCell {
  /** The object user code sees (`ctx.state.<name>`). */
  readonly api: unknown;
  /** Reads the cell's contents from the engine. */
  load(channel: StateChannel, instructionId: string): Promise<void>;
  /** Writes the contents back when they changed since `load`. */
  persist(channel: StateChannel, instructionId: string): Promise<void>;
}

const MIN_SORT_KEY = -(2 ** 63);
const MAX_SORT_KEY = 2 ** 63 - 1;

function bagKey(a: CellAddress): StateKey {
  return { bagUserState: { transformId: a.transformId, userStateId: a.userStateId, key: a.key, window: a.window } };
}

/** A bag-backed cell: the contents are a list of values, rewritten whole when changed. */
function bagBacked<T>(address: CellAddress, coder: Coder<T>, make: (values: T[], touch: () => void) => unknown): RemoteCell {
  let values: T[] = [];
  let dirty = false;
  const touch = (): void => {
    dirty = true;
  };
  let api = make(values, touch);
  return {
    get api() {
      return api;
    },
    async load(channel, instructionId) {
      values = decodeAll(coder, await channel.get(instructionId, bagKey(address)));
      dirty = false;
      api = make(values, touch);
    },
    async persist(channel, instructionId) {
      if (!dirty) return;
      await channel.clear(instructionId, bagKey(address));
      if (values.length > 0) await channel.append(instructionId, bagKey(address), encodeAll(coder, values));
      dirty = false;
    },
  };
}

function valueCell(address: CellAddress, coder: Coder<unknown>): RemoteCell {
  return bagBacked(address, coder, (values, touch): ValueState<unknown> => ({
    read: () => (values.length > 0 ? values[values.length - 1] : undefined),
    write: (v) => {
      values.length = 0;
      values.push(v);
      touch();
    },
    clear: () => {
      values.length = 0;
      touch();
    },
  }));
}

function bagCell(address: CellAddress, coder: Coder<unknown>): RemoteCell {
  return bagBacked(address, coder, (values, touch): BagState<unknown> => ({
    add: (v) => {
      values.push(v);
      touch();
    },
    read: () => values.slice(),
    isEmpty: () => values.length === 0,
    clear: () => {
      values.length = 0;
      touch();
    },
  }));
}

function combiningCell(address: CellAddress, spec: Extract<StateCellSpec, { kind: "combining" }>, transform: string): RemoteCell {
  const fn = spec.combineFn;
  const call = <R>(phase: string, f: () => R): R => {
    try {
      return f();
    } catch (e) {
      wrapUserError(e, transform, `combining state (${phase})`);
    }
  };
  return bagBacked(address, spec.coder, (accs, touch): CombiningState<unknown, unknown> => {
    // Several accumulators (appended by other writers) merge into one on first use.
    const acc = (): unknown => {
      if (accs.length === 0) accs.push(call("createAccumulator", () => fn.createAccumulator()));
      if (accs.length > 1)
        accs.splice(
          0,
          accs.length,
          call("mergeAccumulators", () => fn.mergeAccumulators(accs.slice())),
        );
      return accs[0];
    };
    return {
      add: (v) => {
        accs[0] = call("addInput", () => fn.addInput(acc(), v));
        touch();
      },
      // Reading an empty cell leaves it empty: the fresh accumulator is not kept.
      read: () =>
        call("extractOutput", () => fn.extractOutput(accs.length === 0 ? call("createAccumulator", () => fn.createAccumulator()) : acc())),
      isEmpty: () => accs.length === 0,
      clear: () => {
        accs.length = 0;
        touch();
      },
    };
  });
}

/** A multimap-backed cell: entries by the identity of their encoded key; a changed cell is cleared and rewritten. */
function multimapBacked(
  address: CellAddress,
  keyCoder: Coder<unknown>,
  valueCoder: Coder<unknown>,
  make: (entries: Map<string, [unknown, unknown]>, touch: () => void) => unknown,
): RemoteCell {
  let entries = new Map<string, [unknown, unknown]>();
  let dirty = false;
  const touch = (): void => {
    dirty = true;
  };
  let api = make(entries, touch);
  const keysKey: StateKey = {
    multimapKeysUserState: { transformId: address.transformId, userStateId: address.userStateId, key: address.key, window: address.window },
  };
  const entryKey = (mapKey: Uint8Array): StateKey => ({
    multimapUserState: {
      transformId: address.transformId,
      userStateId: address.userStateId,
      key: address.key,
      window: address.window,
      mapKey,
    },
  });
  return {
    get api() {
      return api;
    },
    async load(channel, instructionId) {
      const keys = decodeAll(keyCoder, await channel.get(instructionId, keysKey));
      const loaded = new Map<string, [unknown, unknown]>();
      await Promise.all(
        keys.map(async (k) => {
          const values = decodeAll(valueCoder, await channel.get(instructionId, entryKey(encodeAll(keyCoder, [k]))));
          if (values.length > 0) loaded.set(identityOf(keyCoder, k), [k, values[values.length - 1]]);
        }),
      );
      entries = loaded;
      dirty = false;
      api = make(entries, touch);
    },
    async persist(channel, instructionId) {
      if (!dirty) return;
      await channel.clear(instructionId, keysKey);
      await Promise.all(
        [...entries.values()].map(([k, v]) =>
          channel.append(instructionId, entryKey(encodeAll(keyCoder, [k])), encodeAll(valueCoder, [v])),
        ),
      );
      dirty = false;
    },
  };
}

function mapCell(address: CellAddress, keyCoder: Coder<unknown>, valueCoder: Coder<unknown>): RemoteCell {
  return multimapBacked(address, keyCoder, valueCoder, (entries, touch): MapState<unknown, unknown> => ({
    get: (k) => entries.get(identityOf(keyCoder, k))?.[1],
    put: (k, v) => {
      entries.set(identityOf(keyCoder, k), [k, v]);
      touch();
    },
    remove: (k) => {
      if (entries.delete(identityOf(keyCoder, k))) touch();
    },
    entries: () => [...entries.values()].map(([k, v]) => [k, v] as [unknown, unknown]),
    keys: () => [...entries.values()].map(([k]) => k),
    isEmpty: () => entries.size === 0,
    clear: () => {
      entries.clear();
      touch();
    },
  }));
}

/** A set is a multimap from each member to `true` (as Beam's SDKs keep sets). */
function setCell(address: CellAddress, coder: Coder<unknown>, boolCoder: Coder<unknown>): RemoteCell {
  return multimapBacked(address, coder, boolCoder, (entries, touch): SetState<unknown> => ({
    add: (v) => {
      entries.set(identityOf(coder, v), [v, true]);
      touch();
    },
    has: (v) => entries.has(identityOf(coder, v)),
    remove: (v) => {
      if (entries.delete(identityOf(coder, v))) touch();
    },
    read: () => [...entries.values()].map(([v]) => v),
    isEmpty: () => entries.size === 0,
    clear: () => {
      entries.clear();
      touch();
    },
  }));
}

function orderedListCell(address: CellAddress, coder: Coder<unknown>): RemoteCell {
  let items: TimestampedElement<unknown>[] = [];
  let dirty = false;
  const rangeKey = (start: number, end: number): StateKey => ({
    orderedListUserState: {
      transformId: address.transformId,
      userStateId: address.userStateId,
      key: address.key,
      window: address.window,
      range: { start, end },
    },
  });
  const sorted = (): TimestampedElement<unknown>[] => items.slice().sort((a, b) => a.timestamp - b.timestamp);
  const api: OrderedListState<unknown> = {
    add: (e) => {
      if (!e || typeof e.timestamp !== "number" || Number.isNaN(e.timestamp))
        throw new TypeError("orderedList.add expects { value, timestamp: number }");
      items.push({ value: e.value, timestamp: e.timestamp });
      dirty = true;
    },
    read: () => sorted().map((e) => ({ ...e })),
    readRange: (from, to) => sorted().filter((e) => e.timestamp >= from && e.timestamp < to),
    clearRange: (from, to) => {
      items = items.filter((e) => e.timestamp < from || e.timestamp >= to);
      dirty = true;
    },
    isEmpty: () => items.length === 0,
    clear: () => {
      items = [];
      dirty = true;
    },
  };
  return {
    api,
    async load(channel, instructionId) {
      const r = new ByteReader(await channel.get(instructionId, rangeKey(MIN_SORT_KEY, MAX_SORT_KEY)));
      items = [];
      // The Fn API's ordered-list entry: varint(sort key), then the value (as Beam's Go SDK and Prism read and write it).
      while (!r.atEnd) {
        const timestamp = Number(r.readVarintBig());
        items.push({ timestamp, value: coder.decode(r, "nested") });
      }
      dirty = false;
    },
    async persist(channel, instructionId) {
      if (!dirty) return;
      await channel.clear(instructionId, rangeKey(MIN_SORT_KEY, MAX_SORT_KEY));
      // One append per sort key, as Beam's SDKs write them (the runner keeps them sorted by it).
      const byTime = new Map<number, ByteWriter>();
      for (const e of items) {
        let w = byTime.get(e.timestamp);
        if (!w) byTime.set(e.timestamp, (w = new ByteWriter()));
        w.writeVarint(e.timestamp);
        coder.encode(e.value, w, "nested");
      }
      await Promise.all([...byTime].map(([t, w]) => channel.append(instructionId, rangeKey(t, t + 1), w.finish())));
      dirty = false;
    },
  };
}

/** A cell of `spec` at `address`. */
export function remoteCell(address: CellAddress, spec: StateCellSpec, transform: string, boolCoder: Coder<unknown>): RemoteCell {
  switch (spec.kind) {
    case "value":
      return valueCell(address, spec.coder);
    case "bag":
      return bagCell(address, spec.coder);
    case "combining":
      return combiningCell(address, spec, transform);
    case "map":
      return mapCell(address, spec.keyCoder, spec.valueCoder);
    case "set":
      return setCell(address, spec.coder, boolCoder);
    case "orderedList":
      return orderedListCell(address, spec.coder);
  }
}
