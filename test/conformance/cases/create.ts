/** Sources: create, createTimestamped, impulse; values surviving the trip between steps. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { expectSame } from "./helpers";

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("create: strings", (p) => {
      const pc = p.apply(mr.create(["to", "be", "or", "not", "to", "be"]));
      mr.testing.assertThat(pc).containsInAnyOrder(["be", "be", "not", "or", "to", "to"]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("create: empty", (p) => {
      const pc = p.apply(mr.create<number>([]));
      mr.testing.assertThat(pc).isEmpty();
      mr.testing.assertThat(pc.map((x) => x + 1)).containsInAnyOrder([]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("create: objects", (p) => {
      const pc = p.apply(
        mr.create([{ name: "ada", age: 36, tags: ["math"] }, { name: "alan", age: 41, tags: [], nested: { deep: { deeper: true } } }, {}]),
      );
      mr.testing
        .assertThat(pc)
        .containsInAnyOrder([
          {},
          { age: 41, name: "alan", tags: [], nested: { deep: { deeper: true } } },
          { tags: ["math"], age: 36, name: "ada" },
        ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("create: nested arrays", (p) => {
      const pc = p.apply(mr.create([[1, [2, [3, [4]]]], [], [[]], [["a"], ["b", "c"]]]));
      mr.testing.assertThat(pc).containsInAnyOrder([[], [[]], [["a"], ["b", "c"]], [1, [2, [3, [4]]]]]);
      // Structure (not just equality under some encoding) survives: depths are intact downstream.
      mr.testing.assertThat(pc.map((a: unknown) => depth(a))).containsInAnyOrder([1, 2, 2, 4]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("create: Uint8Array", (p) => {
      const pc = p.apply(mr.create([new Uint8Array([1, 2, 255]), new Uint8Array([])]));
      mr.testing.assertThat(pc).containsInAnyOrder([new Uint8Array([]), new Uint8Array([1, 2, 255])]);
      mr.testing
        .assertThat(pc.map((b) => `${b instanceof Uint8Array}:${Array.from(b).join(",")}`))
        .containsInAnyOrder(["true:1,2,255", "true:"]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("create: bigint", (p) => {
      const big = 2n ** 80n + 7n;
      const pc = p.apply(mr.create([0n, -1n, big, -big]));
      mr.testing.assertThat(pc).containsInAnyOrder([big, 0n, -big, -1n]);
      mr.testing.assertThat(pc.map((b) => typeof b)).containsInAnyOrder(["bigint", "bigint", "bigint", "bigint"]);
      mr.testing.assertThat(pc.map((b) => b * 2n)).containsInAnyOrder([0n, -2n, 2n * big, -2n * big]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("create: special primitives", (p) => {
      const pc = p.apply(mr.create<unknown>([null, true, false, -0, 0.1, 1e300, -Infinity, NaN, "", "héllo ✓ 🎉", 2 ** 53 + 2]));
      mr.testing.assertThat(pc).satisfies((els) => {
        if (els.length !== 11) throw new Error(`expected 11 elements, got ${els.length}`);
        const has = (pred: (v: unknown) => boolean, what: string): void => {
          if (els.filter(pred).length !== 1) throw new Error(`expected exactly one ${what}`);
        };
        has((v) => v === null, "null");
        has((v) => v === true, "true");
        has((v) => v === false, "false");
        has((v) => Object.is(v, -0), "-0");
        has((v) => v === 0.1, "0.1");
        has((v) => v === 1e300, "1e300");
        has((v) => v === -Infinity, "-Infinity");
        has((v) => typeof v === "number" && Number.isNaN(v), "NaN");
        has((v) => v === "", "empty string");
        has((v) => v === "héllo ✓ 🎉", "unicode string");
        has((v) => v === 2 ** 53 + 2, "2^53+2");
      });
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("create: default timestamp and window", (p) => {
      const pc = p.apply(mr.create(["a", "b"]));
      mr.testing.assertThat(pc.map((x, ctx) => ({ x, ts: ctx.timestamp, global: mr.isGlobalWindow(ctx.window) }))).containsInAnyOrder([
        { x: "a", ts: mr.MIN_TIMESTAMP, global: true },
        { x: "b", ts: mr.MIN_TIMESTAMP, global: true },
      ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("createTimestamped: timestamps", (p) => {
      const pc = p.apply(
        mr.createTimestamped([
          { value: "a", timestamp: 1000 },
          { value: "b", timestamp: 2000 },
          { value: "c", timestamp: -5 },
          { value: "d", timestamp: 0 },
        ]),
      );
      mr.testing.assertThat(pc).containsInAnyOrder(["a", "b", "c", "d"]);
      mr.testing
        .assertThat(pc.map((v, ctx) => mr.kv(v, ctx.timestamp)))
        .containsInAnyOrder([mr.kv("a", 1000), mr.kv("b", 2000), mr.kv("c", -5), mr.kv("d", 0)]);
    }),
    assertions: 2,
  },
  {
    definition: mr.definePipeline("createTimestamped: empty", (p) => {
      mr.testing.assertThat(p.apply(mr.createTimestamped<string>([]))).isEmpty();
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("impulse: one empty byte array", (p) => {
      const imp = p.apply(mr.impulse());
      mr.testing.assertThat(imp).satisfies((els) => {
        expectSame(els.length, 1, "number of elements");
        const el = els[0];
        if (!(el instanceof Uint8Array) || el.length !== 0) throw new Error(`expected an empty Uint8Array, got ${String(el)}`);
      });
      mr.testing
        .assertThat(imp.map((_, ctx) => ({ ts: ctx.timestamp, global: mr.isGlobalWindow(ctx.window) })))
        .equals({ ts: mr.MIN_TIMESTAMP, global: true });
    }),
    assertions: 2,
  },
];

function depth(x: unknown): number {
  return Array.isArray(x) ? 1 + Math.max(0, ...x.map(depth)) : 0;
}
