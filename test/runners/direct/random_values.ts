/**
 * Random values of every kind the JS value coder meets, including the
 * awkward ones (lone surrogates, -0, NaN, holes, Buffers, null prototypes,
 * classes the coder refuses), for the direct runner's check tests.
 */
import type { SeededRandom } from "../../../runners/direct/seeded_random";

/** A random value, nested up to a few levels. */
export function randomValue(r: SeededRandom, depth = 0): unknown {
  const kinds = depth > 3 ? 9 : 12;
  switch (r.nextInt(kinds)) {
    case 0:
      return ["", "a", "héllo", "\u{1F600}", "\uD800", "x\uDC00y", "null"][r.nextInt(7)];
    case 1:
      return [0, -0, 1, -1, 2 ** 53, 2 ** 53 + 2, 0.1, NaN, Infinity, -Infinity, 1e-300][r.nextInt(11)];
    case 2:
      return r.nextInt(2) === 0;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return [0n, -5n, 2n ** 70n][r.nextInt(3)];
    case 6:
      return new Uint8Array([r.nextInt(256), r.nextInt(256)]);
    case 7:
      return Buffer.from([1, 2, 3]);
    case 8:
      return [
        new Date(0),
        new Map([[1, 2]]),
        () => 1,
        Symbol("s"),
        new (class Point {
          x = 1;
        })(),
      ][r.nextInt(5)];
    case 9: {
      const a = Array.from({ length: r.nextInt(4) }, () => randomValue(r, depth + 1));
      if (r.nextInt(5) === 0) a.length += 2; // holes
      return a;
    }
    case 10: {
      const o: Record<string, unknown> = r.nextInt(6) === 0 ? Object.create(null) : {};
      for (let i = r.nextInt(4); i > 0; i--) o[["k", "b", "a", "z z", ""][r.nextInt(5)]!] = randomValue(r, depth + 1);
      return o;
    }
    default:
      return { key: randomValue(r, depth + 1), value: randomValue(r, depth + 1) };
  }
}
