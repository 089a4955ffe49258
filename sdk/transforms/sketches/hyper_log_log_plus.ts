/**
 * HyperLogLog++ (Heule, Nunkesser, Hall: "HyperLogLog in Practice", 2013),
 * the sketch behind Beam's `ApproximateCountDistinct` and `HllCount`, with
 * Beam's defaults: precision 15 (2^15 registers, standard error
 * 1.04 / sqrt(2^15) ≈ 0.57 %) and sparse precision 20.
 *
 * Small cardinalities are kept in the sparse representation (one entry per
 * touched index at the sparse precision) and estimated by linear counting
 * over 2^20 buckets, which is nearly exact. Past three quarters of the
 * dense size the sketch converts to dense registers; the dense estimate is
 * Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which is unbiased over the whole range and
 * so needs no empirical bias-correction tables (the paper's tables exist to
 * patch the raw estimator's bias between linear counting and 5m).
 *
 * The sketch is a plain object (arrays and a `Uint8Array`) so it crosses a
 * shuffle with the default coder; it is not byte-compatible with
 * zetasketch's proto sketches.
 *
 * @module
 */
import type { Hash64 } from "./value_hash";

/** A HyperLogLog++ sketch: sparse entries until it converts, then dense registers. */
export interface HllSketch {
  /** Normal precision p: 2^p dense registers. */
  readonly p: number;
  /** Sparse precision sp (>= p). */
  readonly sp: number;
  /** Sparse entries `index * 64 + rho` at precision sp, possibly unsorted and repeated until normalized; null once dense. */
  sparse: number[] | null;
  /** How many leading entries of `sparse` are normalized (sorted, one per index). */
  sorted: number;
  /** Dense registers (rho per index at precision p), once converted. */
  dense: Uint8Array | null;
}

/** Beam's default precision (`HllCount.DEFAULT_PRECISION`). */
export const DEFAULT_PRECISION = 15;
/** Beam's default sparse precision (precision + 5, as zetasketch). */
export const DEFAULT_SPARSE_PRECISION = 20;

/** An empty sketch; throws a RangeError for precisions outside Beam's bounds. */
export function emptySketch(p: number = DEFAULT_PRECISION, sp: number = DEFAULT_SPARSE_PRECISION): HllSketch {
  if (!Number.isInteger(p) || p < 10 || p > 24)
    throw new RangeError(`HyperLogLog++ precision must be a whole number in [10, 24] (as Beam's HllCount), got ${p}`);
  if (!Number.isInteger(sp) || sp < p || sp > 25) {
    throw new RangeError(`HyperLogLog++ sparse precision must be a whole number in [precision (${p}), 25], got ${sp}`);
  }
  return { p, sp, sparse: [], sorted: 0, dense: null };
}

/** The index (top `bits` bits) and rho (position of the first 1 bit after them, 1-based) of a hash. */
function indexAndRho(h: Hash64, bits: number): { index: number; rho: number } {
  const index = h.hi >>> (32 - bits);
  const rest = (h.hi << bits) >>> 0;
  let rho: number;
  if (rest !== 0) rho = Math.clz32(rest) + 1;
  else if (h.lo !== 0) rho = 32 - bits + Math.clz32(h.lo) + 1;
  else rho = 64 - bits + 1;
  return { index, rho };
}

/** Adds a hashed element to the sketch (mutates and returns it). */
export function addHash(sketch: HllSketch, h: Hash64): HllSketch {
  if (sketch.dense) {
    const { index, rho } = indexAndRho(h, sketch.p);
    if (rho > sketch.dense[index]!) sketch.dense[index] = rho;
    return sketch;
  }
  const { index, rho } = indexAndRho(h, sketch.sp);
  sketch.sparse!.push(index * 64 + rho);
  // Entries are buffered unsorted and normalized in batches, as the paper's temporary set.
  if (sketch.sparse!.length - sketch.sorted > Math.max(64, sketch.sorted)) normalize(sketch);
  return sketch;
}

/** Sorts the sparse entries and keeps the largest rho per index; converts to dense when the sparse form grows too big. */
function normalize(sketch: HllSketch): void {
  const entries = sketch.sparse!;
  entries.sort((a, b) => a - b);
  const kept: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const next = entries[i + 1];
    // Sorted by index then rho: the last entry of an index has its largest rho.
    if (next === undefined || Math.floor(next / 64) !== Math.floor(e / 64)) kept.push(e);
  }
  sketch.sparse = kept;
  sketch.sorted = kept.length;
  if (kept.length > sparseLimit(sketch)) toDense(sketch);
}

function sparseLimit(sketch: HllSketch): number {
  return (3 * (1 << sketch.p)) / 4;
}

/** Converts a sparse sketch to dense registers (mutates it). */
function toDense(sketch: HllSketch): void {
  const dense = new Uint8Array(1 << sketch.p);
  const shift = sketch.sp - sketch.p;
  for (const e of sketch.sparse!) {
    const sparseIndex = Math.floor(e / 64);
    const sparseRho = e % 64;
    const index = sparseIndex >>> shift;
    const between = sparseIndex & ((1 << shift) - 1);
    // The bits between the two precisions decide rho when any is set; otherwise they add to the sparse rho.
    const rho = between !== 0 ? Math.clz32(between) - (32 - shift) + 1 : shift + sparseRho;
    if (rho > dense[index]!) dense[index] = rho;
  }
  sketch.dense = dense;
  sketch.sparse = null;
  sketch.sorted = 0;
}

/** Merges sketches of the same precisions into a new one (the sketch of the union). */
export function mergeSketches(sketches: readonly HllSketch[], p: number, sp: number): HllSketch {
  const out = emptySketch(p, sp);
  for (const s of sketches) {
    if (s.p !== p || s.sp !== sp) throw new Error(`cannot merge HyperLogLog++ sketches of precisions (${s.p}, ${s.sp}) and (${p}, ${sp})`);
  }
  if (sketches.every((s) => s.sparse)) {
    out.sparse = sketches.flatMap((s) => s.sparse!);
    normalize(out);
    return out;
  }
  const dense = new Uint8Array(1 << p);
  for (const s of sketches) {
    const d = s.dense ?? denseCopyOf(s);
    for (let i = 0; i < dense.length; i++) if (d[i]! > dense[i]!) dense[i] = d[i]!;
  }
  out.dense = dense;
  out.sparse = null;
  return out;
}

/** The dense registers of a sparse sketch, leaving it as it is (toDense keeps the largest rho of repeated entries). */
function denseCopyOf(s: HllSketch): Uint8Array {
  const copy: HllSketch = { ...s, sparse: s.sparse!.slice() };
  toDense(copy);
  return copy.dense!;
}

/** The estimated number of distinct elements added to the sketch. */
export function estimate(sketch: HllSketch): number {
  if (sketch.sparse) {
    if (sketch.sparse.length !== sketch.sorted) normalize(sketch);
    if (sketch.sparse) return linearCounting(1 << sketch.sp, (1 << sketch.sp) - sketch.sparse.length);
  }
  return ertlEstimate(sketch.dense!, sketch.p);
}

function linearCounting(m: number, empty: number): number {
  return empty === 0 ? m * Math.log(m) : Math.round(m * Math.log(m / empty));
}

/** Ertl's improved estimator over the register histogram. */
function ertlEstimate(registers: Uint8Array, p: number): number {
  const m = registers.length;
  const q = 64 - p;
  const counts = new Array<number>(q + 2).fill(0);
  for (const r of registers) counts[r]! += 1;
  let z = m * tau(1 - counts[q + 1]! / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += m * sigma(counts[0]! / m);
  const alphaInf = 1 / (2 * Math.log(2));
  return Math.round((alphaInf * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
