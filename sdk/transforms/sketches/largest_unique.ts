/**
 * Beam's `ApproximateUnique` estimator (`ApproximateUniqueCombineFn` and its
 * `LargestUnique` accumulator): keep the `sampleSize` largest distinct
 * hashes; if fewer were seen, that is the count, otherwise estimate the
 * count from how much of the hash space the sample covers. Its standard
 * error is about `2 / sqrt(sampleSize)`.
 *
 * Hashes are taken to 53 bits (exact in a JS number); Beam uses 64, which
 * changes nothing but the size of the space in the formula.
 *
 * @module
 */
import type { Hash64 } from "./value_hash";

/** The accumulator: the largest distinct hashes seen. */
export interface LargestUnique {
  /** Hashes, possibly unsorted and repeated beyond the first `sorted` entries until trimmed. */
  hashes: number[];
  /** How many leading entries are sorted ascending, distinct, and at most `sampleSize` long. */
  sorted: number;
}

const HASH_SPACE = 2 ** 53;

/** Beam's `sampleSizeFromEstimationError`: `ceil(4 / e^2)`, for e in [0.01, 0.5]. */
export function sampleSizeFromEstimationError(maximumEstimationError: number): number {
  if (!(maximumEstimationError >= 0.01 && maximumEstimationError <= 0.5)) {
    throw new RangeError(`maximumEstimationError must be in [0.01, 0.5], got ${maximumEstimationError}`);
  }
  return Math.ceil(4 / maximumEstimationError ** 2);
}

/** Checks a sample size as Beam does (at least 16). */
export function checkSampleSize(sampleSize: number): number {
  if (!Number.isInteger(sampleSize) || sampleSize < 16) {
    throw new RangeError(`approximateUnique sampleSize must be a whole number >= 16 (Beam's minimum), got ${sampleSize}`);
  }
  return sampleSize;
}

/** An empty accumulator. */
export function emptyLargestUnique(): LargestUnique {
  return { hashes: [], sorted: 0 };
}

function to53Bits(h: Hash64): number {
  return (h.hi >>> 11) * 2 ** 32 + h.lo;
}

/** Adds a hashed element (mutates and returns the accumulator). */
export function addToLargestUnique(acc: LargestUnique, h: Hash64, sampleSize: number): LargestUnique {
  acc.hashes.push(to53Bits(h));
  if (acc.hashes.length - acc.sorted > Math.max(sampleSize, 64)) trim(acc, sampleSize);
  return acc;
}

/** Sorts, drops repeats and keeps the `sampleSize` largest hashes. */
function trim(acc: LargestUnique, sampleSize: number): void {
  const all = acc.hashes.sort((a, b) => a - b);
  const distinct: number[] = [];
  for (let i = all.length - 1; i >= 0 && distinct.length < sampleSize; i--) {
    if (distinct.length === 0 || distinct[distinct.length - 1] !== all[i]) distinct.push(all[i]!);
  }
  acc.hashes = distinct.reverse();
  acc.sorted = acc.hashes.length;
}

/** The union of accumulators, trimmed to the sample size. */
export function mergeLargestUnique(accs: readonly LargestUnique[], sampleSize: number): LargestUnique {
  const out: LargestUnique = { hashes: accs.flatMap((a) => a.hashes), sorted: 0 };
  trim(out, sampleSize);
  return out;
}

/** Beam's `LargestUnique.getEstimate`, over a 53-bit hash space. */
export function estimateUnique(acc: LargestUnique, sampleSize: number): number {
  trim(acc, sampleSize);
  const n = acc.hashes.length;
  if (n < sampleSize) return n;
  const minHash = acc.hashes[0]!;
  const sampleSpace = HASH_SPACE - minHash;
  // Accounts for hash collisions; for sampleSize << sampleSpace it is about sampleSize * HASH_SPACE / sampleSpace.
  const est = (Math.log1p(-sampleSize / sampleSpace) / Math.log1p(-1 / sampleSpace)) * (HASH_SPACE / sampleSpace);
  return Math.round(est);
}
