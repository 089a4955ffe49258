/**
 * The bundles waiting at one node: taken in a seeded random order, with the
 * earliest timestamp among them always at hand (it holds the node's input
 * watermark), however many bundles wait.
 */
import type { WindowedValue } from "../../model/windowed_value";
import { MinHeap, type HeapEntry } from "../core/min_heap";
import type { SeededRandom } from "./seeded_random";

type Bundle = WindowedValue[];

interface Entry extends HeapEntry {
  readonly bundle: Bundle;
}

/** A node's queue of bundles. */
export class PendingQueue {
  private readonly entries: Entry[] = [];
  private readonly heap = new MinHeap<Entry>();

  /** Number of waiting bundles. */
  get length(): number {
    return this.entries.length;
  }

  /** Adds bundles. */
  push(...bundles: Bundle[]): void {
    for (const bundle of bundles) {
      let min = Infinity;
      for (let i = 0; i < bundle.length; i++) if (bundle[i]!.timestamp < min) min = bundle[i]!.timestamp;
      const entry: Entry = { bundle, priority: min, removed: false };
      this.entries.push(entry);
      this.heap.push(entry);
    }
  }

  /** Removes and returns a random waiting bundle. */
  takeRandom(random: SeededRandom): Bundle {
    const i = random.nextInt(this.entries.length);
    const entry = this.entries[i]!;
    this.entries[i] = this.entries[this.entries.length - 1]!;
    this.entries.pop();
    entry.removed = true;
    return entry.bundle;
  }

  /** The earliest timestamp among waiting bundles, or Infinity. */
  minTimestamp(): number {
    return this.heap.minPriority();
  }
}
