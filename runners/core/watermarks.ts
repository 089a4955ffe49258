/**
 * The watermark rules every runner follows (Beam's WatermarkManager, Flink's
 * StatusWatermarkValve and Spark's event-time watermark are the same idea):
 *
 * - a node's input watermark is the lowest of its main inputs' watermarks
 *   and of the timestamps it still has queued, and never goes back: a late
 *   element waiting in a queue does not pull time back, so it stays late;
 * - its output watermark is its input watermark, held further by the side
 *   inputs it reads, by the holds of its buffered state (panes not yet fired,
 *   timers) once partial combines are flushed, and by the elements pushed
 *   back to wait for side inputs; it never goes back either.
 *
 * Runners differ only in where the figures come from (a queue, channels, a
 * batch's offsets); the arithmetic lives here.
 */

/**
 * A node's input watermark.
 *
 * @param previous the node's input watermark so far (-Infinity at first)
 * @param upstream the lowest watermark of its main inputs, or its source's watermark
 * @param queued the earliest timestamp still queued at the node (Infinity when none)
 */
export function nextInputWatermark(previous: number, upstream: number, queued = Infinity): number {
  return Math.max(previous, Math.min(upstream, queued));
}

/** The lowest of some PCollections' watermarks (Infinity for none; an unknown PCollection is at -Infinity). */
export function lowestWatermark(pcollections: Iterable<string>, watermarkOf: (pc: string) => number | undefined): number {
  let wm = Infinity;
  for (const pc of pcollections) wm = Math.min(wm, watermarkOf(pc) ?? -Infinity);
  return wm;
}

/** What a node's output watermark is computed from. */
export interface NodeTime {
  /** The node's input watermark (see {@link nextInputWatermark}), or its source's watermark. */
  readonly input: number;
  /** The lowest watermark of the side inputs it reads (Infinity when none). */
  readonly sideInputs: number;
  /** The earliest timestamp among elements pushed back to wait for side inputs (Infinity when none). */
  readonly pushedBack: number;
  /** The node's output watermark so far (-Infinity at first). */
  readonly previous: number;
}

/** The holds of a node's buffered state. */
export interface WatermarkHolds {
  /** The earliest timestamp the node may still output, from what it buffers (Infinity when nothing). */
  watermarkHold(): number;
  /**
   * Emits the partial combines of the windows the node's input watermark
   * has passed. Called first, so that only the partials of open windows
   * are left to hold time (and to be flushed by {@link flush}). Absent when
   * the node has none.
   */
  flushCompleteWindows?(inputWatermark: number): void;
  /**
   * Emits the partial combines it buffers. Called only when the hold is
   * behind the node's input: their windows may be complete, and holding
   * them would hold time back for nothing. Absent when the node has none.
   */
  flush?(): void;
}

/**
 * A node's output watermark: the lowest of its input, its side inputs, its
 * holds (after emitting the partial combines of complete windows, and
 * flushing the others if they still hold it back) and its pushed-back
 * elements; never lower than before.
 */
export function nextOutputWatermark(time: NodeTime, holds?: WatermarkHolds): number {
  let wm = Math.min(time.input, time.sideInputs);
  if (holds) {
    holds.flushCompleteWindows?.(time.input);
    let hold = holds.watermarkHold();
    if (hold < wm && holds.flush) {
      holds.flush();
      hold = holds.watermarkHold();
    }
    wm = Math.min(wm, hold);
  }
  return Math.max(time.previous, Math.min(wm, time.pushedBack));
}
