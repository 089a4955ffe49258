/**
 * Timers of one stateful ParDo: per namespace (key and window) and timer
 * name, at most one pending time; event-time timers fire in timestamp order
 * once the input watermark passes them, processing-time timers once the
 * clock reaches them. Pending timers hold the output watermark at their
 * output timestamps. Windows are tracked so that their state and timers can
 * be dropped when they expire.
 */
import { MinHeap, type HeapEntry } from "../min_heap";
import type { BoundedWindow } from "../../../sdk/values/windows";

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
  }

  /** Removes and returns a namespace whose expiry is before `watermark`, dropping its timers. */
  pollExpired(watermark: number): string | undefined {
    const top = this.expiries.peek();
    if (!top || top.priority >= watermark) return undefined;
    this.expiries.poll();
    this.expiryOf.delete(top.namespace);
    for (const name of [...(this.namesOf.get(top.namespace) ?? [])]) this.clear(top.namespace, name);
    return top.namespace;
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
