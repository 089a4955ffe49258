/** Metrics reported by user code: counters, distributions, gauges, in result.metrics(). */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("metrics: counter, distribution, gauge", (p) => {
      const nums = p.apply(mr.create([1, 2, 3, 4, 5, -6]));
      const out = nums.map((x, ctx) => {
        ctx.metrics.counter("conformance.elements").inc();
        ctx.metrics.counter("conformance.sum").inc(x);
        ctx.metrics.distribution("conformance.values").update(x);
        ctx.metrics.gauge("conformance.gauge").set(42);
        return x;
      });
      // Metrics of the same name from two transforms add up.
      const evens = nums.apply(
        "CountEvens",
        mr.filter((x: number, ctx) => {
          ctx.metrics.counter("conformance.elements").inc(100);
          return x % 2 === 0;
        }),
      );
      mr.testing.assertThat(out).containsInAnyOrder([1, 2, 3, 4, 5, -6]);
      mr.testing.assertThat(evens).containsInAnyOrder([2, 4, -6]);
    }),
    assertions: 2,
    check: (result) => {
      const m = result.metrics();
      expectEqual(m.counters["conformance.elements"], 606, "counter conformance.elements");
      expectEqual(m.counters["conformance.sum"], 9, "counter conformance.sum");
      expectEqual(m.distributions["conformance.values"], { sum: 9, count: 6, min: -6, max: 5 }, "distribution conformance.values");
      const g = m.gauges["conformance.gauge"];
      if (!g) throw new Error(`gauge conformance.gauge missing; gauges: ${JSON.stringify(m.gauges)}`);
      expectEqual(g.value, 42, "gauge value");
      const now = Date.now();
      if (typeof g.timestamp !== "number" || g.timestamp > now + 1000 || g.timestamp < now - 10 * 60 * 1000) {
        throw new Error(`gauge timestamp should be when it was set (ms since the epoch), got ${g.timestamp}`);
      }
    },
  },
  {
    definition: mr.definePipeline("metrics: from DoFn lifecycle methods and after a shuffle", (p) => {
      const grouped = p
        .apply(mr.create([mr.kv("a", 1), mr.kv("a", 2), mr.kv("b", 3)]))
        .apply(mr.groupByKey())
        .apply(
          "Measure",
          mr.parDo<mr.KV<string, number[]>, number>({
            startBundle(ctx: mr.BundleContext<number>) {
              ctx.metrics.counter("conformance.bundles.started").inc();
            },
            process(e: mr.KV<string, number[]>, ctx: mr.ProcessContext<number>) {
              ctx.metrics.distribution("conformance.groupSize").update(e.value.length);
              ctx.output(e.value.length);
            },
            finishBundle(ctx: mr.BundleContext<number>) {
              ctx.metrics.counter("conformance.bundles.finished").inc();
            },
          }),
        );
      mr.testing.assertThat(grouped).containsInAnyOrder([2, 1]);
    }),
    assertions: 1,
    check: (result) => {
      const m = result.metrics();
      expectEqual(m.distributions["conformance.groupSize"], { sum: 3, count: 2, min: 1, max: 2 }, "distribution conformance.groupSize");
      const started = m.counters["conformance.bundles.started"] ?? 0;
      if (started < 1 || started !== m.counters["conformance.bundles.finished"]) {
        throw new Error(`bundle counters: ${JSON.stringify(m.counters)}`);
      }
    },
  },
  {
    definition: mr.definePipeline("metrics: assertions count as passed only when run", (p) => {
      const pc = p.apply(mr.create(["a"]));
      mr.testing.assertThat(pc).equals("a");
      mr.testing.assertThat(pc).containsInAnyOrder(["a"]);
      mr.testing.assertThat(pc.filter(() => false)).isEmpty();
      mr.testing.assertThat(pc).satisfies((xs) => {
        if (xs.length !== 1) throw new Error("one element expected");
      });
    }),
    assertions: 4,
  },
];
