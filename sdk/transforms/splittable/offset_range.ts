/**
 * A range of offsets `[from, to)`: the restriction of most splittable
 * sources (a file's bytes, a sequence's numbers, a partition's records).
 * `to` may be `Infinity` for a range that grows without end.
 */
export class OffsetRange {
  /**
   * A range `[from, to)`; throws on a reversed or fractional range.
   *
   * @param from the first offset (inclusive).
   * @param to one past the last offset; `Infinity` for an unbounded range.
   */
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!Number.isSafeInteger(from)) throw new RangeError(`OffsetRange: from must be a whole number, got ${String(from)}`);
    if (to !== Infinity && !Number.isSafeInteger(to))
      throw new RangeError(`OffsetRange: to must be a whole number or Infinity, got ${String(to)}`);
    if (to < from) throw new RangeError(`OffsetRange: to (${to}) must not be before from (${from})`);
  }

  /** A range from any `{ from, to }` object (e.g. one decoded by a plain-value coder). */
  static of(range: { readonly from: number; readonly to: number }): OffsetRange {
    return range instanceof OffsetRange ? range : new OffsetRange(range.from, range.to);
  }

  /** How many offsets the range holds (`Infinity` when unbounded). */
  size(): number {
    return this.to - this.from;
  }

  /**
   * Splits the range into consecutive parts of about `desiredSize` offsets
   * each (Beam's `OffsetRange.split`): the last part is merged into the one
   * before it when it would be smaller than `minSize`. An unbounded range is
   * not split.
   */
  split(desiredSize: number, minSize = 1): OffsetRange[] {
    if (!(desiredSize >= 1)) throw new RangeError(`OffsetRange.split: desiredSize must be >= 1, got ${String(desiredSize)}`);
    if (this.to === Infinity || this.size() <= desiredSize) return [this];
    const parts: OffsetRange[] = [];
    let start = this.from;
    while (start < this.to) {
      let end = Math.min(start + Math.ceil(desiredSize), this.to);
      if (this.to - end < minSize) end = this.to;
      parts.push(new OffsetRange(start, end));
      start = end;
    }
    return parts;
  }

  /** `[from, to)`, for messages. */
  toString(): string {
    return `[${this.from}, ${this.to === Infinity ? "inf" : this.to})`;
  }
}
