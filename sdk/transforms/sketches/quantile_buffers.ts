/**
 * Beam's `ApproximateQuantiles.ApproximateQuantilesCombineFn`: the
 * Munro-Paterson algorithm ("Selection and Sorting with Limited Storage",
 * 1980) as refined by Manku, Rajagopalan and Lindsay ("Approximate Medians
 * and other Quantiles in One Pass and with Limited Memory", 1998).
 *
 * Elements fill an unbuffered list; a full list becomes a sorted buffer of
 * level 0 and weight 1. When there are more than `numBuffers` buffers, the
 * ones of the lowest level are collapsed into one buffer of the next level
 * whose weight is their total, keeping `bufferSize` evenly spaced elements
 * of their weighted merge. The sizes follow Beam's defaults: at most 1e9
 * elements, error `epsilon = 1 / numQuantiles`, `b` and `k` as Beam computes
 * them. The output has `numQuantiles` elements: the minimum, the
 * `numQuantiles - 2` interpolated quantiles, and the maximum.
 *
 * The state is a plain object so it crosses a shuffle with the default coder.
 *
 * @module
 */

/** Compares two values like `Array.prototype.sort`'s comparator. */
export type Compare<T> = (a: T, b: T) => number;

/** A sorted buffer of `bufferSize` elements, each standing for `weight` inputs. */
export interface QuantileBuffer<T> {
  /** How many collapses made it. */
  readonly level: number;
  /** How many inputs each element stands for. */
  readonly weight: number;
  /** Sorted elements. */
  readonly elements: T[];
}

/** The accumulator of the quantiles CombineFn. */
export interface QuantileState<T> {
  /** The smallest input so far (undefined while empty). */
  min: T | undefined;
  /** The largest input so far. */
  max: T | undefined;
  /** Inputs not yet in a buffer. */
  unbuffered: T[];
  /** Full buffers. */
  buffers: QuantileBuffer<T>[];
  /** Alternates the offset of even-weight collapses (Beam's `offsetJitter`). */
  offsetJitter: number;
}

/** The sizes of the buffers, as Beam computes them. */
export interface QuantileSizes {
  /** How many quantiles to return (min and max included). */
  readonly numQuantiles: number;
  /** Elements per buffer (k). */
  readonly bufferSize: number;
  /** Buffers kept before collapsing (b). */
  readonly numBuffers: number;
}

/** Beam's `DEFAULT_MAX_NUM_ELEMENTS`. */
export const DEFAULT_MAX_NUM_ELEMENTS = 1e9;

/** Beam's `ApproximateQuantilesCombineFn.create`: the optimal b and k for `epsilon = 1 / numQuantiles`. */
export function quantileSizes(numQuantiles: number, maxNumElements: number = DEFAULT_MAX_NUM_ELEMENTS): QuantileSizes {
  if (!Number.isInteger(numQuantiles) || numQuantiles < 2) {
    throw new RangeError(`approximateQuantiles needs a whole number of quantiles >= 2 (min and max), got ${numQuantiles}`);
  }
  const epsilon = 1 / numQuantiles;
  let b = 2;
  while ((b - 2) * 2 ** (b - 2) < epsilon * maxNumElements) b++;
  b--;
  const k = Math.max(2, Math.ceil(maxNumElements / 2 ** (b - 1)));
  return { numQuantiles, bufferSize: k, numBuffers: b };
}

/** An empty state. */
export function emptyQuantileState<T>(): QuantileState<T> {
  return { min: undefined, max: undefined, unbuffered: [], buffers: [], offsetJitter: 0 };
}

/** Adds one input (mutates and returns the state). */
export function addToQuantiles<T>(state: QuantileState<T>, x: T, sizes: QuantileSizes, compare: Compare<T>): QuantileState<T> {
  if (state.min === undefined || compare(x, state.min) < 0) state.min = x;
  if (state.max === undefined || compare(x, state.max) > 0) state.max = x;
  addUnbuffered(state, x, sizes, compare);
  return state;
}

function addUnbuffered<T>(state: QuantileState<T>, x: T, sizes: QuantileSizes, compare: Compare<T>): void {
  state.unbuffered.push(x);
  if (state.unbuffered.length === sizes.bufferSize) {
    state.buffers.push({ level: 0, weight: 1, elements: state.unbuffered.sort(compare) });
    state.unbuffered = [];
    collapseIfNeeded(state, sizes, compare);
  }
}

/** Merges states into a new one (Beam's `mergeAccumulators`: the first, then each other merged in). */
export function mergeQuantileStates<T>(states: readonly QuantileState<T>[], sizes: QuantileSizes, compare: Compare<T>): QuantileState<T> {
  const out = emptyQuantileState<T>();
  for (const other of states) {
    if (other.min === undefined) continue;
    if (out.min === undefined || compare(other.min, out.min) < 0) out.min = other.min;
    if (out.max === undefined || compare(other.max as T, out.max) > 0) out.max = other.max;
    for (const x of other.unbuffered) addUnbuffered(out, x, sizes, compare);
    out.buffers.push(...other.buffers);
    collapseIfNeeded(out, sizes, compare);
  }
  return out;
}

/** Beam's `collapseIfNeeded`: while too many buffers, collapse the two of lowest level and any others of the second's level. */
function collapseIfNeeded<T>(state: QuantileState<T>, sizes: QuantileSizes, compare: Compare<T>): void {
  while (state.buffers.length > sizes.numBuffers) {
    // Stable by level, as Java's priority queue ordered by level.
    state.buffers.sort((a, b) => a.level - b.level);
    const toCollapse = state.buffers.splice(0, 2);
    const minLevel = toCollapse[1]!.level;
    while (state.buffers.length > 0 && state.buffers[0]!.level === minLevel) toCollapse.push(state.buffers.shift()!);
    state.buffers.push(collapse(state, toCollapse, sizes, compare));
  }
}

function collapse<T>(state: QuantileState<T>, buffers: QuantileBuffer<T>[], sizes: QuantileSizes, compare: Compare<T>): QuantileBuffer<T> {
  let level = 0;
  let weight = 0;
  for (const b of buffers) {
    // Buffers from independently computed shards may differ in level: take the max, as Beam.
    level = Math.max(level, b.level + 1);
    weight += b.weight;
  }
  return { level, weight, elements: interpolate(buffers, sizes.bufferSize, weight, offset(state, weight), compare) };
}

function offset<T>(state: QuantileState<T>, weight: number): number {
  if (weight % 2 === 1) return (weight + 1) / 2;
  state.offsetJitter = 2 - state.offsetJitter;
  return (weight + state.offsetJitter) / 2;
}

/** `count` elements of the weighted merge of sorted buffers, at positions `offset + j * step`. */
function interpolate<T>(buffers: readonly QuantileBuffer<T>[], count: number, step: number, offset: number, compare: Compare<T>): T[] {
  const merged = mergeSorted(buffers, compare);
  const out: T[] = [];
  let i = 0;
  let current = merged[0]!.weight;
  for (let j = 0; j < count; j++) {
    const target = j * step + offset;
    while (current <= target && i + 1 < merged.length) {
      i++;
      current += merged[i]!.weight;
    }
    out.push(merged[i]!.value);
  }
  return out;
}

function mergeSorted<T>(buffers: readonly QuantileBuffer<T>[], compare: Compare<T>): { value: T; weight: number }[] {
  const all: { value: T; weight: number }[] = [];
  for (const b of buffers) for (const value of b.elements) all.push({ value, weight: b.weight });
  // A stable sort of the concatenation gives the same order as a k-way merge of the sorted buffers.
  return all.sort((a, b) => compare(a.value, b.value));
}

/** Beam's `extractOutput`: min, `numQuantiles - 2` interpolated quantiles, max; empty for no input. */
export function extractQuantiles<T>(state: QuantileState<T>, sizes: QuantileSizes, compare: Compare<T>): T[] {
  if (state.min === undefined) return [];
  let total = state.unbuffered.length;
  for (const b of state.buffers) total += sizes.bufferSize * b.weight;
  const all = state.buffers.slice();
  if (state.unbuffered.length > 0) all.push({ level: 0, weight: 1, elements: state.unbuffered.slice().sort(compare) });
  const step = total / (sizes.numQuantiles - 1);
  const off = (total - 1) / (sizes.numQuantiles - 1);
  return [state.min, ...interpolate(all, sizes.numQuantiles - 2, step, off, compare), state.max as T];
}
