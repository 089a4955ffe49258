/**
 * A seeded pseudo-random source, so that a chaos run's kill points can be
 * replayed: the same `--seed` draws the same progress targets and delays.
 * Mulberry32 (a 32-bit state, good enough to spread kill points; not for
 * cryptography): a dependency would be heavier than these lines.
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
}

/** A {@link SeededRandom} started from `seed`. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
