/**
 * The bundles waiting at one node: taken in a seeded random order, with the
 * earliest timestamp among them always at hand (it holds the node's input
 * watermark). A min-heap of bundle minima with lazy deletion keeps both
 * operations logarithmic, however many bundles wait.
 */
import type { WindowedValue } from "../../sdk/values/windowed_value";
import type { SeededRandom } from "./seeded_random";

type Bundle = WindowedValue[];

interface Entry {
  readonly bundle: Bundle;
  readonly minTimestamp: number;
  taken: boolean;
}

/** A node's queue of bundles. */
export class PendingQueue {
  private readonly entries: Entry[] = [];
  private readonly heap: Entry[] = [];

  /** Number of waiting bundles. */
  get length(): number {
    return this.entries.length;
  }

  /** Adds bundles. */
  push(...bundles: Bundle[]): void {
    for (const bundle of bundles) {
      let min = Infinity;
      for (let i = 0; i < bundle.length; i++) if (bundle[i]!.timestamp < min) min = bundle[i]!.timestamp;
      const entry: Entry = { bundle, minTimestamp: min, taken: false };
      this.entries.push(entry);
      this.heapPush(entry);
    }
  }

  /** Removes and returns a random waiting bundle. */
  takeRandom(random: SeededRandom): Bundle {
    const i = random.nextInt(this.entries.length);
    const entry = this.entries[i]!;
    this.entries[i] = this.entries[this.entries.length - 1]!;
    this.entries.pop();
    entry.taken = true;
    return entry.bundle;
  }

  /** Removes and returns every waiting bundle. */
  takeAll(): Bundle[] {
    const all = this.entries.map((e) => e.bundle);
    this.entries.length = 0;
    this.heap.length = 0;
    return all;
  }

  /** The earliest timestamp among waiting bundles, or Infinity. */
  minTimestamp(): number {
    while (this.heap.length > 0 && this.heap[0]!.taken) this.heapPop();
    return this.heap.length > 0 ? this.heap[0]!.minTimestamp : Infinity;
  }

  private heapPush(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.minTimestamp <= e.minTimestamp) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.minTimestamp < h[l]!.minTimestamp ? r : l;
      if (h[c]!.minTimestamp >= last.minTimestamp) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
