import { expect } from "chai";
import { inspect } from "node:util";
import { coders, decodeFromBytes, encodeToBytes, valuesEqualStructurally, type Coder } from "../../../portability/coders";
import { faithfulCopy, faithfulSnapshot, NOT_FAITHFUL, UNKNOWN } from "../../../runners/direct/faithful_copy";
import { SeededRandom } from "../../../runners/direct/seeded_random";
import { randomValue } from "./random_values";

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
        // The snapshot (a whole-object clone) judges the same and equals the same.
        const snapshot = faithfulSnapshot(coder, v);
        expect(snapshot, `snapshot of ${inspect(v)}`).to.not.equal(UNKNOWN);
        expect(snapshot, `snapshot of ${inspect(v)}`).to.not.equal(NOT_FAITHFUL);
        expect(
          valuesEqualStructurally((real as { decoded: unknown }).decoded, snapshot),
          "snapshot differs from the decoded value",
        ).to.equal(true);
        if (typeof v === "object" && v !== null) expect(snapshot, "a snapshot shares no object with the original").to.not.equal(v);
      }
      expect(copies, "the shortcut was exercised").to.be.greaterThan(100);
      if (name === "js value") expect(unfaithful, "lone surrogates were seen").to.be.greaterThan(0);
    });
  }
});
