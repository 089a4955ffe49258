/** parDo: class and object-literal DoFns, the lifecycle, returning iterables, tagged outputs. */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";
import { range } from "./helpers";

type Phase = "new" | "setUp" | "inBundle" | "betweenBundles" | "tornDown";

/**
 * Checks the lifecycle order on every call (a call out of order fails the
 * run), emits each element twice through the returned iterable, and from
 * finishBundle the number of elements of the bundle to the "bundleSizes" tag.
 */
class LifecycleFn extends mr.DoFn<number, string> {
  private phase: Phase = "new";
  private inBundle = 0;
  private readonly prefix: string;

  constructor(prefix: string) {
    super();
    this.prefix = prefix;
  }

  private expect(phases: Phase[], what: string): void {
    if (!phases.includes(this.phase)) throw new Error(`${what} called in phase '${this.phase}'`);
  }

  override setup(): void {
    this.expect(["new"], "setup");
    this.phase = "setUp";
  }

  override startBundle(ctx: mr.BundleContext<string>): void {
    this.expect(["setUp", "betweenBundles"], "startBundle");
    this.phase = "inBundle";
    this.inBundle = 0;
    ctx.metrics.counter("lifecycle.class.startBundle").inc();
  }

  process(x: number, ctx: mr.ProcessContext<string>): Iterable<string> {
    this.expect(["inBundle"], "process");
    this.inBundle++;
    ctx.metrics.counter("lifecycle.class.process").inc();
    return [`${this.prefix}${x}`, `${this.prefix}${x}`];
  }

  override finishBundle(ctx: mr.BundleContext<string>): void {
    this.expect(["inBundle"], "finishBundle");
    this.phase = "betweenBundles";
    ctx.outputTo("bundleSizes", this.inBundle);
    ctx.metrics.counter("lifecycle.class.finishBundle").inc();
  }

  override teardown(): void {
    this.expect(["setUp", "betweenBundles"], "teardown");
    this.phase = "tornDown";
  }
}

/** Process-local tallies for the in-process teardown check. */
const teardownTally = { setups: 0, teardowns: 0, processed: 0 };

class TallyFn extends mr.DoFn<number, number> {
  override setup(): void {
    teardownTally.setups++;
  }
  process(x: number): Iterable<number> {
    teardownTally.processed++;
    return [x];
  }
  override teardown(): void {
    teardownTally.teardowns++;
  }
}

const N_LIFECYCLE = 25;

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("parDo: class DoFn lifecycle", (p) => {
      const out = p.apply(mr.create(range(N_LIFECYCLE))).apply(mr.parDo(new LifecycleFn("n"), { outputs: ["bundleSizes"] }));
      mr.testing.assertThat(out.main).containsInAnyOrder(range(N_LIFECYCLE).flatMap((i) => [`n${i}`, `n${i}`]));
      mr.testing.assertThat(out.bundleSizes as mr.PCollection<number>).satisfies((sizes) => {
        const sum = sizes.reduce((a, b) => a + b, 0);
        if (sum !== N_LIFECYCLE) throw new Error(`per-bundle counts sum to ${sum}, expected ${N_LIFECYCLE}`);
        // A bundle with no elements may exist, but none may be counted twice.
        if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`bad bundle sizes ${sizes}`);
      });
    }),
    assertions: 2,
    check: (result) => {
      const c = result.metrics().counters;
      const starts = c["lifecycle.class.startBundle"] ?? 0;
      const finishes = c["lifecycle.class.finishBundle"] ?? 0;
      if (starts < 1) throw new Error(`startBundle never called (counters: ${JSON.stringify(c)})`);
      if (starts !== finishes) throw new Error(`startBundle called ${starts} times but finishBundle ${finishes} times`);
      if (c["lifecycle.class.process"] !== N_LIFECYCLE)
        throw new Error(`process counted ${c["lifecycle.class.process"]}, expected ${N_LIFECYCLE}`);
    },
  },
  {
    definition: mr.definePipeline("parDo: object literal DoFn lifecycle", (p) => {
      const out = p.apply(mr.create(["a", "b", "c", "d", "e", "f", "g"])).apply(
        "Literal",
        mr.parDo<string, string>({
          phase: "new" as Phase,
          seen: [] as string[],
          setup() {
            if (this.phase !== "new") throw new Error(`setup in phase ${this.phase}`);
            this.phase = "setUp";
          },
          startBundle(ctx: mr.BundleContext<string>) {
            if (this.phase !== "setUp" && this.phase !== "betweenBundles") throw new Error(`startBundle in phase ${this.phase}`);
            this.phase = "inBundle";
            this.seen = [];
            ctx.metrics.counter("lifecycle.literal.startBundle").inc();
          },
          process(s: string, ctx: mr.ProcessContext<string>) {
            if (this.phase !== "inBundle") throw new Error(`process in phase ${this.phase}`);
            this.seen.push(s);
            ctx.output(s.toUpperCase());
          },
          finishBundle(ctx: mr.BundleContext<string>) {
            if (this.phase !== "inBundle") throw new Error(`finishBundle in phase ${this.phase}`);
            this.phase = "betweenBundles";
            ctx.output(`bundle:${this.seen.length}`);
            ctx.metrics.counter("lifecycle.literal.finishBundle").inc();
          },
          teardown() {
            this.phase = "tornDown";
          },
        } as mr.DoFnObject<string, string> & { phase: Phase; seen: string[] }),
      );
      mr.testing.assertThat(out.filter((s) => !s.startsWith("bundle:"))).containsInAnyOrder(["A", "B", "C", "D", "E", "F", "G"]);
      mr.testing
        .assertThat(
          out.apply(
            "BundleCounts",
            mr.filter((s: string) => s.startsWith("bundle:")),
          ),
        )
        .satisfies((xs) => {
          const sum = xs.map((x) => Number(x.slice("bundle:".length))).reduce((a, b) => a + b, 0);
          if (sum !== 7) throw new Error(`per-bundle counts sum to ${sum}, expected 7`);
        });
    }),
    assertions: 2,
    check: (result) => {
      const c = result.metrics().counters;
      const starts = c["lifecycle.literal.startBundle"] ?? 0;
      if (starts < 1 || starts !== c["lifecycle.literal.finishBundle"]) {
        throw new Error(`startBundle/finishBundle counts differ or are zero: ${JSON.stringify(c)}`);
      }
    },
  },
  {
    definition: mr.definePipeline("parDo: teardown is called after setup (in process)", (p) => {
      teardownTally.setups = 0;
      teardownTally.teardowns = 0;
      teardownTally.processed = 0;
      mr.testing.assertThat(p.apply(mr.create([1, 2, 3])).apply(mr.parDo(new TallyFn()))).containsInAnyOrder([1, 2, 3]);
    }),
    assertions: 1,
    requires: ["inProcess"],
    check: () => {
      if (teardownTally.processed !== 3) throw new Error(`processed ${teardownTally.processed} elements, expected 3`);
      if (teardownTally.setups < 1) throw new Error("setup was never called");
      if (teardownTally.teardowns !== teardownTally.setups) {
        throw new Error(`setup called ${teardownTally.setups} times, teardown ${teardownTally.teardowns} times`);
      }
    },
  },
  {
    definition: mr.definePipeline("parDo: process returns an iterable", (p) => {
      const pc = p.apply(mr.create([1, 2, 3]));
      mr.testing
        .assertThat(pc.apply("Array", mr.parDo({ process: (x: number) => Array.from({ length: x }, () => x) })))
        .containsInAnyOrder([1, 2, 2, 3, 3, 3]);
      mr.testing
        .assertThat(
          pc.apply(
            "Generator",
            mr.parDo({
              *process(x: number) {
                yield -x;
                yield x * 100;
              },
            }),
          ),
        )
        .containsInAnyOrder([-1, 100, -2, 200, -3, 300]);
      // Returning nothing (undefined) and emitting through ctx, in one DoFn.
      mr.testing
        .assertThat(
          pc.apply(
            "Mixed",
            mr.parDo<number, string>({
              process(x: number, ctx: mr.ProcessContext<string>) {
                if (x === 2) return;
                if (x === 1) {
                  ctx.output("one");
                  return;
                }
                return ["three"];
              },
            }),
          ),
        )
        .containsInAnyOrder(["one", "three"]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("parDo: outputWithTimestamp", (p) => {
      const pc = p.apply(
        mr.createTimestamped([
          { value: 1, timestamp: 100 },
          { value: 2, timestamp: 200 },
        ]),
      );
      const out = pc.apply(
        "Stamp",
        mr.parDo<number, number>({
          process(x: number, ctx: mr.ProcessContext<number>) {
            ctx.outputWithTimestamp(x, ctx.timestamp + 50);
            ctx.output(-x);
          },
        }),
      );
      mr.testing
        .assertThat(out.map((x, ctx) => mr.kv(x, ctx.timestamp)))
        .containsInAnyOrder([mr.kv(1, 150), mr.kv(-1, 100), mr.kv(2, 250), mr.kv(-2, 200)]);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("parDo: finishBundle output with timestamp", (p) => {
      const out = p.apply(mr.create(["x", "y"])).apply(
        "Finish",
        mr.parDo<string, string>({
          process() {},
          finishBundle(ctx: mr.BundleContext<string>) {
            ctx.outputWithTimestamp("done", 12345);
          },
        }),
      );
      mr.testing.assertThat(out.map((s, ctx) => ({ s, ts: ctx.timestamp, global: mr.isGlobalWindow(ctx.window) }))).satisfies((xs) => {
        if (xs.length < 1) throw new Error("finishBundle output nothing");
        for (const x of xs) {
          if (x.s !== "done" || x.ts !== 12345 || !x.global) throw new Error(`unexpected ${JSON.stringify(x)}`);
        }
      });
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("parDo: tagged outputs", (p) => {
      const { main, odd, big, never } = p.apply(mr.create(range(10))).apply(
        "Split",
        mr.parDo(
          {
            process(x: number, ctx) {
              if (x % 2 === 1) ctx.outputTo("odd", x);
              else ctx.output(x);
              if (x >= 8) ctx.outputTo("big", `big:${x}`);
              if (x === 0) ctx.outputTo("main", 1000);
            },
          },
          { outputs: { odd: mr.outputTag<number>(), big: mr.outputTag<string>(), never: mr.outputTag<number>() } },
        ),
      );
      mr.testing.assertThat(main).containsInAnyOrder([0, 2, 4, 6, 8, 1000]);
      mr.testing.assertThat(odd).containsInAnyOrder([1, 3, 5, 7, 9]);
      mr.testing.assertThat(big).containsInAnyOrder(["big:8", "big:9"]);
      mr.testing.assertThat(never).isEmpty();
      // Each output is a collection like any other.
      mr.testing.assertThat(odd.map((x) => x * 2)).containsInAnyOrder([2, 6, 10, 14, 18]);
    }),
    assertions: 5,
  },
  {
    definition: mr.definePipeline("parDo: emitting to an undeclared tag fails", (p) => {
      p.apply(mr.create([1])).apply(
        "Undeclared",
        mr.parDo(
          {
            process(x: number, ctx: mr.ProcessContext<number>) {
              ctx.outputTo("nope", x);
            },
          },
          { outputs: ["yes"] },
        ),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      if (!/'?nope'?/.test(err.message)) throw new Error("message should name the tag 'nope'");
      if (!/declared/i.test(err.message)) throw new Error("message should say the tag was not declared");
      if (err.transform !== "Undeclared") throw new Error(`err.transform should be 'Undeclared', got ${String(err.transform)}`);
    },
  },
  {
    definition: mr.definePipeline("parDo: process returning a string fails", (p) => {
      p.apply(mr.create(["abc"])).apply(
        "ReturnsString",
        mr.parDo({ process: (s: string) => s.toUpperCase() as unknown as Iterable<string> }),
      );
    }),
    assertions: 0,
    expectFailure: (err) => {
      if (!/ReturnsString/.test(err.message)) throw new Error("message should name the transform");
      if (!/string/i.test(err.message)) throw new Error("message should say process returned a string");
    },
  },
  {
    definition: mr.definePipeline("flatMap: returning a non-iterable fails", (p) => {
      p.apply(mr.create([1])).apply(
        "ReturnsNumber",
        mr.flatMap((x: number) => x as unknown as Iterable<number>),
      );
    }),
    assertions: 0,
    expectFailure: /ReturnsNumber[\s\S]*iterable|iterable[\s\S]*ReturnsNumber/,
  },
];
