/**
 * Stateful processing: card transactions, enriched through a (fake) batched
 * "RPC" service with groupIntoBatches, and checked by a per-card fraud rule
 * built on value and bag state and an event-time timer.
 *
 * - Enrichment: the merchant service takes a batch of ids and returns their
 *   records. Calling it once per transaction is slow; groupIntoBatches groups
 *   the merchant ids per shard into batches of --batchSize (or fewer, after
 *   --maxBufferingMs of processing time, or at the end of the window), so the
 *   service is called once per batch. The example counts the calls.
 * - Fraud rule: per card and fixed window of --windowMs, count the
 *   transactions above --amount; at the end of the window (an event-time
 *   timer) flag the card when there were more than --maxLarge of them.
 *
 *   npm run batching
 *   npm run batching -- --batchSize=5 --maxLarge=1
 */
import * as mr from "millrace";

interface Txn {
  id: string;
  card: string;
  merchant: string;
  amount: number;
}

interface Merchant {
  id: string;
  name: string;
  country: string;
}

/** The fake merchant service: one call per batch of ids. Calls are counted with a metric. */
function lookupMerchants(ids: readonly string[]): Merchant[] {
  const countries = ["FR", "DE", "US", "JP", "BR"];
  return ids.map((id) => {
    const n = Number(id.replace(/\D/g, ""));
    return { id, name: `Merchant ${n}`, country: countries[n % countries.length]! };
  });
}

const MINUTE = 60_000;

/** A deterministic day of card transactions over two hours, with one busy, suspicious card. */
function transactions(): mr.TimestampedValue<Txn>[] {
  const out: mr.TimestampedValue<Txn>[] = [];
  const cards = ["card-1111", "card-2222", "card-3333", "card-4444"];
  for (let i = 0; i < 120; i++) {
    const h = Math.imul(i + 1, 0x9e3779b1) >>> 0;
    const card = cards[h % cards.length]!;
    const suspicious = card === "card-3333" && i >= 60 && i < 90;
    const amount = suspicious ? 400 + (h % 500) : 5 + (h % 120);
    out.push({
      value: { id: `t${String(i).padStart(3, "0")}`, card, merchant: `m${(h >>> 7) % 12}`, amount },
      timestamp: i * MINUTE,
    });
  }
  return out;
}

interface FraudRuleOptions {
  readonly amount: number;
  readonly maxLarge: number;
}

/**
 * Per card and window: remember the large transactions (value state for the
 * count, bag state for their ids); at the end of the window, flag the card if
 * there were more than `maxLarge`.
 */
function fraudRule({ amount, maxLarge }: FraudRuleOptions): mr.PTransform<mr.PCollection<mr.KV<string, Txn>>, mr.PCollection<string>> {
  // The parDo's types come from this return type and the declarations: ctx.state.large is a
  // ValueState<number>, ctx.state.ids a BagState<string>, ctx.timers.endOfWindow a Timer.
  return mr.parDo({
    state: { large: mr.state.value<number>(), ids: mr.state.bag<string>() },
    timers: { endOfWindow: mr.timers.eventTime() },
    process({ value: txn }, ctx) {
      if (txn.amount <= amount) return;
      const n = (ctx.state.large.read() ?? 0) + 1;
      ctx.state.large.write(n);
      ctx.state.ids.add(txn.id);
      // Fires once the watermark passes the end of the window (its last instant).
      ctx.timers.endOfWindow.set(mr.maxTimestampOf(ctx.window));
    },
    onTimer: {
      endOfWindow(ctx) {
        const n = ctx.state.large.read() ?? 0;
        const w = ctx.window;
        if (n > maxLarge && !mr.isGlobalWindow(w)) {
          const ids = ctx.state.ids.read().sort();
          ctx.output(`FLAG ${String(ctx.key)}: ${n} transactions over ${amount} in [${clock(w.start)}, ${clock(w.end)}): ${ids.join(" ")}`);
        }
      },
    },
  });
}

function clock(ms: number): string {
  const m = Math.floor(ms / MINUTE);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), {
    flags: {
      batchSize: { type: "integer", min: 1, default: 10, description: "merchant ids per service call" },
      maxBufferingMs: { type: "integer", min: 1, default: 1_000, description: "longest processing time an id waits for its batch" },
      shards: { type: "integer", min: 1, default: 2, description: "keys to batch under (parallelism of the service calls)" },
      windowMs: { type: "integer", min: 1, default: 30 * MINUTE, description: "fraud rule window" },
      amount: { type: "number", default: 300, description: "a transaction above this amount is large" },
      maxLarge: { type: "integer", min: 0, default: 3, description: "more large transactions than this in a window flags the card" },
    },
  });
  const p = mr.Pipeline.create(options);
  const shards = options.get<number>("shards")!;

  const txns = p.apply("Transactions", mr.createTimestamped(transactions()));

  // --- Enrichment in batches ---
  const enriched = txns
    .apply(
      "KeyByShard",
      mr.map((t: Txn) => mr.kv(`shard-${Number(t.id.slice(1)) % shards}`, t)),
    )
    .apply(
      "Batch",
      mr.groupIntoBatches<string, Txn>(options.get<number>("batchSize")!, { maxBufferingMs: options.get<number>("maxBufferingMs")! }),
    )
    .apply(
      "Enrich",
      mr.flatMap(({ value: batch }: mr.KV<string, Txn[]>, ctx) => {
        const ids = [...new Set(batch.map((t) => t.merchant))];
        ctx.metrics.counter("merchantServiceCalls").inc();
        ctx.metrics.counter("transactionsEnriched").inc(batch.length);
        const byId = new Map(lookupMerchants(ids).map((m) => [m.id, m] as const));
        return batch.map((t) => ({ ...t, merchantName: byId.get(t.merchant)!.name, country: byId.get(t.merchant)!.country }));
      }),
    );
  enriched
    .apply(
      "ByCountry",
      mr.map((t: { country: string; amount: number }) => mr.kv(t.country, t.amount)),
    )
    .apply("Total", mr.combinePerKey(mr.combiners.sum()))
    .apply(
      "PrintTotals",
      mr.map(({ key, value }: mr.KV<string, number>) => console.log(`total spent at ${key} merchants: ${value}`)),
    );

  // --- Fraud rule with state and a timer ---
  txns
    .apply("Window", mr.windowInto(mr.windows.fixed(options.get<number>("windowMs")!)))
    .apply(
      "KeyByCard",
      mr.map((t: Txn) => mr.kv(t.card, t)),
    )
    .apply("FraudRule", fraudRule({ amount: options.get<number>("amount")!, maxLarge: options.get<number>("maxLarge")! }))
    .apply(
      "PrintFlags",
      mr.map((line: string) => console.log(line)),
    );

  const result = p.run();
  await result.waitUntilFinish();
  const counters = result.metrics().counters;
  const calls = counters["merchantServiceCalls"] ?? 0;
  const enrichedCount = counters["transactionsEnriched"] ?? 0;
  console.log(`merchant service: ${calls} calls for ${enrichedCount} transactions (one call each would have been ${enrichedCount})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
