import { expect } from "chai";
import { inspect } from "node:util";
import { coders, decodeFromBytes, encodeToBytes, valuesEqualStructurally, type Coder } from "../../../portability/coders";
import { faithfulCopy, NOT_FAITHFUL, UNKNOWN } from "../../../runners/direct/faithful_copy";
import { SeededRandom } from "../../../runners/direct/seeded_random";

/** Random values of every kind the JS value coder meets, including the awkward ones. */
function randomValue(r: SeededRandom, depth = 0): unknown {
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

function roundTrip(coder: Coder<unknown>, v: unknown): { ok: true; decoded: unknown } | { ok: false } {
  try {
    return { ok: true, decoded: decodeFromBytes(coder, encodeToBytes(coder, v)) };
  } catch {
    return { ok: false };
  }
}

describe("direct runner: faithful copies agree with the real coders", () => {
  const cases: [string, Coder<unknown>][] = [
    ["js value", coders.jsValue()],
    ["kv(js, js)", coders.kv(coders.jsValue(), coders.jsValue()) as Coder<unknown>],
    ["iterable(js)", coders.iterable(coders.jsValue()) as Coder<unknown>],
    ["nullable(string)", coders.nullable(coders.stringUtf8()) as Coder<unknown>],
  ];
  for (const [name, coder] of cases) {
    it(`${name}: a faithful copy is what decode(encode(v)) gives; 'not faithful' means the round trip changes the value`, () => {
      const r = new SeededRandom(7);
      let copies = 0;
      let unfaithful = 0;
      for (let i = 0; i < 3000; i++) {
        const v = coder.urn === "beam:coder:iterable:v1" ? [randomValue(r), randomValue(r)] : randomValue(r);
        const copy = faithfulCopy(coder, v);
        if (copy === UNKNOWN) continue; // the runner encodes and decodes for real
        const real = roundTrip(coder, v);
        if (copy === NOT_FAITHFUL) {
          unfaithful++;
          expect(real.ok && valuesEqualStructurally(real.decoded, v), `${inspect(v)} was judged not faithful`).to.equal(false);
          continue;
        }
        copies++;
        expect(real.ok, `the coder refuses a value the shortcut accepted: ${inspect(v)}`).to.equal(true);
        expect(valuesEqualStructurally((real as { decoded: unknown }).decoded, copy), "copy differs from the decoded value").to.equal(true);
        expect(valuesEqualStructurally(copy, v), "copy differs from the original").to.equal(true);
      }
      expect(copies, "the shortcut was exercised").to.be.greaterThan(100);
      if (name === "js value") expect(unfaithful, "lone surrogates were seen").to.be.greaterThan(0);
    });
  }
});
