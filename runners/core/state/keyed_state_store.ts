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
import type { StateCellSpec } from "../../../portability/harness/state_cell_specs";
import type { ByteReader } from "../../../portability/coders/byte_reader";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import {
  CheckpointFormatError,
  STATE_NAMESPACE_FORMAT,
  closeBlob,
  openBlob,
  readTime,
  startBlob,
  writeTime,
} from "../checkpoint/snapshot_codec";

/**
 * The checkpoint side of a cell: its contents written with the coders of its
 * spec, and read back over an empty cell. Kept out of the cell object (in
 * {@link CHECKPOINT_OF}) so that user code sees only the state API.
 */
interface CellCheckpoint {
  write(w: ByteWriter): void;
  read(r: ByteReader): void;
}

const CHECKPOINT_OF = new WeakMap<object, CellCheckpoint>();

/** Registers the checkpoint side of `cell`; returns the cell. */
function withCheckpoint<C extends object>(cell: C, checkpoint: CellCheckpoint): C {
  CHECKPOINT_OF.set(cell, checkpoint);
  return cell;
}

/** Called by a cell's mutators, so the store can tell which namespaces changed since the last delta. */
type Touch = () => void;

function valueCell(spec: Extract<StateCellSpec, { kind: "value" }>, touch: Touch): ValueState<unknown> & { has(): boolean } {
  let set = false;
  let value: unknown;
  return withCheckpoint(
    {
      read: () => (set ? value : undefined),
      write: (v: unknown) => {
        value = v;
        set = true;
        touch();
      },
      clear: () => {
        set = false;
        value = undefined;
        touch();
      },
      has: () => set,
    },
    {
      write: (w) => {
        w.writeByte(set ? 1 : 0);
        if (set) spec.coder.encode(value, w, "nested");
      },
      read: (r) => {
        set = r.readByte() === 1;
        value = set ? spec.coder.decode(r, "nested") : undefined;
      },
    },
  );
}

function bagCell(spec: Extract<StateCellSpec, { kind: "bag" }>, touch: Touch): BagState<unknown> {
  let items: unknown[] = [];
  return withCheckpoint<BagState<unknown>>(
    {
      add: (v) => {
        items.push(v);
        touch();
      },
      read: () => items.slice(),
      isEmpty: () => items.length === 0,
      clear: () => {
        items = [];
        touch();
      },
    },
    {
      write: (w) => {
        w.writeVarint(items.length);
        for (const v of items) spec.coder.encode(v, w, "nested");
      },
      read: (r) => {
        const n = r.readVarint();
        items = [];
        for (let i = 0; i < n; i++) items.push(spec.coder.decode(r, "nested"));
      },
    },
  );
}

function combiningCell(spec: Extract<StateCellSpec, { kind: "combining" }>, touch: Touch): CombiningState<unknown, unknown> {
  const fn = spec.combineFn;
  let acc: unknown;
  let has = false;
  return withCheckpoint<CombiningState<unknown, unknown>>(
    {
      add: (v) => {
        acc = fn.addInput(has ? acc : fn.createAccumulator(), v);
        has = true;
        touch();
      },
      read: () => fn.extractOutput(has ? acc : fn.createAccumulator()),
      isEmpty: () => !has,
      clear: () => {
        has = false;
        acc = undefined;
        touch();
      },
    },
    {
      // The accumulator itself (the spec's coder is the accumulator coder), not the extracted output.
      write: (w) => {
        w.writeByte(has ? 1 : 0);
        if (has) spec.coder.encode(acc, w, "nested");
      },
      read: (r) => {
        has = r.readByte() === 1;
        acc = has ? spec.coder.decode(r, "nested") : undefined;
      },
    },
  );
}

function mapCell(spec: Extract<StateCellSpec, { kind: "map" }>, touch: Touch): MapState<unknown, unknown> {
  const entries = new Map<string, [unknown, unknown]>();
  return withCheckpoint<MapState<unknown, unknown>>(
    {
      get: (k) => entries.get(identityOf(spec.keyCoder, k))?.[1],
      put: (k, v) => {
        entries.set(identityOf(spec.keyCoder, k), [k, v]);
        touch();
      },
      remove: (k) => {
        entries.delete(identityOf(spec.keyCoder, k));
        touch();
      },
      entries: () => [...entries.values()].map(([k, v]) => [k, v]),
      keys: () => [...entries.values()].map(([k]) => k),
      isEmpty: () => entries.size === 0,
      clear: () => {
        entries.clear();
        touch();
      },
    },
    {
      // Entries in insertion order, so that iteration order survives a restore.
      write: (w) => {
        w.writeVarint(entries.size);
        for (const [k, v] of entries.values()) {
          spec.keyCoder.encode(k, w, "nested");
          spec.valueCoder.encode(v, w, "nested");
        }
      },
      read: (r) => {
        entries.clear();
        const n = r.readVarint();
        for (let i = 0; i < n; i++) {
          const k = spec.keyCoder.decode(r, "nested");
          const v = spec.valueCoder.decode(r, "nested");
          entries.set(identityOf(spec.keyCoder, k), [k, v]);
        }
      },
    },
  );
}

function setCell(spec: Extract<StateCellSpec, { kind: "set" }>, touch: Touch): SetState<unknown> {
  const members = new Map<string, unknown>();
  return withCheckpoint<SetState<unknown>>(
    {
      add: (v) => {
        members.set(identityOf(spec.coder, v), v);
        touch();
      },
      has: (v) => members.has(identityOf(spec.coder, v)),
      remove: (v) => {
        members.delete(identityOf(spec.coder, v));
        touch();
      },
      read: () => [...members.values()],
      isEmpty: () => members.size === 0,
      clear: () => {
        members.clear();
        touch();
      },
    },
    {
      write: (w) => {
        w.writeVarint(members.size);
        for (const v of members.values()) spec.coder.encode(v, w, "nested");
      },
      read: (r) => {
        members.clear();
        const n = r.readVarint();
        for (let i = 0; i < n; i++) {
          const v = spec.coder.decode(r, "nested");
          members.set(identityOf(spec.coder, v), v);
        }
      },
    },
  );
}

function orderedListCell(spec: Extract<StateCellSpec, { kind: "orderedList" }>, touch: Touch): OrderedListState<unknown> {
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
  return withCheckpoint<OrderedListState<unknown>>(
    {
      add: (e) => {
        if (!e || typeof e.timestamp !== "number" || Number.isNaN(e.timestamp)) {
          throw new TypeError("orderedList.add expects { value, timestamp: number }");
        }
        items.splice(search(e.timestamp, true), 0, { value: e.value, timestamp: e.timestamp });
        touch();
      },
      read: () => items.map((e) => ({ ...e })),
      readRange: (from, to) => items.slice(search(from, false), search(to, false)).map((e) => ({ ...e })),
      clearRange: (from, to) => {
        const start = search(from, false);
        items.splice(start, search(to, false) - start);
        touch();
      },
      isEmpty: () => items.length === 0,
      clear: () => {
        items = [];
        touch();
      },
    },
    {
      // Already sorted (ties in insertion order): written as is, read back without re-sorting.
      write: (w) => {
        w.writeVarint(items.length);
        for (const e of items) {
          writeTime(w, e.timestamp);
          spec.coder.encode(e.value, w, "nested");
        }
      },
      read: (r) => {
        const n = r.readVarint();
        items = [];
        for (let i = 0; i < n; i++) {
          const timestamp = readTime(r);
          items.push({ value: spec.coder.decode(r, "nested"), timestamp });
        }
      },
    },
  );
}

function newCell(spec: StateCellSpec, touch: Touch): unknown {
  switch (spec.kind) {
    case "value":
      return valueCell(spec, touch);
    case "bag":
      return bagCell(spec, touch);
    case "combining":
      return combiningCell(spec, touch);
    case "map":
      return mapCell(spec, touch);
    case "set":
      return setCell(spec, touch);
    case "orderedList":
      return orderedListCell(spec, touch);
  }
}

const KIND_CODE: Readonly<Record<StateCellSpec["kind"], number>> = { value: 0, bag: 1, combining: 2, map: 3, set: 4, orderedList: 5 };

/** The state of one stateful ParDo: cells per namespace (key and window). */
export class KeyedStateStore {
  private readonly namespaces = new Map<string, Record<string, unknown>>();
  /** Whether mutated namespaces are recorded for deltas; off until checkpointing is used. */
  private trackingChanges = false;
  /** Tracking started after state existed: the first drain reports every namespace. */
  private reportAllOnNextDrain = false;
  private readonly changedNamespaces = new Set<string>();

  constructor(private readonly specs: ReadonlyMap<string, StateCellSpec>) {}

  /** The cells of namespace `ns` (an object with one property per declared state), created on first use. */
  cells(ns: string): Record<string, unknown> {
    let cells = this.namespaces.get(ns);
    if (!cells) {
      cells = {};
      const touch = (): void => {
        if (this.trackingChanges) this.changedNamespaces.add(ns);
      };
      for (const [name, spec] of this.specs) cells[name] = newCell(spec, touch);
      this.namespaces.set(ns, Object.freeze(cells));
    }
    return cells;
  }

  /** Drops every cell of namespace `ns` (its window expired). */
  clearNamespace(ns: string): void {
    if (this.namespaces.delete(ns) && this.trackingChanges) this.changedNamespaces.add(ns);
  }

  // ---------------------------------------------------------------- checkpointing
  //
  // One namespace's blob: u8 STATE_NAMESPACE_FORMAT, varint #cells, then per
  // cell: name (UTF-8, nested), u8 kind code, contents:
  //   value: u8 set [value]; bag: varint n, n values; combining: u8 has
  //   [accumulator]; map: varint n, n (key, value) in insertion order; set:
  //   varint n, n members; orderedList: varint n, n (double timestamp, value)
  //   in list order. Values use the coders of the cell's spec, nested.

  private startTracking(): void {
    if (this.trackingChanges) return;
    this.trackingChanges = true;
    this.reportAllOnNextDrain = true;
  }

  /**
   * The cells of each namespace as bytes (every namespace when `namespaces`
   * is omitted; requested namespaces without state are left out, meaning
   * "deleted" in a delta). Starts change tracking for {@link drainChangedNamespaces}.
   */
  snapshotNamespaces(namespaces?: Iterable<string>): Map<string, Uint8Array> {
    // A full snapshot covers every earlier change: tracking can start clean from it.
    if (namespaces === undefined && !this.trackingChanges) this.trackingChanges = true;
    else this.startTracking();
    const out = new Map<string, Uint8Array>();
    for (const ns of namespaces ?? this.namespaces.keys()) {
      const cells = this.namespaces.get(ns);
      if (cells && !out.has(ns)) out.set(ns, this.encodeNamespace(cells));
    }
    return out;
  }

  /**
   * The namespaces whose cells were mutated (`changed`) or dropped
   * (`removed`) since the last call. Reads do not count. When tracking was
   * not on yet, this first call reports every namespace as changed.
   */
  drainChangedNamespaces(): { changed: Set<string>; removed: Set<string> } {
    const changed = new Set<string>();
    const removed = new Set<string>();
    this.startTracking();
    if (this.reportAllOnNextDrain) for (const ns of this.namespaces.keys()) changed.add(ns);
    this.reportAllOnNextDrain = false;
    for (const ns of this.changedNamespaces) (this.namespaces.has(ns) ? changed : removed).add(ns);
    this.changedNamespaces.clear();
    return { changed, removed };
  }

  /**
   * Replaces namespace `ns` with a {@link snapshotNamespaces} blob. Cells
   * declared now but absent from the blob start empty; a cell in the blob
   * that is no longer declared, or of another kind, is an error (the DoFn's
   * state declarations changed).
   */
  restoreNamespace(ns: string, bytes: Uint8Array): void {
    this.startTracking();
    const what = `state namespace checkpoint`;
    const r = openBlob(bytes, STATE_NAMESPACE_FORMAT, what);
    const wasChanged = this.changedNamespaces.has(ns);
    this.namespaces.delete(ns);
    const cells = this.cells(ns);
    const n = r.readVarint();
    for (let i = 0; i < n; i++) {
      const name = r.readUtf8Nested();
      const kind = r.readByte();
      const spec = this.specs.get(name);
      if (!spec) throw new CheckpointFormatError(`${what}: state '${name}' is not declared any more`);
      if (KIND_CODE[spec.kind] !== kind) throw new CheckpointFormatError(`${what}: state '${name}' changed kind (now ${spec.kind})`);
      CHECKPOINT_OF.get(cells[name] as object)!.read(r);
    }
    closeBlob(r, what);
    if (!wasChanged) this.changedNamespaces.delete(ns);
  }

  private encodeNamespace(cells: Record<string, unknown>): Uint8Array {
    const w = startBlob(STATE_NAMESPACE_FORMAT);
    this.writeCells(cells, w);
    return w.finish();
  }

  private writeCells(cells: Record<string, unknown>, w: ByteWriter): void {
    w.writeVarint(this.specs.size);
    for (const [name, spec] of this.specs) {
      w.writeUtf8Nested(name);
      w.writeByte(KIND_CODE[spec.kind]);
      CHECKPOINT_OF.get(cells[name] as object)!.write(w);
    }
  }

  /**
   * A full snapshot written into one writer: each namespace's name and
   * {@link snapshotNamespaces} blob. For large state this avoids a buffer
   * per namespace. Read back with {@link readSnapshot}.
   */
  writeSnapshot(w: ByteWriter): void {
    if (!this.trackingChanges) this.trackingChanges = true;
    const scratch = new ByteWriter(256);
    w.writeVarint(this.namespaces.size);
    for (const [ns, cells] of this.namespaces) {
      w.writeUtf8Nested(ns);
      scratch.reset();
      scratch.writeByte(STATE_NAMESPACE_FORMAT);
      this.writeCells(cells, scratch);
      w.writeBytesNested(scratch.view());
    }
  }

  /** Restores every namespace of a {@link writeSnapshot}. */
  readSnapshot(r: ByteReader): void {
    const n = r.readVarint();
    for (let i = 0; i < n; i++) {
      const ns = r.readUtf8Nested();
      this.restoreNamespace(ns, r.readBytesNested());
    }
  }

  /** How many namespaces hold state. */
  get namespaceCount(): number {
    return this.namespaces.size;
  }
}
