/**
 * The standard transforms (Beam's Deduplicate, Sample, Latest,
 * ApproximateUnique / ApproximateCountDistinct, ApproximateQuantiles, Regex,
 * ToString, WithTimestamps with skew, Wait.on, and the any / all /
 * countDistinct combiners), each a composite of primitives, so every runner
 * runs them unchanged; the CombineFn-based ones are lifted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { at, counter, DROPPED_DUE_TO_LATENESS, expectCount } from "./event_time_helpers";
import { range } from "./helpers";

function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** The elements with their timestamps, to assert where deduplicate kept them. */
function stamped<T>(pc: mr.PCollection<T>, name = "Stamped"): mr.PCollection<[T, number]> {
  return pc.apply(
    name,
    mr.map((v: T, ctx) => [v, ctx.timestamp] as [T, number]),
  );
}

/**
 * A folder for one run of the waitOn case: the same in every rebuild of the
 * pipeline in this process (workers rebuild it), different per runner
 * configuration, so a previous configuration's files cannot pass for this one's.
 */
function waitOnFolder(p: mr.Pipeline): string {
  const config = createHash("sha1")
    .update(JSON.stringify(p.options.args ?? []))
    .digest("hex")
    .slice(0, 10);
  return path.join(os.tmpdir(), `millrace-conformance-waiton-${process.pid}-${config}`);
}

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("deduplicate: repeats by value are dropped (processing time, Beam's default duration)", (p) => {
      const words = p.apply(mr.create(["a", "b", "a", "c", "b", "a", "c", "d"]));
      mr.testing.assertThat(words.apply(mr.deduplicate())).containsInAnyOrder(["a", "b", "c", "d"]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("deduplicate: by id, one element per id is kept", (p) => {
      const clicks = p.apply(mr.create(range(30).map((i) => ({ id: i % 7, n: i }))));
      const kept = clicks.apply(mr.deduplicate({ idFn: (c: { id: number; n: number }) => c.id, durationMs: 60_000 }));
      mr.testing.assertThat(kept).satisfies((els) => {
        const ids = els.map((c) => c.id).sort((a, b) => a - b);
        must(JSON.stringify(ids) === JSON.stringify([0, 1, 2, 3, 4, 5, 6]), `one element per id, got ids ${JSON.stringify(ids)}`);
        for (const c of els) must(c.n % 7 === c.id, `a kept element is one of its id's inputs: ${JSON.stringify(c)}`);
      });
    }),
    assertions: 1,
  },
  {
    // DeduplicateTest.testEventTime: an id is forgotten when the watermark passes its first timestamp plus the duration.
    definition: mr.definePipeline(
      "deduplicate: event time, an id is forgotten once the watermark passes first timestamp + duration",
      (p) => {
        const stream = mr.testing
          .testStream<string>()
          .addElements(at("x", 0), at("y", 3))
          .addElements(at("x", 5)) // within 10 ms of x@0: dropped
          .advanceWatermarkTo(20) // x's and y's ids expire (at 10 and 13)
          .addElements(at("x", 25), at("y", 27), at("y", 30)) // x and y again: kept once each
          .advanceWatermarkToInfinity();
        const kept = p.apply(stream).apply(mr.deduplicate({ durationMs: 10, timeDomain: "eventTime" }));
        mr.testing.assertThat(stamped(kept)).containsInAnyOrder([
          ["x", 0],
          ["y", 3],
          ["x", 25],
          ["y", 27],
        ]);
      },
    ),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("deduplicate: processing time, an id is forgotten after the duration (TestStream clock)", (p) => {
      const stream = mr.testing
        .testStream<string>()
        .addElements(at("x", 1))
        .advanceProcessingTime(500)
        .addElements(at("x", 2)) // 500 ms after: still remembered
        .advanceProcessingTime(1_000) // 1500 ms: forgotten
        .addElements(at("x", 3))
        .advanceWatermarkToInfinity();
      const kept = p.apply(stream).apply(mr.deduplicate({ durationMs: 1_000 }));
      mr.testing.assertThat(stamped(kept)).containsInAnyOrder([
        ["x", 1],
        ["x", 3],
      ]);
    }),
    assertions: 1,
  },
  {
    // Beam's DeduplicateFn sets its expiry timer withNoOutputTimestamp: the pending expiry (10 minutes of
    // processing time) must not hold the watermark, so downstream windows close on time and a later element
    // for a closed window is late there (dropped, allowed lateness 0). Held at the element's timestamp, the
    // window would stay open until the timer fired and take the late element in.
    definition: mr.definePipeline("deduplicate: its pending expiry timer holds no watermark back", (p) => {
      const stream = mr.testing
        .testStream<string>()
        .addElements(at("a", 1))
        .advanceWatermarkTo(20) // [0, 10) closes downstream
        .addElements(at("b", 2)) // late for [0, 10)
        .advanceWatermarkToInfinity();
      const perWindow = p
        .apply(stream)
        .apply(mr.deduplicate())
        .apply(mr.windowInto(mr.windows.fixed(10)))
        .apply(mr.combineGlobally(mr.combiners.toList<string>()));
      mr.testing.assertThat(perWindow).containsInAnyOrder([["a"]]);
    }),
    assertions: 1,
    check: (result) => expectCount(counter(result, DROPPED_DUE_TO_LATENESS), 1, "the late element is dropped downstream"),
  },
  {
    definition: mr.definePipeline("sample: fixedSize and fixedSizePerKey give uniform samples of the right size", (p) => {
      const nums = p.apply(mr.create(range(50)));
      mr.testing.assertThat(nums.apply("Three", mr.sample.fixedSize<number>(3))).satisfies((samples) => {
        must(samples.length === 1, `one sample, got ${samples.length}`);
        const s = samples[0]!;
        must(s.length === 3 && new Set(s).size === 3, `three distinct elements, got ${JSON.stringify(s)}`);
        for (const x of s) must(x >= 0 && x < 50, `an input element, got ${x}`);
      });
      mr.testing
        .assertThat(
          p
            .apply("Few", mr.create([1, 2, 3]))
            .apply("All", mr.sample.fixedSize<number>(10))
            .map((s) => s.slice().sort()),
        )
        .containsInAnyOrder([[1, 2, 3]]);
      mr.testing.assertThat(p.apply("None", mr.create<number>([])).apply("Empty", mr.sample.fixedSize<number>(2))).containsInAnyOrder([[]]);
      const perKey = nums.apply(mr.withKeys((n: number) => n % 3)).apply("PerKey", mr.sample.fixedSizePerKey<number, number>(2));
      mr.testing.assertThat(perKey).satisfies((kvs) => {
        must(JSON.stringify(kvs.map((e) => e.key).sort()) === "[0,1,2]", `one sample per key, got ${JSON.stringify(kvs)}`);
        for (const e of kvs) {
          must(e.value.length === 2 && new Set(e.value).size === 2, `two distinct values for key ${e.key}: ${JSON.stringify(e.value)}`);
          for (const v of e.value) must(v % 3 === e.key, `value ${v} belongs to key ${e.key}`);
        }
      });
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("latest: globally and per key, by event time; null for an empty collection", (p) => {
      const readings = p.apply(mr.createTimestamped([at("r1", 10), at("r3", 30), at("r2", 20)]));
      mr.testing.assertThat(readings.apply("Globally", mr.latest.globally<string>())).containsInAnyOrder(["r3"]);
      const bySensor = p.apply(
        "Keyed",
        mr.createTimestamped([at(mr.kv("a", 1), 100), at(mr.kv("a", 2), 300), at(mr.kv("b", 7), 50), at(mr.kv("a", 3), 200)]),
      );
      mr.testing
        .assertThat(bySensor.apply("PerKey", mr.latest.perKey<string, number>()))
        .containsInAnyOrder([mr.kv("a", 2), mr.kv("b", 7)]);
      mr.testing.assertThat(p.apply("None", mr.create<string>([])).apply("Empty", mr.latest.globally<string>())).containsInAnyOrder([null]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("latest: per window", (p) => {
      const readings = p
        .apply(mr.createTimestamped([at("a", 1), at("b", 8), at("c", 4), at("d", 12), at("e", 11)]))
        .apply(mr.windowInto(mr.windows.fixed(10)));
      mr.testing.assertThat(readings.apply(mr.latest.globally<string>())).containsInAnyOrder(["b", "d"]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("approximateUnique and approximateCountDistinct: exact for small counts, close for large", (p) => {
      const small = p.apply("Small", mr.create(range(600).map((i) => `v${i % 250}`)));
      mr.testing.assertThat(small.apply("Unique", mr.approximateUnique.globally<string>())).containsInAnyOrder([250]);
      mr.testing.assertThat(small.apply("Hll", mr.approximateCountDistinct.globally<string>())).containsInAnyOrder([250]);
      const large = p.apply("Large", mr.create(range(20_000).map((i) => i % 12_000)));
      mr.testing.assertThat(large.apply("UniqueLarge", mr.approximateUnique.globally<number>({ sampleSize: 1000 }))).satisfies(([n]) => {
        must(Math.abs(n! - 12_000) / 12_000 < 4 / Math.sqrt(1000), `ApproximateUnique estimate ${n} of 12000 is within 4 / sqrt(1000)`);
      });
      mr.testing.assertThat(large.apply("HllLarge", mr.approximateCountDistinct.globally<number>({ precision: 12 }))).satisfies(([n]) => {
        must(Math.abs(n! - 12_000) / 12_000 < (3 * 1.04) / 64, `HyperLogLog++ (p=12) estimate ${n} of 12000 is within 3 standard errors`);
      });
      const keyed = p.apply("Keyed", mr.create(range(300).map((i) => mr.kv(i % 2 === 0 ? "even" : "odd", i % 40))));
      mr.testing
        .assertThat(keyed.apply("UniquePerKey", mr.approximateUnique.perKey<string, number>()))
        .containsInAnyOrder([mr.kv("even", 20), mr.kv("odd", 20)]);
      mr.testing
        .assertThat(keyed.apply("HllPerKey", mr.approximateCountDistinct.perKey<string, number>()))
        .containsInAnyOrder([mr.kv("even", 20), mr.kv("odd", 20)]);
      mr.testing
        .assertThat(p.apply("None", mr.create<number>([])).apply("Empty", mr.approximateCountDistinct.globally<number>()))
        .containsInAnyOrder([0]);
    }),
    assertions: 7,
  },
  {
    // ApproximateQuantilesTest.testQuantilesGlobally / testQuantilesPerKey / testAlternateComparator.
    definition: mr.definePipeline("approximateQuantiles: globally, per key, with a comparator", (p) => {
      const ints = p.apply(mr.create(range(101)));
      mr.testing.assertThat(ints.apply("Globally", mr.approximateQuantiles.globally<number>(5))).containsInAnyOrder([[0, 25, 50, 75, 100]]);
      const keyed = p.apply("Keyed", mr.create([...range(101).map((i) => mr.kv("a", i)), ...range(11).map((i) => mr.kv("b", i * 10))]));
      mr.testing
        .assertThat(keyed.apply("PerKey", mr.approximateQuantiles.perKey<string, number>(3)))
        .containsInAnyOrder([mr.kv("a", [0, 50, 100]), mr.kv("b", [0, 50, 100])]);
      const words = p.apply("Words", mr.create(["aa", "aaaaa", "aaa", "a", "aaaa"]));
      mr.testing
        .assertThat(
          words.apply(
            "ByLength",
            mr.approximateQuantiles.globally<string>(3, (a, b) => a.length - b.length),
          ),
        )
        .containsInAnyOrder([["a", "aaa", "aaaaa"]]);
      mr.testing
        .assertThat(p.apply("None", mr.create<number>([])).apply("Empty", mr.approximateQuantiles.globally<number>(4)))
        .containsInAnyOrder([[]]);
    }),
    assertions: 4,
  },
  {
    definition: mr.definePipeline("approximateQuantiles: 20000 elements through collapsing buffers, within 1 / numQuantiles", (p) => {
      const n = 20_000;
      const ints = p.apply(mr.create(range(n).map((i) => (i * 7919) % n)));
      mr.testing.assertThat(ints.apply(mr.approximateQuantiles.globally<number>(11))).satisfies(([q]) => {
        must(q!.length === 11 && q![0] === 0 && q![10] === n - 1, `11 quantiles from min to max, got ${JSON.stringify(q)}`);
        for (let i = 1; i < 10; i++) must(Math.abs(q![i]! - (i * n) / 10) <= n / 11, `quantile ${i} (${q![i]}) near ${(i * n) / 10}`);
      });
    }),
    assertions: 1,
  },
  {
    // RegexTest: matches (whole string, groups by number and name), find, findAll, findKV, replaceAll/First, split.
    definition: mr.definePipeline("regex: matches, find, findAll, matchesKV, findKV, replaceAll, replaceFirst, split", (p) => {
      const lines = p.apply(mr.create(["alice@example.com", "bob@example.org x", "k1=10 k2=20", "a, b,,c"]));
      mr.testing.assertThat(lines.apply("Matches", mr.regex.matches(/(\w+)@example\.com/, 1))).containsInAnyOrder(["alice"]);
      mr.testing
        .assertThat(lines.apply("MatchesNamed", mr.regex.matches("(?<user>\\w+)@(?<host>[\\w.]+)", "host")))
        .containsInAnyOrder(["example.com"]);
      mr.testing.assertThat(lines.apply("Find", mr.regex.find(/(\w+)@/, 1))).containsInAnyOrder(["alice", "bob"]);
      mr.testing.assertThat(lines.apply("FindAll", mr.regex.findAll(/k\d=(\d+)/, 1))).containsInAnyOrder([[], [], ["10", "20"], []]);
      mr.testing
        .assertThat(lines.apply("MatchesKV", mr.regex.matchesKV(/(\w+)@(\S+)/, 1, 2)))
        .containsInAnyOrder([mr.kv("alice", "example.com")]);
      mr.testing.assertThat(lines.apply("FindKV", mr.regex.findKV(/(\w+)=(\d+)/, 1, 2))).containsInAnyOrder([mr.kv("k1", "10")]);
      mr.testing
        .assertThat(lines.apply("ReplaceAll", mr.regex.replaceAll(/\d+/, "#")))
        .containsInAnyOrder(["alice@example.com", "bob@example.org x", "k#=# k#=#", "a, b,,c"]);
      mr.testing
        .assertThat(lines.apply("ReplaceFirst", mr.regex.replaceFirst(/(\w)(\w)/, "$2$1")))
        .containsInAnyOrder(["laice@example.com", "obb@example.org x", "1k=10 k2=20", "a, b,,c"]);
      const csv = p.apply("Csv", mr.create(["a, b,,c"]));
      mr.testing.assertThat(csv.apply("Split", mr.regex.split(/(,)\s*/))).containsInAnyOrder(["a", "b", "c"]);
      mr.testing.assertThat(csv.apply("SplitEmpty", mr.regex.split(/,\s*/, true))).containsInAnyOrder(["a", "b", "", "c"]);
    }),
    assertions: 10,
  },
  {
    definition: mr.definePipeline("regex: a non-string element fails the job, naming the transform and the element", (p) => {
      p.apply(mr.create<unknown>([42])).apply(mr.regex.find("x") as mr.PTransform<mr.PCollection<unknown>, mr.PCollection<string>>);
    }),
    assertions: 0,
    expectFailure: /Regex\.Find[\s\S]*expects strings, got number: 42/,
  },
  {
    definition: mr.definePipeline("toString: elements, kvs and iterables", (p) => {
      mr.testing
        .assertThat(
          p.apply("Elements", mr.create<unknown>([1, "two", true, null, { a: 1 }, [1, "x"]])).apply("ToStr", mr.toString.elements()),
        )
        .containsInAnyOrder(["1", "two", "true", "null", '{"a":1}', '[1,"x"]']);
      mr.testing
        .assertThat(p.apply("KVs", mr.create([mr.kv("a", 1), mr.kv("b", 2)])).apply("KvToStr", mr.toString.kvs<string, number>(": ")))
        .containsInAnyOrder(["a: 1", "b: 2"]);
      mr.testing
        .assertThat(p.apply("Iterables", mr.create([["x", 1], []])).apply("IterToStr", mr.toString.iterables<unknown>()))
        .containsInAnyOrder(["x,1", ""]);
    }),
    assertions: 3,
  },
  {
    // WithTimestampsTest.withTimestampsBackwardsInTimeAndWithAllowedTimestampSkewShouldSucceed, with Beam's option name.
    definition: mr.definePipeline("withTimestamps: allowedTimestampSkewMs lets a timestamp move back by that much", (p) => {
      const moved = p
        .apply(mr.createTimestamped([at("a", 1_000), at("b", 2_000)]))
        .apply(mr.withTimestamps((s: string) => (s === "a" ? 900 : 1_500), { allowedTimestampSkewMs: 500 }));
      mr.testing.assertThat(stamped(moved)).containsInAnyOrder([
        ["a", 900],
        ["b", 1_500],
      ]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("combiners: any, all, countDistinct", (p) => {
      const nums = p.apply(mr.create([3, 8, 3, 5, 8, 3]));
      mr.testing
        .assertThat(nums.apply("AnyEven", mr.combineGlobally(mr.combiners.any((n: number) => n % 2 === 0))))
        .containsInAnyOrder([true]);
      mr.testing
        .assertThat(nums.apply("AllEven", mr.combineGlobally(mr.combiners.all((n: number) => n % 2 === 0))))
        .containsInAnyOrder([false]);
      mr.testing.assertThat(nums.apply("Distinct", mr.combineGlobally(mr.combiners.countDistinct<number>()))).containsInAnyOrder([3]);
      const flags = p.apply("Flags", mr.create([mr.kv("a", true), mr.kv("a", false), mr.kv("b", true)]));
      mr.testing
        .assertThat(flags.apply("AnyPerKey", mr.combinePerKey(mr.combiners.any<boolean>())))
        .containsInAnyOrder([mr.kv("a", true), mr.kv("b", true)]);
      mr.testing
        .assertThat(flags.apply("AllPerKey", mr.combinePerKey(mr.combiners.all<boolean>())))
        .containsInAnyOrder([mr.kv("a", false), mr.kv("b", true)]);
      const none = p.apply("None", mr.create<boolean>([]));
      mr.testing.assertThat(none.apply("AnyOfNone", mr.combineGlobally(mr.combiners.any<boolean>()))).containsInAnyOrder([false]);
      mr.testing.assertThat(none.apply("AllOfNone", mr.combineGlobally(mr.combiners.all<boolean>()))).containsInAnyOrder([true]);
      const objects = p.apply("Objects", mr.create([{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 2 }]));
      mr.testing.assertThat(objects.apply("DistinctByValue", mr.combineGlobally(mr.combiners.countDistinct()))).containsInAnyOrder([2]);
    }),
    assertions: 8,
  },
  {
    // Wait.on: the check runs only after writeText (the signal) has written its files, so it reads them all.
    definition: mr.definePipeline("waitOn: elements pass only after the signal is complete (the files it wrote are there)", (p) => {
      const folder = waitOnFolder(p);
      const lines = range(40).map((i) => `line ${i}`);
      const written = p.apply("Lines", mr.create(lines)).apply(mr.io.writeText(path.join(folder, "part"), { numShards: 3 }));
      const seen = p
        .apply("Check", mr.create(["check"]))
        .apply(mr.waitOn(written))
        .map((): string[] =>
          fs
            .readdirSync(folder)
            .filter((f) => f.startsWith("part"))
            .flatMap((f) => fs.readFileSync(path.join(folder, f), "utf8").split("\n").filter(Boolean))
            .sort(),
        );
      mr.testing.assertThat(seen).containsInAnyOrder([lines.slice().sort()]);
    }),
    assertions: 1,
  },
];
