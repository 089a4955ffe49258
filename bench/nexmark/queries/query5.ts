import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids, windowEnd } from "./util";

/** Output of {@link query5}. */
export interface AuctionCount {
  auction: number;
  count: number;
  windowEnd: number;
}

/** Window size and period of Query 5 (Beam: 10 s every 5 s). */
export const QUERY5_WINDOW_MS = 10_000;
export const QUERY5_PERIOD_MS = 5_000;

interface Hottest {
  count: number;
  auctions: number[];
}

/** The auctions with the highest count (all of them on a tie). */
function hottest(): mr.CombineFn<mr.KV<number, number>, Hottest, Hottest> {
  const merge = (a: Hottest, b: Hottest): Hottest =>
    a.count > b.count ? a : b.count > a.count ? b : { count: a.count, auctions: [...a.auctions, ...b.auctions] };
  return {
    createAccumulator: () => ({ count: 0, auctions: [] }),
    addInput: (acc, { key, value }) => merge(acc, { count: value, auctions: [key] }),
    mergeAccumulators: (accs) => accs.reduce(merge, { count: 0, auctions: [] }),
    extractOutput: (acc) => acc,
  };
}

/**
 * Query 5, hot items: in sliding windows of 10 s every 5 s, the auction(s)
 * with the most bids, as `{ auction, count, windowEnd }`; every auction tied
 * for the highest count is reported. As in Beam: count the bids per auction
 * per window, then combine the counts of a window into its maximum.
 */
export function query5(events: mr.PCollection<NexmarkEvent>): mr.PCollection<AuctionCount> {
  return events
    .apply("Query5.Bids", justBids())
    .apply("Query5.Window", mr.windowInto(mr.windows.sliding(QUERY5_WINDOW_MS, QUERY5_PERIOD_MS)))
    .apply(
      "Query5.AuctionIds",
      mr.map((b: Bid) => b.auction),
    )
    .apply("Query5.Count", mr.countPerElement())
    .apply(
      "Query5.OneKey",
      mr.map((c: mr.KV<number, number>) => mr.kv(0, c)),
    )
    .apply("Query5.Hottest", mr.combinePerKey(hottest()))
    .apply(
      "Query5.Project",
      mr.flatMap(({ value }: mr.KV<number, Hottest>, ctx) =>
        value.auctions.map((auction): AuctionCount => ({ auction, count: value.count, windowEnd: windowEnd(ctx) })),
      ),
    );
}
