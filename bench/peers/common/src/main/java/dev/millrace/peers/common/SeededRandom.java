package dev.millrace.peers.common;

/**
 * A port of bench/nexmark/generator/random.ts: mulberry32 seeded by a
 * murmur3-finalised hash of integers. Java's {@code int} arithmetic wraps
 * modulo 2^32 as JavaScript's {@code Math.imul} and bitwise operators do, so
 * the sequences are the same bit for bit.
 */
public final class SeededRandom {
  private int state;

  /** Seed from integers (hashed together), as {@code new SeededRandom(...seed)} in TypeScript. */
  public SeededRandom(long... seed) {
    this.state = hashSeed(seed);
  }

  private static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** The TypeScript {@code hashSeed}: each part's low and high 32-bit words. */
  static int hashSeed(long... parts) {
    int h = 0x9e3779b9;
    for (long p : parts) {
      int lo = (int) Math.floorMod(p, 1L << 32);
      int hi = (int) Math.floorMod(Math.floorDiv(p, 1L << 32), 1L << 32);
      h = fmix32((h ^ lo) + 0x6d2b79f5);
      h = fmix32((h ^ hi) + 0x2545f491);
    }
    return h;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  public long nextUint32() {
    state += 0x6d2b79f5;
    int t = state;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    return Integer.toUnsignedLong(t ^ (t >>> 14));
  }

  /** A double uniformly distributed in [0, 1), with 53 random bits. */
  public double nextDouble() {
    long a = nextUint32() >>> 5;
    long b = nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** An integer uniformly distributed in [0, bound). */
  public long nextInt(long bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
    return (long) Math.floor(nextDouble() * bound);
  }
}
