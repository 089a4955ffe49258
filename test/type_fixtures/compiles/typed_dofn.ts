// Correct uses of the typed DoFn context: each `Exactly<...>` fails to compile if a type is off.
import * as mr from "millrace";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function exactly<A, B>(_proof: Equal<A, B>): void {}

declare const p: mr.Pipeline;
const txns = p.apply(mr.create([mr.kv("card-1", 12)]));

// State and timers: cells typed by their declarations; the output type from the annotated return type.
export function rule(): mr.PTransform<mr.PCollection<mr.KV<string, number>>, mr.PCollection<string>> {
  return mr.parDo({
    state: {
      n: mr.state.value<number>(),
      ids: mr.state.bag<string>(),
      total: mr.state.combining(mr.combiners.sum()),
      byId: mr.state.map<string, number>(),
      seen: mr.state.set<string>(),
      events: mr.state.orderedList<string>(),
    },
    timers: { end: mr.timers.eventTime(), idle: mr.timers.processingTime() },
    process(kv, ctx) {
      exactly<typeof kv, mr.KV<string, number>>(true);
      const n = ctx.state.n.read();
      exactly<typeof n, number | undefined>(true);
      ctx.state.n.write((n ?? 0) + kv.value);
      exactly<ReturnType<typeof ctx.state.ids.read>, string[]>(true);
      ctx.state.total.add(kv.value);
      exactly<ReturnType<typeof ctx.state.total.read>, number>(true);
      ctx.state.byId.put(kv.key, kv.value);
      exactly<ReturnType<typeof ctx.state.byId.get>, number | undefined>(true);
      ctx.state.seen.add(kv.key);
      ctx.state.events.add({ value: kv.key, timestamp: ctx.timestamp });
      ctx.timers.end.set(mr.maxTimestampOf(ctx.window));
      ctx.timers.idle.offset(1_000);
    },
    onTimer: {
      end(ctx) {
        ctx.output(`${String(ctx.key)}: ${ctx.state.ids.read().join(",")}`);
      },
      idle(ctx) {
        ctx.state.n.clear();
      },
    },
  });
}
exactly<ReturnType<typeof rule>, mr.PTransform<mr.PCollection<mr.KV<string, number>>, mr.PCollection<string>>>(true);

// An object-literal parDo infers its output from the iterable process returns.
const lengths = p.apply(mr.create(["a", "bb"])).apply(mr.parDo({ process: (s: string) => [s.length] }));
exactly<typeof lengths, mr.PCollection<number>>(true);

// Side inputs typed by their views, in parDo and in map/flatMap/filter.
const total = txns.apply(mr.values()).apply(mr.combineGlobally(mr.combiners.sum()));
const names = p.apply("Names", mr.create([mr.kv("card-1", "Ann")]));
// A process that uses ctx cannot tell TypeScript its output type by what it returns: say it where the result goes.
const shares: mr.PCollection<number> = txns.apply(
  mr.parDo(
    {
      process(kv: mr.KV<string, number>, ctx) {
        const t = ctx.sideInput("total");
        exactly<typeof t, number>(true);
        const owner = ctx.sideInput("names").get(kv.key);
        exactly<typeof owner, string | undefined>(true);
        return [kv.value / t];
      },
    },
    { sideInputs: { total: mr.views.singleton(total), names: mr.views.map(names) } },
  ),
);
const mapped = txns.map((kv, ctx) => kv.value / ctx.sideInput("total"), { sideInputs: { total: mr.views.singleton(total) } });
exactly<typeof mapped, mr.PCollection<number>>(true);
txns.apply(mr.filter((kv, ctx) => ctx.sideInput("all").length > kv.value, { sideInputs: { all: mr.views.iterable(total) } }));

// Tagged outputs: typed tags give typed collections; tag names give unknown ones.
const split = txns.apply(
  mr.parDo(
    {
      process(kv: mr.KV<string, number>, ctx) {
        if (kv.value < 0) ctx.outputTo("errors", `negative: ${kv.key}`);
        else if (kv.value > 1000) ctx.outputTo("big", kv.value);
        else ctx.output(kv.key);
      },
    },
    { outputs: { errors: mr.outputTag<string>(), big: mr.outputTag<number>() } },
  ),
);
exactly<typeof split.errors, mr.PCollection<string>>(true);
exactly<typeof split.big, mr.PCollection<number>>(true);
const named = txns.apply(mr.parDo({ process(_kv: mr.KV<string, number>, ctx) { ctx.outputTo("odd", 1); } }, { outputs: ["odd"] }));
exactly<typeof named.odd, mr.PCollection<unknown>>(true);

// A class names its declarations: ProcessContext<Out, ThisClass>.
class Counter extends mr.DoFn<mr.KV<string, number>, number, Counter> {
  readonly state = { count: mr.state.value<number>() };
  process(_kv: mr.KV<string, number>, ctx: mr.ProcessContext<number, Counter>): void {
    const n = (ctx.state.count.read() ?? 0) + 1;
    ctx.state.count.write(n);
    ctx.output(n);
  }
}
const counted = txns.apply(mr.parDo(new Counter()));
exactly<typeof counted, mr.PCollection<number>>(true);

// A hand-written context without declarations stays untyped, as before.
export function untyped(ctx: mr.ProcessContext<string>): void {
  ctx.outputTo("anything", 1);
  const v = ctx.sideInput<number>("whatever");
  exactly<typeof v, number>(true);
}

// The README's stateful example: the input type from the collection, the output type from the variable.
interface Txn {
  card: string;
  amount: number;
}
declare const txnsOfCards: mr.PCollection<Txn>;
export const flagged: mr.PCollection<string> = txnsOfCards
  .apply(mr.windowInto(mr.windows.fixed(30 * 60_000)))
  .apply(mr.map((t: Txn) => mr.kv(t.card, t.amount)))
  .apply(
    mr.parDo({
      state: { large: mr.state.value<number>() },
      timers: { endOfWindow: mr.timers.eventTime() },
      process({ value }, ctx) {
        exactly<typeof value, number>(true);
        if (value > 300) ctx.state.large.write((ctx.state.large.read() ?? 0) + 1);
        ctx.timers.endOfWindow.set(mr.maxTimestampOf(ctx.window));
      },
      onTimer: {
        endOfWindow(ctx) {
          if ((ctx.state.large.read() ?? 0) > 3) ctx.output(`flag ${String(ctx.key)}`);
        },
      },
    }),
  );
