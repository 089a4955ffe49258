/**
 * The min-heap of a k-way merge: segment cursors ordered by their current
 * key, ties broken by segment position so that equal keys come out in
 * segment order (and so each key's values in arrival order). The shared
 * {@link ../../core/min_heap} orders by a number; this one orders by bytes.
 */
import { compareBytes } from "./byte_order";
import type { SegmentCursor } from "./segment_cursor";

/** A cursor positioned on a record, with its segment's position in the merge. */
export interface RankedCursor {
  readonly cursor: SegmentCursor;
  readonly rank: number;
}

function less(a: RankedCursor, b: RankedCursor): boolean {
  const c = compareBytes(a.cursor.key, b.cursor.key);
  return c < 0 || (c === 0 && a.rank < b.rank);
}

/** A binary min-heap of positioned cursors. */
export class CursorHeap {
  private readonly items: RankedCursor[] = [];

  /** Number of cursors in the heap. */
  get size(): number {
    return this.items.length;
  }

  /** The cursor with the least key, or undefined when empty. */
  peek(): RankedCursor | undefined {
    return this.items[0];
  }

  /** Adds a cursor positioned on a record. */
  push(item: RankedCursor): void {
    const h = this.items;
    let i = h.length;
    h.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(item, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = item;
  }

  /**
   * Advances the top cursor to its next record and restores heap order,
   * dropping the cursor when it is exhausted. One sift instead of a pop and a
   * push, since the advanced cursor usually stays near the top.
   */
  advanceTop(): void {
    const h = this.items;
    const top = h[0]!;
    if (top.cursor.next()) {
      this.siftDown(top);
    } else {
      const last = h.pop()!;
      if (h.length > 0) this.siftDown(last);
    }
  }

  /** Closes every cursor still in the heap. */
  closeAll(): void {
    for (const item of this.items) item.cursor.close();
    this.items.length = 0;
  }

  private siftDown(item: RankedCursor): void {
    const h = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
      if (!less(h[c]!, item)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = item;
  }
}
