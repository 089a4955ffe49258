/** Seeded randomness for tests, so a failing fuzz or random case can be replayed from its seed. */
import { SeededRandom } from "../../runners/direct/seeded_random";

/** Floats in [0, 1), the same sequence for the same seed on every machine (the direct runner's mulberry32). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
