/**
 * Keyed routing: murmur3 (x86, 32-bit) against SMHasher's published
 * verification vectors, and key group -> subtask assignment against Flink's
 * KeyGroupRangeAssignment (contiguous, balanced ranges; every key group owned
 * by exactly one subtask; a key's subtask is its key group's owner).
 */
import { expect } from "chai";
import { keyGroupOf, murmur3, subtaskOfKey, subtaskOfKeyGroup } from "../../../runners/stream/key_groups";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Flink's KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex (inclusive bounds). */
function flinkRange(maxParallelism: number, parallelism: number, operatorIndex: number): { start: number; end: number } {
  return {
    start: Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism),
  };
}

describe("stream runner: key groups", () => {
  describe("murmur3 (x86, 32-bit)", () => {
    // SMHasher's verification vectors, as collected in hajimes/mmh3's tests.
    const vectors: [string, Uint8Array, number, number][] = [
      ["no bytes, seed 0", bytes(), 0, 0],
      ["no bytes, seed 1", bytes(), 1, 0x514e28b7],
      ["no bytes, seed 0xffffffff (unsigned seed)", bytes(), 0xffffffff, 0x81f16f39],
      ["ff ff ff ff (unsigned block math)", bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
      ["21 43 65 87 (little-endian blocks)", bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
      ["21 43 65 87, seed 0x5082edee", bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
      ["21 43 65 (three-byte tail)", bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
      ["21 43 (two-byte tail)", bytes(0x21, 0x43), 0, 0xa0f7b07a],
      ["21 (one-byte tail)", bytes(0x21), 0, 0x72661cf4],
      ["00 00 00 00", bytes(0, 0, 0, 0), 0, 0x2362f9de],
      ["00 00 00", bytes(0, 0, 0), 0, 0x85f0b427],
      ["00 00", bytes(0, 0), 0, 0x30f4c306],
      ["00", bytes(0), 0, 0x514e28b7],
      ['"aaaa"', utf8("aaaa"), 0x9747b28c, 0x5a97808a],
      ['"aaa"', utf8("aaa"), 0x9747b28c, 0x283e0130],
      ['"aa"', utf8("aa"), 0x9747b28c, 0x5d211726],
      ['"a"', utf8("a"), 0x9747b28c, 0x7fa09ea6],
      ['"abcd"', utf8("abcd"), 0x9747b28c, 0xf0478627],
      ['"Hello, world!"', utf8("Hello, world!"), 0x9747b28c, 0x24884cba],
      ['"ππππππππ" (UTF-8)', utf8("ππππππππ"), 0x9747b28c, 0xd58063c1],
      ['"a" x 256', utf8("a".repeat(256)), 0x9747b28c, 0x37405bdc],
      ['"abc", seed 0', utf8("abc"), 0, 0xb3dd93fa],
      ["56 bytes, seed 0", utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), 0, 0xee925b90],
      ["the quick brown fox", utf8("The quick brown fox jumps over the lazy dog"), 0x9747b28c, 0x2fa826cd],
    ];
    for (const [name, input, seed, expected] of vectors) {
      it(`hashes ${name} to 0x${expected.toString(16).padStart(8, "0")}`, () => {
        expect(murmur3(input, seed)).to.equal(expected);
      });
    }

    it("returns an unsigned 32-bit integer and depends only on the bytes (not on the view's offset)", () => {
      const backing = utf8("xxThe quick brown fox jumps over the lazy dog");
      const view = backing.subarray(2);
      expect(murmur3(view, 0x9747b28c)).to.equal(0x2fa826cd);
      for (let i = 0; i < 1000; i++) {
        const h = murmur3(utf8(`key-${i}`));
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).to.equal(true);
      }
    });
  });

  describe("key group -> subtask (Flink's KeyGroupRangeAssignment)", () => {
    for (const maxParallelism of [1, 7, 128, 1000]) {
      it(`at maxParallelism ${maxParallelism}, every parallelism gets contiguous ranges that match Flink's and differ in size by at most one`, () => {
        for (let parallelism = 1; parallelism <= Math.min(maxParallelism, 64); parallelism++) {
          const owners = Array.from({ length: maxParallelism }, (_, kg) => subtaskOfKeyGroup(kg, maxParallelism, parallelism));
          // Owners never go down as key groups go up, and every subtask owns something: contiguous ranges in order.
          const steps = new Set<number>();
          for (let kg = 1; kg < maxParallelism; kg++) steps.add(owners[kg]! - owners[kg - 1]!);
          expect(
            [...steps].every((d) => d === 0 || d === 1),
            `steps at parallelism ${parallelism}`,
          ).to.equal(true);
          expect(owners[0]).to.equal(0);
          expect(owners[maxParallelism - 1]).to.equal(parallelism - 1);
          const first = new Array<number>(parallelism).fill(-1);
          const last = new Array<number>(parallelism).fill(-1);
          owners.forEach((sub, kg) => {
            if (first[sub] === -1) first[sub] = kg;
            last[sub] = kg;
          });
          const expected = Array.from({ length: parallelism }, (_, sub) => flinkRange(maxParallelism, parallelism, sub));
          expect(
            first.map((start, sub) => ({ start, end: last[sub]! })),
            `ranges at parallelism ${parallelism}`,
          ).to.deep.equal(expected);
          const sizes = expected.map(({ start, end }) => end - start + 1);
          expect(sizes.reduce((a, b) => a + b, 0)).to.equal(maxParallelism);
          expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
        }
      });
    }

    it("routes a key to the owner of its key group (murmur3 of its encoding modulo maxParallelism)", () => {
      for (let i = 0; i < 500; i++) {
        const key = utf8(`word${i}`);
        const kg = keyGroupOf(key, 128);
        expect(kg).to.equal(murmur3(key) % 128);
        for (const p of [1, 2, 3, 4, 128]) expect(subtaskOfKey(key, 128, p)).to.equal(subtaskOfKeyGroup(kg, 128, p));
      }
    });

    it("spreads distinct keys over key groups and subtasks roughly evenly", () => {
      const perGroup = new Array<number>(128).fill(0);
      const perSubtask = new Array<number>(4).fill(0);
      const n = 100_000;
      for (let i = 0; i < n; i++) {
        const key = utf8(`user-${i}`);
        perGroup[keyGroupOf(key, 128)]!++;
        perSubtask[subtaskOfKey(key, 128, 4)]!++;
      }
      // 781 expected per group; a well-mixed hash stays far inside +-25%.
      expect(Math.min(...perGroup)).to.be.above((n / 128) * 0.75);
      expect(Math.max(...perGroup)).to.be.below((n / 128) * 1.25);
      for (const c of perSubtask) expect(c).to.be.within(n / 4 - 2500, n / 4 + 2500);
    });

    it("keeps a key on the subtask that owns its key group when only the parallelism changes (whole key groups move on rescale)", () => {
      for (let i = 0; i < 200; i++) {
        const key = utf8(`k${i}`);
        const kg = keyGroupOf(key, 128);
        for (const p of [1, 2, 3, 5, 8]) {
          const { start, end } = flinkRange(128, p, subtaskOfKey(key, 128, p));
          expect(kg).to.be.within(start, end);
        }
      }
    });
  });
});
