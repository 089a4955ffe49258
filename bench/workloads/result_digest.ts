/**
 * The order-independent digest by which a millrace run and a peer's run
 * (bench/peers: Flink, Spark) are proved to have produced the same results.
 *
 * A result is a tuple of non-negative whole numbers (fields below 2^53); its
 * digest folds them modulo the Mersenne prime P = 2^61 - 1:
 *
 *   h = f0;  h = (h * 1_000_003 + f1) mod P;  h = (h * 1_000_033 + f2) mod P;
 *   h = (h * 1_000_003 + f3) mod P; ...   (the multipliers alternate)
 *
 * so a window count `(key, windowEndMs, count)` digests to
 * `((key * 1_000_003 + windowEndMs) * 1_000_033 + count) mod P` as
 * bench/workloads' definitions say. A run's digest is the sum of its
 * results' digests modulo P, so it does not depend on the order the results
 * come in, nor on which worker produced them. A word enters a result as its
 * {@link wordHash}: the sum of `charCode(k) * 31^k` modulo P.
 *
 * The Java peers compute the same numbers with `long` arithmetic
 * (bench/peers/common/.../ResultDigest.java).
 *
 * The arithmetic is done on two limbs held in doubles (value = hi * 2^31 + lo,
 * hi < 2^30, lo < 2^31) rather than in BigInt: a digest is taken of every
 * result of a run (a million for Nexmark q0), and BigInt would make the
 * digest, not the runner, what the bench measures.
 */

const TWO_31 = 2147483648;
const TWO_30 = 1073741824;

/** P = 2^61 - 1, the digest's modulus. */
export const DIGEST_MODULUS = (1n << 61n) - 1n;

/** The multipliers of the fold, alternating from the second field on. */
const MULTIPLIERS = [1_000_003, 1_000_033] as const;

/** A number modulo P as two limbs: `hi * 2^31 + lo`, `hi < 2^30`, `lo < 2^31`. */
interface Limbs {
  hi: number;
  lo: number;
}

/** Bring `hi * 2^31 + lo` (hi, lo non-negative, below 2^53) back to canonical limbs; 2^61 = 1 (mod P). */
function normalise(x: Limbs): void {
  let { hi, lo } = x;
  for (;;) {
    if (lo >= TWO_31) {
      const carry = Math.floor(lo / TWO_31);
      lo -= carry * TWO_31;
      hi += carry;
    }
    if (hi >= TWO_30) {
      const wraps = Math.floor(hi / TWO_30);
      hi -= wraps * TWO_30;
      lo += wraps; // each 2^61 is 1 modulo P
      continue;
    }
    break;
  }
  // P itself (all 61 bits set) is 0.
  if (hi === TWO_30 - 1 && lo === TWO_31 - 1) hi = lo = 0;
  x.hi = hi;
  x.lo = lo;
}

/** `x = (x * m + f) mod P` for a multiplier `m < 2^21` and a field `0 <= f < 2^53`. */
function mulAdd(x: Limbs, m: number, f: number): void {
  const t = x.lo * m; // < 2^52
  const tHi = Math.floor(t / TWO_31);
  const tLo = t - tHi * TWO_31;
  const u = x.hi * m + tHi; // < 2^52: the value is u * 2^31 + tLo
  const uHi = Math.floor(u / TWO_30);
  const uLo = u - uHi * TWO_30;
  // u * 2^31 = uHi * 2^61 + uLo * 2^31 = uHi + uLo * 2^31 (mod P)
  const fHi = Math.floor(f / TWO_31); // < 2^22 as f < 2^53
  x.hi = uLo + fHi;
  x.lo = tLo + uHi + (f - fHi * TWO_31);
  normalise(x);
}

function checkField(f: number): void {
  if (!Number.isSafeInteger(f) || f < 0) throw new RangeError(`result digest: fields must be whole numbers in [0, 2^53), got ${f}`);
}

const scratch: Limbs = { hi: 0, lo: 0 };

/** Fold `fields` into `scratch`. */
function foldInto(fields: readonly number[]): Limbs {
  if (fields.length === 0) throw new RangeError("result digest: a result needs at least one field");
  const first = fields[0]!;
  checkField(first);
  scratch.hi = Math.floor(first / TWO_31);
  scratch.lo = first - scratch.hi * TWO_31;
  normalise(scratch);
  for (let k = 1; k < fields.length; k++) {
    const f = fields[k]!;
    checkField(f);
    mulAdd(scratch, MULTIPLIERS[(k - 1) % 2]!, f);
  }
  return scratch;
}

/** The digest of one result, as its two limbs (for summing in counters without losing precision). */
export function resultDigestLimbs(fields: readonly number[]): { readonly hi: number; readonly lo: number } {
  const x = foldInto(fields);
  return { hi: x.hi, lo: x.lo };
}

/** The digest of one result (see the module comment). */
export function resultDigest(fields: readonly number[]): bigint {
  const x = foldInto(fields);
  return (BigInt(x.hi) << 31n) + BigInt(x.lo);
}

/** A word's number in a result: `sum(charCode(k) * 31^k) mod P`, k from 0 at the first character. */
export function wordHash(word: string): number {
  const x: Limbs = { hi: 0, lo: 0 };
  for (let k = word.length - 1; k >= 0; k--) mulAdd(x, 31, word.charCodeAt(k));
  const hash = x.hi * TWO_31 + x.lo;
  // A field must be below 2^53; the bench's words ("word" + base 36, 8 characters at most) hash far below it.
  if (!Number.isSafeInteger(hash))
    throw new RangeError(`wordHash: "${word}" hashes above 2^53; the bench's words are at most 8 characters`);
  return hash;
}

/**
 * A run's digest from the sums of its results' limbs: `(hiSum * 2^31 +
 * loSum) mod P`. Sums of a few million limbs stay below 2^53, so counters
 * (doubles) hold them exactly.
 */
export function digestFromLimbSums(hiSum: number, loSum: number): bigint {
  if (!Number.isSafeInteger(hiSum) || !Number.isSafeInteger(loSum)) {
    throw new RangeError(`result digest: limb sums must be exact whole numbers, got ${hiSum} and ${loSum}`);
  }
  return ((BigInt(hiSum) << 31n) + BigInt(loSum)) % DIGEST_MODULUS;
}
