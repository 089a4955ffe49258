/**
 * A binary min-heap ordered by a numeric priority, with lazy removal: an
 * entry marked removed is skipped when it reaches the top. Pending bundles,
 * timers and window expiries all need "the earliest of many, some gone".
 */
export interface HeapEntry {
  readonly priority: number;
  removed: boolean;
}

/** A min-heap of entries with lazy removal. */
export class MinHeap<E extends HeapEntry> {
  private readonly items: E[] = [];

  /** Adds an entry. */
  push(e: E): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.priority <= e.priority) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  /** The earliest entry not removed, or undefined. */
  peek(): E | undefined {
    while (this.items.length > 0 && this.items[0]!.removed) this.pop();
    return this.items[0];
  }

  /** Removes and returns the earliest entry not removed, or undefined. */
  poll(): E | undefined {
    const top = this.peek();
    if (top) this.pop();
    return top;
  }

  /** The earliest priority, or Infinity. */
  minPriority(): number {
    return this.peek()?.priority ?? Infinity;
  }

  /** Forgets every entry. */
  clear(): void {
    this.items.length = 0;
  }

  private pop(): void {
    const h = this.items;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.priority < h[l]!.priority ? r : l;
      if (h[c]!.priority >= last.priority) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
