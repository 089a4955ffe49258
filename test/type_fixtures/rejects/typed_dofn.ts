// Misuses the typed DoFn context rejects: each marked line must fail with one of the listed codes.
import * as mr from "millrace";

declare const p: mr.Pipeline;
const txns = p.apply(mr.create([mr.kv("card-1", 12)]));
const total = txns.apply(mr.values()).apply(mr.combineGlobally(mr.combiners.sum()));

txns.apply(
  mr.parDo({
    state: { n: mr.state.value<number>(), ids: mr.state.bag<string>() },
    timers: { end: mr.timers.eventTime() },
    process(kv, ctx) {
      const wrong: string | undefined = ctx.state.n.read(); // error TS2322
      ctx.state.m.read(); // error TS2339|TS2551
      ctx.state.n.write("twelve"); // error TS2345
      const ids: number[] = ctx.state.ids.read(); // error TS2322
      ctx.timers.ned.set(0); // error TS2339|TS2551
      ctx.sideInput("total"); // error TS2345
      ctx.outputTo("typo", 2); // error TS2345
      void wrong, ids, kv;
    },
    onTimer: {
      end() {},
      edn() {}, // error TS2353|TS2561
    },
  }),
);

txns.apply(
  mr.parDo(
    {
      process(kv: mr.KV<string, number>, ctx) {
        const t: string = ctx.sideInput("total"); // error TS2322
        ctx.sideInput("totl"); // error TS2345
        ctx.outputTo("errors", kv.value); // error TS2345
        ctx.outputTo("erors", kv.key); // error TS2345
        void t;
      },
    },
    { sideInputs: { total: mr.views.singleton(total) }, outputs: { errors: mr.outputTag<string>() } },
  ),
);

const tagged = txns.apply(mr.parDo({ process(_kv: mr.KV<string, number>) {} }, { outputs: { errors: mr.outputTag<string>() } }));
const errorsAsNumbers: mr.PCollection<number> = tagged.errors; // error TS2322
void tagged.warnings; // error TS2339

txns.map((kv, ctx) => kv.value + ctx.sideInput("total")); // error TS2345
txns.map((kv, ctx) => ctx.sideInput("total").toUpperCase() + kv.key, { sideInputs: { total: mr.views.singleton(total) } }); // error TS2339

const lengths = p.apply(mr.create(["a"])).apply(mr.parDo({ process: (s: string) => [s.length] }));
const lengthsAsStrings: mr.PCollection<string> = lengths; // error TS2322

// The output type said where the result goes is what ctx.output takes.
const counts: mr.PCollection<number> = txns.apply(
  mr.parDo({
    process(kv, ctx) {
      ctx.output(kv.key); // error TS2345
    },
  }),
);

void errorsAsNumbers, lengthsAsStrings, counts;
