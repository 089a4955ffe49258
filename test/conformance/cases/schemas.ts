/**
 * Schema-aware collections (Beam's Row and schema transforms): rows coded
 * with Beam's row coder across every runner, `select`, `filterFields` and
 * `groupBy(...).aggregate(...)` (one lifted combine) on named fields.
 */
import * as mr from "../../../index";
import type { ConformanceCase } from "../conformance_case";

interface Sale {
  region: string;
  customer: string;
  amount: number;
  note: string | null;
}

const SALES: Sale[] = [
  { region: "north", customer: "ann", amount: 10, note: null },
  { region: "north", customer: "bob", amount: 5, note: "gift" },
  { region: "south", customer: "ann", amount: 7, note: null },
  { region: "north", customer: "ann", amount: 1, note: null },
  { region: "south", customer: "cat", amount: 20, note: "rush" },
];

export const cases: ConformanceCase[] = [
  {
    definition: mr.definePipeline("schemas: createRows infers a schema; rows survive the row coder and a shuffle", (p) => {
      const sales = p.apply(mr.createRows(SALES));
      mr.testing.assertThat(sales.apply(mr.reshuffle())).containsInAnyOrder(SALES);
    }),
    assertions: 1,
  },
  {
    definition: mr.definePipeline("schemas: select keeps the named fields, filterFields keeps rows by field predicates", (p) => {
      const sales = p.apply(mr.createRows(SALES));
      mr.testing
        .assertThat(sales.apply(mr.select("customer", "amount")))
        .containsInAnyOrder(SALES.map(({ customer, amount }) => ({ customer, amount })));
      const big = sales.apply(mr.filterFields<Sale>({ amount: (a) => a >= 7, region: (r) => r === "south" }));
      mr.testing.assertThat(big).containsInAnyOrder(SALES.filter((s) => s.amount >= 7 && s.region === "south"));
      mr.testing
        .assertThat(sales.apply("WithNotes", mr.filterFields<Sale>({ note: (n) => n !== null })))
        .containsInAnyOrder(SALES.filter((s) => s.note !== null));
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("schemas: groupBy(...).aggregate(...) with standard and custom CombineFns", (p) => {
      const sales = p.apply(mr.createRows(SALES));
      const perRegion = sales.apply(
        mr
          .groupBy<Sale, "region">("region")
          .aggregate("amount", mr.combiners.sum(), "total")
          .aggregate("amount", mr.combiners.count(), "n")
          .aggregate("amount", mr.combiners.mean(), "mean")
          .aggregate("customer", mr.combiners.countDistinct(), "customers")
          .aggregate("note", mr.combiners.count(), "notes")
          .aggregate(
            "amount",
            {
              createAccumulator: () => 0,
              addInput: (m: number, x: number) => Math.max(m, x),
              mergeAccumulators: (ms: number[]) => Math.max(0, ...ms),
              extractOutput: (m: number) => m,
            },
            "largest",
            {
              type: "int64",
            },
          ),
      );
      mr.testing.assertThat(perRegion).containsInAnyOrder([
        { region: "north", total: 16, n: 3, mean: 16 / 3, customers: 2, notes: 1, largest: 10 },
        { region: "south", total: 27, n: 2, mean: 13.5, customers: 2, notes: 1, largest: 20 },
      ]);
      const byTwo = sales.apply(
        "ByTwo",
        mr.groupBy<Sale, "region" | "customer">("region", "customer").aggregate("amount", mr.combiners.sum(), "total"),
      );
      mr.testing.assertThat(byTwo).containsInAnyOrder([
        { region: "north", customer: "ann", total: 11 },
        { region: "north", customer: "bob", total: 5 },
        { region: "south", customer: "ann", total: 7 },
        { region: "south", customer: "cat", total: 20 },
      ]);
      const grouped = sales.apply("Rows", mr.groupBy<Sale, "customer">("customer")).map((g) => ({
        customer: g.customer,
        amounts: (g as unknown as { values: Sale[] }).values.map((s) => s.amount).sort((a, b) => a - b),
      }));
      mr.testing.assertThat(grouped).containsInAnyOrder([
        { customer: "ann", amounts: [1, 7, 10] },
        { customer: "bob", amounts: [5] },
        { customer: "cat", amounts: [20] },
      ]);
    }),
    assertions: 3,
  },
  {
    definition: mr.definePipeline("schemas: a row that does not fit its schema fails the job, naming the field and the element", (p) => {
      p.apply(
        mr.create<Record<string, unknown>>([
          { user: "ann", score: 3 },
          { user: "bob", score: "high" },
        ]),
      ).apply(mr.withSchema({ user: "string", score: "int64" }));
    }),
    assertions: 0,
    expectFailure: /WithSchema[\s\S]*score[\s\S]*high/,
  },
];
