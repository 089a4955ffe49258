/**
 * A small seeded pseudo-random number generator for the Nexmark generator.
 * Only 32-bit integer operations (`Math.imul`, shifts) are used to advance
 * the state, so a seed gives the same sequence on every platform.
 */

const TWO_32 = 4294967296;

/** murmur3's 32-bit finaliser: a good avalanche mix of one 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The low and high 32-bit words of a (possibly negative) safe integer. */
function words(x: number): [number, number] {
  const v = Math.trunc(x);
  const lo = ((v % TWO_32) + TWO_32) % TWO_32;
  const hi = Math.floor(v / TWO_32);
  return [lo >>> 0, (((hi % TWO_32) + TWO_32) % TWO_32) >>> 0];
}

/** Hash any number of integers into one 32-bit seed. */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const [lo, hi] = words(p);
    h = fmix32((h ^ lo) + 0x6d2b79f5);
    h = fmix32((h ^ hi) + 0x2545f491);
  }
  return h;
}

/** A mulberry32 generator: 32 bits of state, period 2^32. */
export class SeededRandom {
  private state: number;

  /** Seed from one or more integers (hashed together). */
  constructor(...seed: number[]) {
    this.state = hashSeed(...seed);
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A double uniformly distributed in [0, 1), with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer uniformly distributed in [0, bound); `bound` must be a positive safe integer. */
  nextInt(bound: number): number {
    if (!(bound > 0)) throw new RangeError(`bound must be positive, got ${bound}`);
    return Math.floor(this.nextDouble() * bound);
  }
}
