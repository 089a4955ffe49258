/**
 * Main-input elements waiting for their side input windows, grouped by the
 * side input watermark that releases them. When the side watermark moves,
 * only the groups it passed are taken out: the others are not looked at, so
 * a long wait (a slow side input, many windows) costs nothing per advance.
 * Their earliest timestamp holds the stage's output watermark.
 */
import type { WindowedValue } from "../../../model/windowed_value";

interface Group {
  readonly releasedAfter: number;
  readonly elements: WindowedValue[];
  minTimestamp: number;
}

/** Pushed-back elements of a stage subtask. */
export class PushedBackElements {
  private readonly groups = new Map<number, Group>();
  private cachedMin = Infinity;
  private count = 0;

  /** Keeps `wv` (in one window) until the side watermark passes `releasedAfter`. */
  add(wv: WindowedValue, releasedAfter: number): void {
    let g = this.groups.get(releasedAfter);
    if (!g) this.groups.set(releasedAfter, (g = { releasedAfter, elements: [], minTimestamp: Infinity }));
    g.elements.push(wv);
    if (wv.timestamp < g.minTimestamp) g.minTimestamp = wv.timestamp;
    if (wv.timestamp < this.cachedMin) this.cachedMin = wv.timestamp;
    this.count++;
  }

  /** Takes out the elements the side watermark `sideWatermark` releases (their wait ended before it). */
  takeReleased(sideWatermark: number): WindowedValue[] {
    const out: WindowedValue[] = [];
    for (const [after, g] of this.groups) {
      if (after >= sideWatermark) continue;
      this.groups.delete(after);
      for (const wv of g.elements) out.push(wv);
    }
    if (out.length > 0) {
      this.count -= out.length;
      this.cachedMin = Infinity;
      for (const g of this.groups.values()) if (g.minTimestamp < this.cachedMin) this.cachedMin = g.minTimestamp;
    }
    return out;
  }

  /** The earliest timestamp waiting, or Infinity. */
  get minTimestamp(): number {
    return this.cachedMin;
  }

  /** How many elements wait. */
  get size(): number {
    return this.count;
  }

  /** Every waiting element with its release point, for snapshots. */
  entries(): { wv: WindowedValue; releasedAfter: number }[] {
    const out: { wv: WindowedValue; releasedAfter: number }[] = [];
    for (const g of this.groups.values()) for (const wv of g.elements) out.push({ wv, releasedAfter: g.releasedAfter });
    return out;
  }
}
