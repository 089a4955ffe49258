import type { Coder } from "../coders/coder";
import { encodeToBytes } from "../coders/coder";
import { coderUrns } from "../coders";
import { GLOBAL_WINDOW, isGlobalWindow, windowKey, type BoundedWindow } from "../../model/windows";
import { LastWindowMemo } from "../windowing/last_window_memo";

/**
 * A table keyed by (window, key), where keys are equal when their encodings
 * are equal, as the Beam model requires. Strings and numbers take a fast
 * path (a JS Map keyed by the value itself) when the key coder maps equal
 * values to equal bytes and distinct values to distinct bytes; everything
 * else is keyed by its encoded bytes. The three maps never mix, so a string
 * key cannot collide with the bytes of another key.
 */
const JS_VALUE = coderUrns.JS_VALUE;
const STRING_UTF8 = coderUrns.STRING_UTF8;
const VARINT = coderUrns.VARINT;

export class KeyedTable<E> {
  private readonly byString = new Map<string, E>();
  private readonly byNumber = new Map<number, E>();
  private readonly byBytes = new Map<string, E>();
  private readonly stringFastPath: boolean;
  private readonly numberFastPath: boolean;

  constructor(private readonly keyCoder: Coder<unknown>) {
    const urn = keyCoder.urn;
    this.stringFastPath = urn === JS_VALUE || urn === STRING_UTF8;
    this.numberFastPath = urn === JS_VALUE || urn === VARINT;
  }

  /** The entry for `key`, created with `create(key)` when absent. */
  getOrCreate(key: unknown, create: (key: unknown) => E): E {
    if (typeof key === "string" && this.stringFastPath) {
      let e = this.byString.get(key);
      if (e === undefined) this.byString.set(key, (e = create(key)));
      return e;
    }
    if (typeof key === "number" && this.numberFastPath && !Object.is(key, -0) && (this.keyCoder.urn !== VARINT || Number.isInteger(key))) {
      let e = this.byNumber.get(key);
      if (e === undefined) this.byNumber.set(key, (e = create(key)));
      return e;
    }
    const bytes = Buffer.from(encodeToBytes(this.keyCoder, key, "nested")).toString("latin1");
    let e = this.byBytes.get(bytes);
    if (e === undefined) this.byBytes.set(bytes, (e = create(key)));
    return e;
  }

  /** The entry for `key`, or undefined. */
  get(key: unknown): E | undefined {
    if (typeof key === "string" && this.stringFastPath) return this.byString.get(key);
    if (typeof key === "number" && this.numberFastPath && !Object.is(key, -0) && (this.keyCoder.urn !== VARINT || Number.isInteger(key)))
      return this.byNumber.get(key);
    return this.byBytes.get(Buffer.from(encodeToBytes(this.keyCoder, key, "nested")).toString("latin1"));
  }

  /** Number of keys. */
  get size(): number {
    return this.byString.size + this.byNumber.size + this.byBytes.size;
  }

  /** All entries, in no meaningful order. */
  *entries(): IterableIterator<E> {
    yield* this.byString.values();
    yield* this.byNumber.values();
    yield* this.byBytes.values();
  }

  /** Removes every entry. */
  clear(): void {
    this.byString.clear();
    this.byNumber.clear();
    this.byBytes.clear();
  }
}

/** A {@link KeyedTable} per window. */
export class WindowedKeyedTable<E> {
  private global: KeyedTable<E> | undefined;
  private readonly intervals = new Map<string, { window: BoundedWindow; table: KeyedTable<E> }>();
  /** The table of the window asked for last: consecutive elements mostly share a window. */
  private readonly last = new LastWindowMemo<KeyedTable<E>>((window) => this.lookUp(window));

  constructor(private readonly keyCoder: Coder<unknown>) {}

  /** The table of `window`, created when absent. */
  tableFor(window: BoundedWindow): KeyedTable<E> {
    return this.last.get(window);
  }

  private lookUp(window: BoundedWindow): KeyedTable<E> {
    if (isGlobalWindow(window)) return (this.global ??= new KeyedTable<E>(this.keyCoder));
    const id = windowKey(window);
    let slot = this.intervals.get(id);
    if (!slot) this.intervals.set(id, (slot = { window, table: new KeyedTable<E>(this.keyCoder) }));
    return slot.table;
  }

  /** Forgets `window`'s table (after its entries were taken out). */
  removeWindow(window: BoundedWindow): void {
    if (isGlobalWindow(window)) this.global = undefined;
    else this.intervals.delete(windowKey(window));
    this.last.clear();
  }

  /** Every (window, table) pair. */
  *windows(): IterableIterator<{ window: BoundedWindow; table: KeyedTable<E> }> {
    if (this.global) yield { window: GLOBAL_WINDOW, table: this.global };
    yield* this.intervals.values();
  }

  /** Total number of (window, key) entries. */
  get size(): number {
    let n = this.global?.size ?? 0;
    for (const s of this.intervals.values()) n += s.table.size;
    return n;
  }

  /** Removes everything. */
  clear(): void {
    this.global = undefined;
    this.intervals.clear();
    this.last.clear();
  }
}
