/**
 * A binary min-heap of items whose keys may rise without telling the heap.
 *
 * Session windows only grow: a session's end (when it fires) and often its
 * watermark hold move up with most elements. Re-sorting the item on every
 * such move would cost a sift per element; instead the heap keeps, per item,
 * the key it was sorted by (the item's "stored" key, which the caller keeps
 * on the item), which stays a lower bound of the current key. Only at the top
 * does that matter: {@link peek} asks `rekey` whether the top's stored key is
 * still current, and when it was not (the callback has just updated it),
 * sinks the item and looks again. A key that falls (rarely: a session that
 * grows to the left keeps its end) must be told ({@link lowered}), which
 * lifts the item at once, so the stored key stays a lower bound.
 *
 * Items carry their own position (`getPos`/`setPos`), so removal and
 * lifting take O(log n) without a search.
 */
export class LazyMinHeap<T> {
  private readonly items: T[] = [];

  constructor(
    /** True when `a`'s stored key sorts before `b`'s. */
    private readonly less: (a: T, b: T) => boolean,
    /** Replaces `item`'s stored key by its current one; true when they differed (the key rose). */
    private readonly rekey: (item: T) => boolean,
    private readonly getPos: (item: T) => number,
    private readonly setPos: (item: T, pos: number) => void,
  ) {}

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** Adds `item`, sorted by its stored key. */
  push(item: T): void {
    this.items.push(item);
    this.setPos(item, this.items.length - 1);
    this.siftUp(this.items.length - 1);
  }

  /** The item with the smallest current key (after re-keying the items that rose), or undefined when empty. */
  peek(): T | undefined {
    const items = this.items;
    while (items.length > 0 && this.rekey(items[0]!)) this.siftDown(0);
    return items[0];
  }

  /** Removes and returns the item {@link peek} would return. */
  pop(): T | undefined {
    const top = this.peek();
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /** `item`'s stored key was lowered: moves it up. */
  lowered(item: T): void {
    this.siftUp(this.getPos(item));
  }

  /** Removes `item` (which must be in the heap). */
  remove(item: T): void {
    this.removeAt(this.getPos(item));
  }

  /** The items, in no meaningful order. */
  values(): readonly T[] {
    return this.items;
  }

  private removeAt(pos: number): void {
    const items = this.items;
    const removed = items[pos]!;
    const last = items.pop()!;
    this.setPos(removed, -1);
    if (removed === last) return;
    items[pos] = last;
    this.setPos(last, pos);
    this.siftDown(pos);
    this.siftUp(this.getPos(last));
  }

  private siftUp(pos: number): void {
    const items = this.items;
    const item = items[pos]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = items[parent]!;
      if (!this.less(item, p)) break;
      items[pos] = p;
      this.setPos(p, pos);
      pos = parent;
    }
    items[pos] = item;
    this.setPos(item, pos);
  }

  private siftDown(pos: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[pos]!;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(items[right]!, items[left]!) ? right : left;
      const c = items[child]!;
      if (!this.less(c, item)) break;
      items[pos] = c;
      this.setPos(c, pos);
      pos = child;
    }
    items[pos] = item;
    this.setPos(item, pos);
  }
}
