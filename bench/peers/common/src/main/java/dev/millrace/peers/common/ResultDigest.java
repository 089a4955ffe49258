package dev.millrace.peers.common;

/**
 * The order-independent result digest of bench/workloads/result_digest.ts, in
 * {@code long} arithmetic: a result is a tuple of non-negative whole numbers
 * (below 2^53), folded modulo P = 2^61 - 1 as
 * {@code h = f0; h = (h * 1_000_003 + f1) mod P; h = (h * 1_000_033 + f2) mod P; ...}
 * (the multipliers alternate), and a run's digest is the sum of its results'
 * digests modulo P. Equal digests on both sides prove the same results.
 */
public final class ResultDigest {
  /** P = 2^61 - 1. */
  public static final long MODULUS = (1L << 61) - 1;

  private static final long[] MULTIPLIERS = {1_000_003L, 1_000_033L};

  private ResultDigest() {}

  /** {@code x mod P} for any non-negative long. */
  static long reduce(long x) {
    long r = (x & MODULUS) + (x >>> 61);
    return r >= MODULUS ? r - MODULUS : r;
  }

  /** {@code (a * b) mod P} for {@code a, b < P}: 2^64 is 8 modulo P. */
  static long mulMod(long a, long b) {
    long hi = Math.multiplyHigh(a, b); // < 2^58
    long lo = a * b;
    return reduce(reduce((hi << 3) + (lo >>> 61)) + (lo & MODULUS));
  }

  /** The digest of one result. */
  public static long of(long... fields) {
    if (fields.length == 0) throw new IllegalArgumentException("a result needs at least one field");
    long h = reduce(check(fields[0]));
    for (int k = 1; k < fields.length; k++) h = reduce(mulMod(h, MULTIPLIERS[(k - 1) % 2]) + check(fields[k]));
    return h;
  }

  /** Add one result's digest to a running sum. */
  public static long add(long sum, long digest) {
    return reduce(sum + digest);
  }

  /** A word's number in a result: {@code sum(charCode(k) * 31^k) mod P}. */
  public static long wordHash(String word) {
    long h = 0;
    for (int k = word.length() - 1; k >= 0; k--) h = reduce(mulMod(h, 31) + word.charAt(k));
    return h;
  }

  private static long check(long f) {
    if (f < 0 || f >= (1L << 53)) throw new IllegalArgumentException("result fields must be whole numbers in [0, 2^53), got " + f);
    return f;
  }
}
