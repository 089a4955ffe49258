/**
 * Timers of one stateful ParDo: per namespace (key and window) and timer
 * name, at most one pending time; event-time timers fire in timestamp order
 * once the input watermark passes them, processing-time timers once the
 * clock reaches them. Pending timers hold the output watermark at their
 * output timestamps. Windows are tracked so that their state and timers can
 * be dropped when they expire.
 */
import { MinHeap, type HeapEntry } from "../min_heap";
import type { BoundedWindow } from "../../../model/windows";
import type { Coder } from "../../../portability/coders/coder";
import { ByteWriter } from "../../../portability/coders/byte_writer";
import type { ByteReader } from "../../../portability/coders/byte_reader";
import {
  TIMER_NAMESPACE_FORMAT,
  closeBlob,
  openBlob,
  readOptionalTime,
  readTime,
  readWindow,
  startBlob,
  writeOptionalTime,
  writeTime,
  writeWindow,
} from "../checkpoint/snapshot_codec";

/** The coders a timer checkpoint needs: timers carry their key and window. */
export interface TimerCheckpointCoders {
  /** The stateful ParDo's key coder. */
  readonly keyCoder: Coder<unknown>;
  /** The window coder; optional for the SDK's global and interval windows (a built-in exact form is used). */
  readonly windowCoder?: Coder<BoundedWindow>;
}

/** A pending timer. */
export interface TimerData extends HeapEntry {
  readonly namespace: string;
  readonly key: unknown;
  readonly window: BoundedWindow;
  readonly name: string;
  readonly domain: "eventTime" | "processingTime";
  /** When it fires (event time or processing time). */
  readonly fireTimestamp: number;
  /** The timestamp of its outputs; holds the watermark until it fires. */
  readonly outputTimestamp: number;
}

interface HoldEntry extends HeapEntry {
  readonly timer: TimerData;
}

interface ExpiryEntry extends HeapEntry {
  readonly namespace: string;
}

/** The timers and window expiries of one stateful ParDo. */
export class TimerService {
  private readonly byId = new Map<string, { timer: TimerData; hold: HoldEntry }>();
  private readonly eventTimers = new MinHeap<TimerData>();
  private readonly processingTimers = new MinHeap<TimerData>();
  private readonly holds = new MinHeap<HoldEntry>();
  private readonly expiries = new MinHeap<ExpiryEntry>();
  private readonly expiryOf = new Map<string, ExpiryEntry>();
  /** Timer names set per namespace, to drop them all when the window expires. */
  private readonly namesOf = new Map<string, Set<string>>();
  /** Whether namespaces whose timers or expiry changed are recorded for deltas; off until checkpointing is used. */
  private trackingChanges = false;
  /** Tracking started after timers existed: the first drain reports every namespace. */
  private reportAllOnNextDrain = false;
  private readonly changedNamespaces = new Set<string>();

  /** Sets (or replaces) timer `name` of `namespace`. */
  set(
    namespace: string,
    key: unknown,
    window: BoundedWindow,
    name: string,
    domain: "eventTime" | "processingTime",
    fireTimestamp: number,
    outputTimestamp: number,
  ): void {
    this.clear(namespace, name);
    if (this.trackingChanges) this.changedNamespaces.add(namespace);
    const priority = fireTimestamp;
    const timer: TimerData = { namespace, key, window, name, domain, fireTimestamp, outputTimestamp, priority, removed: false };
    const hold: HoldEntry = { timer, priority: outputTimestamp, removed: false };
    this.byId.set(`${namespace}\u0000${name}`, { timer, hold });
    let names = this.namesOf.get(namespace);
    if (!names) this.namesOf.set(namespace, (names = new Set()));
    names.add(name);
    (domain === "eventTime" ? this.eventTimers : this.processingTimers).push(timer);
    this.holds.push(hold);
  }

  /** Cancels timer `name` of `namespace`, if set. */
  clear(namespace: string, name: string): void {
    const id = `${namespace}\u0000${name}`;
    const existing = this.byId.get(id);
    if (!existing) return;
    existing.timer.removed = true;
    existing.hold.removed = true;
    this.byId.delete(id);
    if (this.trackingChanges) this.changedNamespaces.add(namespace);
    const names = this.namesOf.get(namespace);
    names?.delete(name);
    if (names?.size === 0) this.namesOf.delete(namespace);
  }

  /** Removes and returns the earliest event-time timer strictly before `watermark`, if any. */
  pollEventTimer(watermark: number): TimerData | undefined {
    return this.pollDue(this.eventTimers, (t) => t < watermark);
  }

  /** Removes and returns the earliest processing-time timer due at `now`, if any. */
  pollProcessingTimer(now: number): TimerData | undefined {
    return this.pollDue(this.processingTimers, (t) => t <= now);
  }

  /** True when an event-time timer before `watermark` is pending. */
  hasEventTimerBefore(watermark: number): boolean {
    return this.eventTimers.minPriority() < watermark;
  }

  /** True when a tracked window expires before `watermark`. */
  hasExpiryBefore(watermark: number): boolean {
    return this.expiries.minPriority() < watermark;
  }

  /** The earliest pending processing-time timer, or Infinity. */
  nextProcessingTime(): number {
    return this.processingTimers.minPriority();
  }

  /** The earliest output timestamp of any pending timer, or Infinity: the watermark hold. */
  outputHold(): number {
    return this.holds.minPriority();
  }

  /** Records that `namespace` expires (its window's garbage-collection time) at `gcTime`. */
  trackWindow(namespace: string, gcTime: number): void {
    if (this.expiryOf.has(namespace)) return;
    const entry: ExpiryEntry = { namespace, priority: gcTime, removed: false };
    this.expiryOf.set(namespace, entry);
    this.expiries.push(entry);
    if (this.trackingChanges) this.changedNamespaces.add(namespace);
  }

  /** Removes and returns a namespace whose expiry is before `watermark`, dropping its timers. */
  pollExpired(watermark: number): string | undefined {
    const top = this.expiries.peek();
    if (!top || top.priority >= watermark) return undefined;
    this.expiries.poll();
    this.expiryOf.delete(top.namespace);
    if (this.trackingChanges) this.changedNamespaces.add(top.namespace);
    for (const name of [...(this.namesOf.get(top.namespace) ?? [])]) this.clear(top.namespace, name);
    return top.namespace;
  }

  // ---------------------------------------------------------------- checkpointing
  //
  // One namespace's blob: u8 TIMER_NAMESPACE_FORMAT, optional expiry (u8
  // present, double gc time), varint #timers, then per timer in the order it
  // was set: name (UTF-8, nested), u8 domain (0 event, 1 processing), double
  // fire timestamp, double output timestamp, key (key coder, nested), window.

  private startTracking(): void {
    if (this.trackingChanges) return;
    this.trackingChanges = true;
    this.reportAllOnNextDrain = true;
  }

  /** Every namespace with a pending timer or a tracked expiry. */
  private liveNamespaces(): Set<string> {
    return new Set([...this.namesOf.keys(), ...this.expiryOf.keys()]);
  }

  /**
   * The pending timers and window expiry of each namespace as bytes (every
   * namespace when `namespaces` is omitted; requested namespaces with
   * neither are left out, meaning "deleted" in a delta). Starts change
   * tracking for {@link drainChangedNamespaces}.
   */
  snapshotNamespaces(coders: TimerCheckpointCoders, namespaces?: Iterable<string>): Map<string, Uint8Array> {
    // A full snapshot covers every earlier change: tracking can start clean from it.
    if (namespaces === undefined && !this.trackingChanges) this.trackingChanges = true;
    else this.startTracking();
    const out = new Map<string, Uint8Array>();
    for (const ns of namespaces ?? this.liveNamespaces()) {
      if (out.has(ns) || (!this.namesOf.has(ns) && !this.expiryOf.has(ns))) continue;
      const w = startBlob(TIMER_NAMESPACE_FORMAT);
      this.writeNamespace(ns, w, coders);
      out.set(ns, w.finish());
    }
    return out;
  }

  private writeNamespace(ns: string, w: ByteWriter, coders: TimerCheckpointCoders): void {
    writeOptionalTime(w, this.expiryOf.get(ns)?.priority);
    const names = [...(this.namesOf.get(ns) ?? [])];
    w.writeVarint(names.length);
    for (const name of names) {
      const t = this.byId.get(`${ns}\u0000${name}`)!.timer;
      w.writeUtf8Nested(name);
      w.writeByte(t.domain === "eventTime" ? 0 : 1);
      writeTime(w, t.fireTimestamp);
      writeTime(w, t.outputTimestamp);
      coders.keyCoder.encode(t.key, w, "nested");
      writeWindow(w, t.window, coders.windowCoder);
    }
  }

  /**
   * A full snapshot written into one writer: each live namespace's name and
   * {@link snapshotNamespaces} blob, without a buffer per namespace. Read
   * back with {@link readSnapshot}.
   */
  writeSnapshot(w: ByteWriter, coders: TimerCheckpointCoders): void {
    if (!this.trackingChanges) this.trackingChanges = true;
    const live = this.liveNamespaces();
    const scratch = new ByteWriter(256);
    w.writeVarint(live.size);
    for (const ns of live) {
      w.writeUtf8Nested(ns);
      scratch.reset();
      scratch.writeByte(TIMER_NAMESPACE_FORMAT);
      this.writeNamespace(ns, scratch, coders);
      w.writeBytesNested(scratch.view());
    }
  }

  /** Restores every namespace of a {@link writeSnapshot}. */
  readSnapshot(r: ByteReader, coders: TimerCheckpointCoders): void {
    const n = r.readVarint();
    for (let i = 0; i < n; i++) {
      const ns = r.readUtf8Nested();
      this.restoreNamespace(ns, r.readBytesNested(), coders);
    }
  }

  /**
   * The namespaces whose timers or expiry changed since the last call: set,
   * cleared, fired or expired. `changed` ones still hold timers or an
   * expiry, `removed` ones hold neither. When tracking was not on yet, this
   * first call reports every namespace as changed.
   */
  drainChangedNamespaces(): { changed: Set<string>; removed: Set<string> } {
    const changed = new Set<string>();
    const removed = new Set<string>();
    this.startTracking();
    if (this.reportAllOnNextDrain) for (const ns of this.liveNamespaces()) changed.add(ns);
    this.reportAllOnNextDrain = false;
    for (const ns of this.changedNamespaces) (this.namesOf.has(ns) || this.expiryOf.has(ns) ? changed : removed).add(ns);
    this.changedNamespaces.clear();
    return { changed, removed };
  }

  /**
   * Replaces the timers and expiry of namespace `ns` with a
   * {@link snapshotNamespaces} blob. Timers re-enter the heaps as if set
   * again, so restored timers fire in fire-timestamp order; among equal
   * timestamps the order is unspecified, as it is live.
   */
  restoreNamespace(ns: string, bytes: Uint8Array, coders: TimerCheckpointCoders): void {
    this.startTracking();
    const what = "timer namespace checkpoint";
    const wasChanged = this.changedNamespaces.has(ns);
    for (const name of [...(this.namesOf.get(ns) ?? [])]) this.clear(ns, name);
    const oldExpiry = this.expiryOf.get(ns);
    if (oldExpiry) {
      oldExpiry.removed = true;
      this.expiryOf.delete(ns);
    }
    const r = openBlob(bytes, TIMER_NAMESPACE_FORMAT, what);
    const expiry = readOptionalTime(r);
    const n = r.readVarint();
    for (let i = 0; i < n; i++) {
      const name = r.readUtf8Nested();
      const domain = r.readByte() === 0 ? "eventTime" : "processingTime";
      const fire = readTime(r);
      const output = readTime(r);
      const key = coders.keyCoder.decode(r, "nested");
      const window = readWindow(r, coders.windowCoder);
      this.set(ns, key, window, name, domain, fire, output);
    }
    closeBlob(r, what);
    if (expiry !== undefined) this.trackWindow(ns, expiry);
    if (!wasChanged) this.changedNamespaces.delete(ns);
  }

  private pollDue(heap: MinHeap<TimerData>, due: (t: number) => boolean): TimerData | undefined {
    const top = heap.peek();
    if (!top || !due(top.priority)) return undefined;
    heap.poll();
    // A fired timer no longer holds the watermark.
    this.clear(top.namespace, top.name);
    return top;
  }
}
