import { expect } from "chai";
import { inspect } from "node:util";
import { coders, valuesEqualStructurally, type Coder } from "../../../portability/coders";
import { equalsPristine } from "../../../runners/direct/copy_equality";
import { faithfulCopy, faithfulSnapshot, NOT_FAITHFUL, UNKNOWN } from "../../../runners/direct/faithful_copy";
import { SeededRandom } from "../../../runners/direct/seeded_random";
import { randomValue } from "./random_values";

/** Every object, array and byte array inside `v` (itself included). */
function containers(v: unknown, out: object[] = []): object[] {
  if (typeof v !== "object" || v === null) return out;
  out.push(v);
  if (v instanceof Uint8Array) return out;
  for (const child of Object.values(v as Record<string, unknown>)) containers(child, out);
  return out;
}

/** A random value the JS value coder represents exactly (what user code may put in a plain value). */
function plainValue(r: SeededRandom): unknown {
  for (;;) {
    const v = randomValue(r, 3);
    const copy = faithfulCopy(coders.jsValue(), v);
    if (copy !== UNKNOWN && copy !== NOT_FAITHFUL) return v;
  }
}

/** Changes one container inside `v` the way user code might: a field set, added or deleted, an item replaced or added, a byte flipped. */
function mutateSomewhere(r: SeededRandom, v: object): void {
  const all = containers(v);
  const target = all[r.nextInt(all.length)]!;
  if (target instanceof Uint8Array) {
    if (target.length > 0) target[r.nextInt(target.length)] ^= 1 + r.nextInt(255);
    return;
  }
  if (Array.isArray(target)) {
    if (r.nextInt(2) === 0 || target.length === 0) target.push(plainValue(r));
    else target[r.nextInt(target.length)] = plainValue(r);
    return;
  }
  const o = target as Record<string, unknown>;
  const keys = Object.keys(o);
  switch (r.nextInt(3)) {
    case 0:
      if (keys.length > 0) {
        delete o[keys[r.nextInt(keys.length)]!];
        return;
      }
      o.added = 1;
      return;
    case 1:
      o[`new${r.nextInt(3)}`] = plainValue(r);
      return;
    default:
      if (keys.length > 0) o[keys[r.nextInt(keys.length)]!] = plainValue(r);
      else o.added = null;
  }
}

describe("direct runner: comparing a value with its pristine copy", () => {
  const cases: [string, Coder<unknown>][] = [
    ["js value", coders.jsValue()],
    ["kv(js, js)", coders.kv(coders.jsValue(), coders.jsValue()) as Coder<unknown>],
  ];
  for (const [name, coder] of cases) {
    for (const [kind, copyOf] of [
      ["snapshot", faithfulSnapshot],
      ["copy", faithfulCopy],
    ] as const) {
      it(`${name}, ${kind}: agrees with structural equality before and after random mutations, either side mutated`, () => {
        const r = new SeededRandom(11);
        let compared = 0;
        let mutationsSeen = 0;
        for (let i = 0; i < 3000; i++) {
          const v = name === "js value" ? randomValue(r) : { key: randomValue(r, 1), value: randomValue(r, 1) };
          const pristine = copyOf(coder, v);
          if (pristine === UNKNOWN || pristine === NOT_FAITHFUL || typeof v !== "object" || v === null) continue;
          compared++;
          expect(equalsPristine(v, pristine), `fresh copy of ${inspect(v)}`).to.equal(true);
          expect(equalsPristine(pristine, v), `fresh copy of ${inspect(v)}, original as the pristine side`).to.equal(true);
          // The producer (or a consumer given the value) changes the original: the copy is the pristine side.
          const mutateOriginal = r.nextInt(2) === 0;
          const mutated = mutateOriginal ? v : (pristine as object);
          const reference = mutateOriginal ? pristine : v;
          mutateSomewhere(r, mutated);
          const expected = valuesEqualStructurally(mutated, reference);
          if (!expected) mutationsSeen++;
          expect(equalsPristine(mutated, reference), `after a mutation: ${inspect(mutated)} vs ${inspect(reference)}`).to.equal(expected);
        }
        expect(compared, "values compared").to.be.greaterThan(300);
        expect(mutationsSeen, "mutations that changed the value").to.be.greaterThan(200);
      });
    }
  }

  it("tells 0 from -0 and NaN equal to NaN, as the encodings do", () => {
    expect(equalsPristine({ a: -0 }, { a: 0 })).to.equal(false);
    expect(equalsPristine({ a: NaN }, { a: NaN })).to.equal(true);
    expect(equalsPristine([undefined], [])).to.equal(false);
    expect(equalsPristine({ a: undefined }, {})).to.equal(false);
    expect(equalsPristine({}, { a: undefined })).to.equal(false);
  });
});
