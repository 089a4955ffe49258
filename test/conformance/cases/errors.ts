/** Failures: user code that throws, elements that cannot be encoded or are mutated, failed assertions. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

class ParseError extends Error {
  override readonly name = "ParseError";
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("error: a throwing map names the transform, element and cause", (p) => {
      p.apply(mr.create(["1", "2", "not-a-number", "4"])).apply(
        "ParseNumbers",
        mr.map(function parseStrictly(s: string) {
          const n = Number(s);
          if (Number.isNaN(n)) throw new ParseError(`cannot parse '${s}'`);
          return n;
        }),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(err.transform === "ParseNumbers", `err.transform should be 'ParseNumbers', got ${String(err.transform)}`);
      must(
        typeof err.element === "string" && err.element.includes("not-a-number"),
        `err.element should show the element, got ${String(err.element)}`,
      );
      must(err.message.includes("ParseNumbers"), "the message should name the transform");
      must(err.message.includes("not-a-number"), "the message should show the element");
      must(err.message.includes("cannot parse 'not-a-number'"), "the message should contain the original message");
      // The original stack: it names the user function and this module.
      must(/parseStrictly/.test(err.message), "the message should contain the original stack (function parseStrictly)");
      must(/errors\.(ts|js)/.test(err.message), "the message should contain the original stack (file errors.ts/js)");
      const cause = err.cause as Error | undefined;
      must(cause !== undefined && typeof cause === "object", "err.cause should be the original error");
      must(cause!.message === "cannot parse 'not-a-number'", `err.cause.message should be the original, got ${String(cause!.message)}`);
      must(cause!.name === "ParseError", `err.cause.name should be 'ParseError', got ${String(cause!.name)}`);
    },
  },
  {
    definition: mr.definePipeline("error: a throwing DoFn inside a composite names its full unique name", (p) => {
      const validate = mr.ptransform("Validate", (input: mr.PCollection<{ id: number; ok: boolean }>) =>
        input.apply(
          "CheckRecord",
          mr.parDo<{ id: number; ok: boolean }, number>({
            process(r: { id: number; ok: boolean }, ctx: mr.ProcessContext<number>) {
              if (!r.ok) throw new RangeError(`record ${r.id} is invalid`);
              ctx.output(r.id);
            },
          }),
        ),
      );
      p.apply(
        mr.create([
          { id: 1, ok: true },
          { id: 2, ok: false },
        ]),
      ).apply("Outer", validate);
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(err.transform === "Outer/CheckRecord", `err.transform should be 'Outer/CheckRecord', got ${String(err.transform)}`);
      must(err.message.includes("Outer/CheckRecord"), "the message should name the transform's unique name");
      must(err.message.includes("record 2 is invalid"), "the message should contain the original message");
      must(/RangeError/.test(err.message), "the message should contain the original error's stack/name");
      must(
        typeof err.element === "string" && /id/.test(err.element) && /2/.test(err.element),
        `err.element should show the record, got ${String(err.element)}`,
      );
      must((err.cause as Error | undefined)?.message === "record 2 is invalid", "err.cause should be the original error");
    },
  },
  {
    definition: mr.definePipeline("error: throwing in finishBundle", (p) => {
      p.apply(mr.create([1, 2])).apply(
        "FailsAtEnd",
        mr.parDo({
          process() {},
          finishBundle() {
            throw new Error("flush failed");
          },
        }),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(err.transform === "FailsAtEnd", `err.transform should be 'FailsAtEnd', got ${String(err.transform)}`);
      must(/flush failed/.test(err.message), "the message should contain the original message");
      must(/finishBundle/.test(err.message), "the message should say it failed in finishBundle");
    },
  },
  {
    definition: mr.definePipeline("error: throwing in setup", (p) => {
      p.apply(mr.create([1])).apply(
        "FailsInSetup",
        mr.parDo({
          setup() {
            throw new Error("cannot connect");
          },
          process() {},
        }),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(/FailsInSetup/.test(err.message), "the message should name the transform");
      must(/cannot connect/.test(err.message), "the message should contain the original message");
      must(/setup/.test(err.message), "the message should say it failed in setup");
    },
  },
  {
    definition: mr.definePipeline("error: throwing a non-Error value", (p) => {
      p.apply(mr.create(["x"])).apply(
        "ThrowsString",
        mr.map(() => {
          throw "plain string thrown";
        }),
      );
    }),
    assertions: 0,
    expectFailure: /ThrowsString[\s\S]*plain string thrown/,
  },
  {
    definition: mr.definePipeline("error: a CombineFn that throws", (p) => {
      p.apply(mr.create([mr.kv("k", 1), mr.kv("k", -1)])).apply(
        "PickyCombine",
        mr.combinePerKey<string, number, number>({
          createAccumulator: () => 0,
          addInput: (acc: number, x: number) => {
            if (x < 0) throw new Error("negative input");
            return acc + x;
          },
          mergeAccumulators: (accs: number[]) => accs.reduce((a, b) => a + b, 0),
          extractOutput: (acc: number) => acc,
        }),
      );
    }),
    assertions: 0,
    expectFailure: /PickyCombine[\s\S]*negative input/,
  },
  {
    definition: mr.definePipeline("error: a Map as a grouping key fails", (p) => {
      p.apply(mr.create([1, 2]))
        .apply(
          "ToMapKeys",
          mr.map((x: number) => mr.kv(new Map([["x", x]]), x)),
        )
        .apply("Group", mr.groupByKey());
    }),
    assertions: 0,
    // Every runner must encode grouping keys, checks or not; the failure names a transform.
    expectFailure: (err) => {
      must(/Map/.test(err.message), "the message should name the Map type");
      must(
        err.transform === "ToMapKeys" || err.transform === "Group",
        `err.transform should be 'ToMapKeys' (producer) or 'Group' (grouping), got ${String(err.transform)}`,
      );
      must(err.message.includes(err.transform!), "the message should name the transform");
    },
  },
  {
    definition: mr.definePipeline("error: an unencodable element (Map) names its producer", (p) => {
      const maps = p.apply(mr.create([1, 2])).apply(
        "MakeMaps",
        mr.map((x: number) => new Map([["x", x]])),
      );
      maps
        .apply(
          "Group",
          mr.map((m: Map<string, number>) => mr.kv(m.get("x"), 1)),
        )
        .apply(mr.groupByKey());
    }),
    assertions: 0,
    requires: ["encodabilityChecks"],
    expectFailure: (err) => {
      must(err.transform === "MakeMaps", `err.transform should be 'MakeMaps', got ${String(err.transform)}`);
      must(
        /MakeMaps/.test(err.message) && /Map/.test(err.message.replace(/MakeMaps/g, "")),
        "the message should name the producer and the Map",
      );
    },
  },
  {
    definition: mr.definePipeline("error: an unencodable element (class instance) names its producer", (p) => {
      p.apply(mr.create([1, 2]))
        .apply(
          "MakePoints",
          mr.map((x: number) => new Point(x, x)),
        )
        .map((pt) => pt.x);
    }),
    assertions: 0,
    requires: ["encodabilityChecks"],
    expectFailure: (err) => {
      must(err.transform === "MakePoints", `err.transform should be 'MakePoints', got ${String(err.transform)}`);
      must(/Point/.test(err.message.replace(/MakePoints/g, "")), "the message should name the class Point");
    },
  },
  {
    definition: mr.definePipeline("error: a Date in an element: the coder named once, the element attached, a fix offered", (p) => {
      p.apply(mr.create([1, 2]))
        .apply(
          "Dates",
          mr.map((x: number) => mr.kv(x % 2, { when: new Date(x) })),
        )
        .apply(mr.groupByKey());
    }),
    assertions: 0,
    requires: ["encodabilityChecks"],
    expectFailure: (err) => {
      must(err.transform === "Dates", `err.transform should be 'Dates', got ${String(err.transform)}`);
      must(err.message.split("millrace:coder:js_value:v1").length === 2, `the coder's URN should appear once: ${err.message}`);
      must(/value\.when: Date is not a plain value/.test(err.message), "the message should say where the Date sits");
      must(/setCoder/.test(err.message) && /getTime\(\)/.test(err.message), "the message should offer setCoder or a conversion");
      must(
        typeof err.element === "string" && err.element.includes("when"),
        `err.element should show the element, got ${String(err.element)}`,
      );
    },
  },
  {
    definition: mr.definePipeline("error: a non-KV element into groupByKey blames the GroupByKey", (p) => {
      // What a script in plain JavaScript can do: the types would have caught it.
      (p.apply("Nums", mr.create([1, 2, 3])) as unknown as mr.PCollection<mr.KV<unknown, unknown>>).apply("Group", mr.groupByKey());
    }),
    assertions: 0,
    expectFailure: (err) => {
      must(err.transform === "Group", `err.transform should be 'Group' (it needs KVs), got ${String(err.transform)}`);
      must(
        /needs KV elements/.test(err.message) && /withKeys/.test(err.message),
        `the message should say KVs are needed and how: ${err.message}`,
      );
      must(typeof err.element === "string" && /^[123]$/.test(err.element), `err.element should be the number, got ${String(err.element)}`);
    },
  },
  {
    definition: mr.definePipeline("error: mutating an input element fails", (p) => {
      p.apply(mr.create([{ n: 1 }, { n: 2 }])).apply(
        "Mutator",
        mr.map((o: { n: number }) => {
          o.n += 1;
          return o.n;
        }),
      );
    }),
    assertions: 0,
    requires: ["immutabilityChecks"],
    expectFailure: (err) => {
      must(err.transform === "Mutator", `err.transform should be 'Mutator', got ${String(err.transform)}`);
      must(
        /Mutator/.test(err.message) && /mutat/i.test(err.message) && /input/i.test(err.message),
        "the message should say 'Mutator' mutated its input",
      );
    },
  },
  {
    definition: mr.definePipeline("error: mutating a grouped input fails", (p) => {
      p.apply(mr.create([mr.kv("k", 2), mr.kv("k", 1)]))
        .apply(mr.groupByKey())
        .apply(
          "ReversesInPlace",
          mr.map((e: mr.KV<string, number[]>) => e.value.reverse()[0]!),
        );
    }),
    assertions: 0,
    requires: ["immutabilityChecks"],
    // Reversing two distinct values changes the element whatever the (unspecified) order of the group.
    expectFailure: /ReversesInPlace[\s\S]*mutat|mutat[\s\S]*ReversesInPlace/i,
  },
  {
    definition: mr.definePipeline("error: mutating an output after emitting it fails", (p) => {
      p.apply(mr.create([1, 2, 3]))
        .apply(
          "MutatesOutput",
          mr.parDo<number, { total: number }>({
            process(x: number, ctx: mr.ProcessContext<{ total: number }>) {
              const out = { total: x };
              ctx.output(out);
              out.total = -1;
            },
          }),
        )
        .map((o) => o.total);
    }),
    assertions: 0,
    requires: ["immutabilityChecks"],
    expectFailure: (err) => {
      must(err.transform === "MutatesOutput", `err.transform should be 'MutatesOutput', got ${String(err.transform)}`);
      must(/after output/i.test(err.message), "the message should say the element was mutated after output");
    },
  },
  {
    definition: mr.definePipeline("assertion: containsInAnyOrder mismatch fails with a diff", (p) => {
      mr.testing.assertThat(p.apply(mr.create(["a", "b", "b"]))).containsInAnyOrder(["a", "b", "c"]);
    }),
    assertions: 1,
    expectFailure: (err) => {
      must(/containsInAnyOrder/.test(err.message), "the message should name the assertion");
      must(/missing[^\n]*\bc\b/.test(err.message), "the message should list the missing element c");
      must(/unexpected[^\n]*\bb\b/.test(err.message), "the message should list the unexpected extra b");
    },
  },
  {
    definition: mr.definePipeline("assertion: satisfies failure", (p) => {
      const pc = p.apply(mr.create([1, 2]));
      mr.testing.assertThat(pc).satisfies((xs) => {
        if (xs.length !== 3) throw new Error(`needed three, saw ${xs.length}`);
      });
    }),
    assertions: 1,
    expectFailure: /satisfies[\s\S]*needed three, saw 2/,
  },
  {
    definition: mr.definePipeline("assertion: isEmpty failure", (p) => {
      mr.testing.assertThat(p.apply(mr.create(["surprise"]))).isEmpty();
    }),
    assertions: 1,
    expectFailure: /isEmpty[\s\S]*surprise/,
  },
  {
    definition: mr.definePipeline("assertion: equals failure", (p) => {
      mr.testing.assertThat(p.apply(mr.create([{ v: 1 }]))).equals({ v: 2 });
    }),
    assertions: 1,
    expectFailure: /equals/,
  },
];
