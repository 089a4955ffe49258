/**
 * An index of items by time (timer deadlines, watermark holds): the
 * earliest time and the due items without scanning every item.
 */
export class TimeIndex<T> {
  private readonly byTime = new Map<number, Set<T>>();
  private cachedMin: number | undefined;

  add(time: number, item: T): void {
    let s = this.byTime.get(time);
    if (!s) this.byTime.set(time, (s = new Set()));
    s.add(item);
    if (this.cachedMin !== undefined && time < this.cachedMin) this.cachedMin = time;
  }

  remove(time: number, item: T): void {
    const s = this.byTime.get(time);
    if (!s || !s.delete(item)) return;
    if (s.size === 0) {
      this.byTime.delete(time);
      if (time === this.cachedMin) this.cachedMin = undefined;
    }
  }

  /** The earliest time, or `Infinity`. */
  min(): number {
    if (this.cachedMin === undefined) {
      let m = Infinity;
      for (const t of this.byTime.keys()) if (t < m) m = t;
      this.cachedMin = m;
    }
    return this.cachedMin;
  }

  /** The times for which `isDue` holds, ascending. */
  dueTimes(isDue: (time: number) => boolean): number[] {
    if (!isDue(this.min())) return [];
    const out: number[] = [];
    for (const t of this.byTime.keys()) if (isDue(t)) out.push(t);
    return out.sort((a, b) => a - b);
  }

  /** The items at `time`. */
  itemsAt(time: number): readonly T[] {
    return [...(this.byTime.get(time) ?? [])];
  }
}
