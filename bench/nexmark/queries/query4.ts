import * as mr from "millrace";
import type { NexmarkEvent } from "../model";
import { winningBids, type AuctionBid } from "./winning_bids";

/** Output of {@link query4}. */
export interface CategoryPrice {
  category: number;
  average: number;
}

/** Mean of numbers, as an exact integer sum and a count (prices are whole cents), rounded to a whole number as in Beam (`Math.round`). */
export function meanFn(): mr.CombineFn<number, { sum: number; count: number }, number> {
  return {
    createAccumulator: () => ({ sum: 0, count: 0 }),
    addInput: (acc, v) => ({ sum: acc.sum + v, count: acc.count + 1 }),
    mergeAccumulators: (accs) => {
      let sum = 0;
      let count = 0;
      for (const a of accs) {
        sum += a.sum;
        count += a.count;
      }
      return { sum, count };
    },
    extractOutput: (acc) => Math.round(acc.sum / acc.count),
  };
}

/**
 * Query 4, average price per category: `{ category, average }`, the mean of
 * the winning prices of the closed auctions of each category (see
 * {@link winningBids}), rounded to whole cents as Beam's `CategoryPrice`. Beam averages over sliding windows of the winning
 * bids; with a bounded input and the global window this is one result per
 * category over all auctions.
 */
export function query4(events: mr.PCollection<NexmarkEvent>): mr.PCollection<CategoryPrice> {
  return events
    .apply("Query4.WinningBids", winningBids())
    .apply(
      "Query4.ByCategory",
      mr.map(({ auction, bid }: AuctionBid) => mr.kv(auction.category, bid.price)),
    )
    .apply("Query4.Average", mr.combinePerKey(meanFn()))
    .apply(
      "Query4.Project",
      mr.map(({ key, value }: mr.KV<number, number>): CategoryPrice => ({ category: key, average: value })),
    );
}
